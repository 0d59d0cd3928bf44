import { Box, Text } from 'ink';
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
  const tail =
    node.status === 'ran'
      ? ` ${formatDuration(node.seconds ?? 0)}`
      : node.status === 'cached'
        ? ' cached (computed by another run)'
        : node.status === 'skipped'
          ? ` skipped: needs ${node.because ?? '?'}, which failed`
          : node.status === 'cancelled'
            ? ' cancelled'
            : ` failed: ${node.error?.message ?? ''}`;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text color={m.color}>{`${m.mark} `}</Text>
        {`${node.kind.padEnd(7)}${node.label}`}
        <Text color={node.status === 'failed' ? 'red' : undefined} dimColor={node.status !== 'failed'}>
          {tail}
        </Text>
      </Text>
      {node.status === 'failed' && node.error?.hint ? <Text wrap="wrap">{`    hint: ${node.error.hint}`}</Text> : null}
      {node.status === 'failed' && node.error?.log ? <Text dimColor wrap="truncate-middle">{`    log: ${node.error.log}`}</Text> : null}
    </Box>
  );
}
