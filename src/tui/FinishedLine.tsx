import { Box, Text } from 'ink';
import { describeFailure } from '../events/index.js';
import { formatDuration, type NodeView } from './run-state.js';

const MARK: Record<string, { mark: string; color: string }> = {
  ran: { mark: '✔', color: 'green' },
  cached: { mark: '≡', color: 'gray' },
  failed: { mark: '✘', color: 'red' },
  skipped: { mark: '-', color: 'yellow' },
  cancelled: { mark: '■', color: 'yellow' },
};

/** A node that has finished, kept above the live region: mark, stage, label, time or reason. */
export function FinishedLine({ node, width }: { readonly node: NodeView; readonly width: number }) {
  const m = MARK[node.status] ?? { mark: '?', color: 'white' };
  const error = node.status === 'failed' && node.failure ? describeFailure(node.failure) : undefined;
  const tail =
    node.status === 'ran'
      ? ` ${formatDuration(node.seconds ?? 0)}`
      : node.status === 'cached'
        ? ' cached (computed by another run)'
        : node.status === 'skipped'
          ? ` skipped: needs ${node.because ?? '?'}, which failed`
          : node.status === 'cancelled'
            ? ' cancelled'
            : ` failed: ${error?.message ?? ''}`;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text color={m.color}>{`${m.mark} `}</Text>
        {`${node.kind.padEnd(7)}${node.label}`}
        <Text color={node.status === 'failed' ? 'red' : undefined} dimColor={node.status !== 'failed'}>
          {tail}
        </Text>
      </Text>
      {error?.hint ? <Text wrap="wrap">{`    hint: ${error.hint}`}</Text> : null}
      {error?.log ? <Text dimColor wrap="truncate-middle">{`    log: ${error.log}`}</Text> : null}
    </Box>
  );
}
