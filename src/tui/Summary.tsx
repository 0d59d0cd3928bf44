import { Box, Text } from 'ink';
import type { RunSummary } from '../events/index.js';
import { summaryLine } from './run-state.js';

/** The last lines of a run: what happened, and the run id to look it up with `synx runs`. */
export function Summary({ summary, runId }: { readonly summary: RunSummary; readonly runId: string }) {
  const color = summary.status === 'ok' ? 'green' : summary.status === 'failed' ? 'red' : 'yellow';
  const word = summary.status === 'ok' ? 'done' : summary.status === 'failed' ? 'FAILED' : 'cancelled';
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={color} bold>
          {word}
        </Text>
        {`: ${summaryLine(summary)}`}
      </Text>
      <Text dimColor>{`run ${runId} · \`synx runs show ${runId}\` for details`}</Text>
    </Box>
  );
}
