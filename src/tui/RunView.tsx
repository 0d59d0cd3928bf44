import { Box, Static, Text } from 'ink';
import { FinishedLine } from './FinishedLine.js';
import { NodeBar } from './NodeBar.js';
import { runningNodes, stageCounts, formatDuration, type RunState } from './run-state.js';
import { StageTable } from './StageTable.js';
import { Summary } from './Summary.js';

/**
 * The whole run: finished nodes printed once above (Ink's <Static>), then a live region with the
 * header, counts per stage and a bar per running node, and the summary at the end.
 */
export function RunView({ state, now, width }: { readonly state: RunState; readonly now: number; readonly width: number }) {
  const finished = state.finished.map((id) => state.nodes.get(id)!);
  const running = runningNodes(state);
  const elapsed = formatDuration(Math.max(0, ((state.summary ? state.startTime + state.summary.seconds * 1000 : now) - state.startTime) / 1000));
  return (
    <>
      <Static items={finished}>{(node) => <FinishedLine key={node.id} node={node} width={width} />}</Static>
      <Box flexDirection="column" width={width}>
        {state.warnings.map((w, i) => (
          <Text key={i} color="yellow" wrap="wrap">{`warning: ${w}`}</Text>
        ))}
        <Text wrap="truncate-end" bold>
          {`synx run ${state.runId}`}
          <Text dimColor>{` · ${state.file} · ${state.total} nodes · ${state.jobs} at a time · ${elapsed}`}</Text>
        </Text>
        <StageTable counts={stageCounts(state)} />
        {running.map((node) => (
          <NodeBar key={node.id} node={node} now={now} width={width} />
        ))}
        {state.summary ? <Summary summary={state.summary} runId={state.runId} /> : null}
      </Box>
    </>
  );
}
