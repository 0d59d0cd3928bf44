import { Box, Text } from 'ink';
import type { StageCounts } from './run-state.js';

const COLS = ['done', 'running', 'queued', 'cached', 'failed', 'skipped'] as const;

/** Counts per stage: one row per node kind, one column per state. */
export function StageTable({ counts }: { readonly counts: readonly StageCounts[] }) {
  const cell = (v: string | number, w: number) => String(v).padStart(w);
  return (
    <Box flexDirection="column">
      <Text dimColor>{`${'stage'.padEnd(8)}${COLS.map((c) => cell(c, 8)).join('')}`}</Text>
      {counts.map((c) => (
        <Text key={c.kind}>
          {c.kind.padEnd(8)}
          <Text color="green">{cell(c.done, 8)}</Text>
          <Text color="cyan">{cell(c.running, 8)}</Text>
          {cell(c.queued, 8)}
          <Text dimColor>{cell(c.cached, 8)}</Text>
          <Text color={c.failed > 0 ? 'red' : undefined}>{cell(c.failed, 8)}</Text>
          <Text color={c.skipped > 0 ? 'yellow' : undefined}>{cell(c.skipped, 8)}</Text>
        </Text>
      ))}
    </Box>
  );
}
