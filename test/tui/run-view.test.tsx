import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyRunState, FinishedLine, NodeBar, RunView, StageTable, stageCounts, Summary } from '../../src/tui/index.js';
import { eventStream, T0, R2 } from './fixtures.js';

// eslint-disable-next-line no-control-regex
const plain = (s: string | undefined) => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');
const WIDTH = 80;

function stateAfter(count: number) {
  const s = emptyRunState();
  for (const e of eventStream().slice(0, count)) applyEvent(s, e);
  return s;
}

describe('Ink components at a fixed width of 80', () => {
  it('StageTable', () => {
    const { lastFrame } = render(<StageTable counts={stageCounts(stateAfter(11))} />);
    expect(plain(lastFrame())).toMatchSnapshot();
  });

  it('NodeBar with rate, ETA and metrics', () => {
    const s = stateAfter(7);
    const { lastFrame } = render(<NodeBar node={s.nodes.get(R2.id)!} now={T0 + 12_000} width={WIDTH} />);
    const frame = plain(lastFrame());
    expect(frame).toContain('54% · 540/1000 images · 40.0 images/s · eta 12s');
    expect(frame).toMatchSnapshot();
  });

  it('FinishedLine for a failure, with hint and log', () => {
    const s = stateAfter(9);
    const failed = [...s.nodes.values()].find((v) => v.status === 'failed')!;
    const { lastFrame } = render(<FinishedLine node={failed} width={WIDTH} />);
    expect(plain(lastFrame())).toMatchSnapshot();
  });

  it('Summary', () => {
    const s = stateAfter(18);
    const { lastFrame } = render(<Summary summary={s.summary!} runId={s.runId} />);
    expect(plain(lastFrame())).toMatchSnapshot();
  });

  it('RunView mid-run: finished nodes above, counts and bars below', () => {
    const s = stateAfter(14);
    const { frames, lastFrame } = render(<RunView state={s} now={T0 + 24_000} width={WIDTH} />);
    const all = plain(frames.join(''));
    expect(all).toContain('✘ render render syn ids 200-299 failed: dataset path /data/casia does not exist');
    expect(plain(lastFrame())).toMatchSnapshot();
  });

  it('RunView at the end', () => {
    const s = stateAfter(18);
    const { lastFrame } = render(<RunView state={s} now={T0 + 30_000} width={WIDTH} />);
    expect(plain(lastFrame())).toMatchSnapshot();
  });
});
