import { Box, Text } from 'ink';
import { bar, etaOf, formatDuration, formatRate, rateOf, type NodeView } from './run-state.js';

/** A running node: its label and time so far, then a bar with count, rate, ETA and live metrics. */
export function NodeBar({ node, now, width }: { readonly node: NodeView; readonly now: number; readonly width: number }) {
  const p = node.progress;
  const elapsed = formatDuration(Math.max(0, (now - (node.started ?? now)) / 1000));
  const rate = rateOf(node);
  const eta = etaOf(node, now);
  const barWidth = Math.max(10, Math.min(30, width - 60));
  const fraction = p && p.total > 0 ? p.done / p.total : 0;
  const details = p
    ? [
        `${String(Math.floor(fraction * 100)).padStart(3)}%`,
        `${p.done}/${p.total} ${p.unit}`,
        ...(rate !== undefined ? [`${formatRate(rate)} ${p.unit}/s`] : []),
        ...(eta !== undefined ? [`eta ${formatDuration(eta)}`] : []),
        ...Object.entries(p.metrics ?? {}).map(([k, v]) => `${k} ${formatRate(v)}`),
      ].join(' · ')
    : 'starting';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text color="cyan">{'▶ '}</Text>
        {`${node.kind.padEnd(7)}${node.label}`}
        <Text dimColor>{` · ${elapsed}`}</Text>
      </Text>
      <Text wrap="truncate-end">
        {'  '}
        <Text color="cyan">{bar(fraction, barWidth)}</Text>
        {` ${details}`}
        {p?.message ? <Text dimColor>{` · ${p.message}`}</Text> : null}
      </Text>
    </Box>
  );
}
