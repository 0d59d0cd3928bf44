import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  bar,
  chooseLogger,
  emptyRunState,
  etaOf,
  formatDuration,
  jsonLogger,
  plainLogger,
  rateOf,
  stageCounts,
} from '../../src/tui/index.js';
import { eventStream, R2, T0 } from './fixtures.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

describe('plain logger', () => {
  it('prints a line per start and finish, throttled progress, and no escape codes', () => {
    const out = capture();
    const log = plainLogger(out.stream);
    for (const e of eventStream()) log.onEvent(e);
    const text = out.text();
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u001b\r]/);
    expect(text).toBe(
      [
        'synx run 20260102-030405-abcd: exp.synexp: 6 nodes, 1 cached, 5 to run, 2 at a time',
        'start     render render syn ids 100-199 (render-bbbbbbbbbb)',
        'start     render render syn ids 200-299 (render-cccccccccc)',
        // 1 s after start: under 10 s since the start line, so not printed; at 11 s it is.
        // Rate: (500 - 100) images over 10 s = 40/s; eta: 500 left / 40 = 12.5 s.
        'progress  render render syn ids 100-199: 500/1000 images 50%, 40.0 images/s, eta 13s img/s=40.0',
        '[1/5] FAILED  render render syn ids 200-299 (render-cccccccccc): dataset path /data/casia does not exist',
        '          hint: fix datasets.casia.path in synx.yaml',
        '          log: /p/.synx/cache/logs/ccc.log',
        '[2/5] skipped train  pretrain syn-1m nn4-small (needs render-cccccccccc, which failed)',
        '[3/5] skipped eval   eval lfw (needs render-cccccccccc, which failed)',
        'start     data   data casia 10% (data-dddddddddd)',
        // 10.99 s after its start line; (6 - 2) folders over 10 s = 0.4/s, 4 left: eta 10 s.
        'progress  data   data casia 10%: 6/10 folders 60%, 0.40 folders/s, eta 10s',
        '[4/5] ok      render render syn ids 100-199 in 25s',
        'warning: cache entry /c/entries/x of render syn is corrupt (output a has changed); removed, it will be recomputed',
        '[5/5] ok      data   data casia 10% in 17s',
        'FAILED: 2 ran, 1 cached, 1 failed, 2 skipped in 30s',
        '',
      ].join('\n'),
    );
  });

  it('prints node log lines only when verbose, and progress as often as asked', () => {
    const out = capture();
    const log = plainLogger(out.stream, { verbose: true, progressEverySeconds: 0.5 });
    for (const e of eventStream()) log.onEvent(e);
    expect(out.text()).toContain('log       render render syn ids 100-199: shard 3 written\n');
    expect(out.text().match(/^progress /gm)).toHaveLength(5);
  });
});

describe('json logger', () => {
  it('writes each event as one JSON line, a failure and a warning in words', () => {
    const out = capture();
    const log = jsonLogger(out.stream);
    const events = eventStream();
    for (const e of events) log.onEvent(e);
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(events.length);
    const failed = events.findIndex((e) => e.type === 'node-finish' && e.status === 'failed');
    const warned = events.findIndex((e) => e.type === 'cache-warning');
    const other = (_: unknown, i: number) => i !== failed && i !== warned;
    expect(lines.filter(other).map((l) => JSON.parse(l))).toEqual(events.filter(other));
    expect(lines[warned]).toBe(
      `{"type":"cache-warning","time":${T0 + 25_000},"message":"cache entry /c/entries/x of render syn is corrupt (output a has changed); removed, it will be recomputed"}`,
    );
    // The words and their order are those of the run record (`synx runs show` reads the same).
    expect(lines[failed]).toBe(
      `{"type":"node-finish","time":${T0 + 13_000},"node":{"id":"render-cccccccccc","kind":"render","label":"render syn ids 200-299"},` +
        '"status":"failed","seconds":12.99,"error":{"message":"dataset path /data/casia does not exist","code":"SX5002","bug":false,' +
        '"log":"/p/.synx/cache/logs/ccc.log","hint":"fix datasets.casia.path in synx.yaml"}}',
    );
  });
});

describe('logger choice', () => {
  it('uses Ink only on an interactive terminal outside CI', () => {
    expect(chooseLogger({ isTTY: true }, {}, false)).toBe('ink');
    expect(chooseLogger({ isTTY: false }, {}, false)).toBe('plain');
    expect(chooseLogger({}, {}, false)).toBe('plain');
    expect(chooseLogger({ isTTY: true }, { CI: 'true' }, false)).toBe('plain');
    expect(chooseLogger({ isTTY: true }, { CI: 'false' }, false)).toBe('ink');
    expect(chooseLogger({ isTTY: true }, { TERM: 'dumb' }, false)).toBe('plain');
    expect(chooseLogger({ isTTY: true }, {}, true)).toBe('json');
  });
});

describe('run state', () => {
  it('counts per stage and measures rate and ETA from progress samples', () => {
    const s = emptyRunState();
    const events = eventStream();
    for (const e of events.slice(0, 7)) applyEvent(s, e);
    const v = s.nodes.get(R2.id)!;
    // 440 images between t=1 s and t=12 s: 40/s; 460 left: 11.5 s at t=12 s, 10.5 s at t=13 s.
    expect(rateOf(v)).toBeCloseTo(40, 10);
    expect(etaOf(v, T0 + 12_000)).toBeCloseTo(11.5, 10);
    expect(etaOf(v, T0 + 13_000)).toBeCloseTo(10.5, 10);
    expect(stageCounts(s)).toEqual([
      { kind: 'render', done: 0, running: 2, queued: 0, cached: 1, failed: 0, skipped: 0 },
      { kind: 'data', done: 0, running: 0, queued: 1, cached: 0, failed: 0, skipped: 0 },
      { kind: 'train', done: 0, running: 0, queued: 1, cached: 0, failed: 0, skipped: 0 },
      { kind: 'eval', done: 0, running: 0, queued: 1, cached: 0, failed: 0, skipped: 0 },
    ]);
  });

  it('formats durations and bars', () => {
    expect([4.24, 42.4, 187, 7500].map(formatDuration)).toEqual(['4.2s', '42s', '3m07s', '2h05m']);
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(2, 4)).toBe('████');
    expect(bar(Number.NaN, 3)).toBe('░░░');
  });
});
