import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../helpers/io.js';


describe('synx metrics --scores', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-metrics-'));

  it('prints the metrics as JSON', async () => {
    // 10 folds of one genuine (0.9) and one impostor (0.1) pair each: perfectly separable.
    const rows = ['same,score'];
    for (let i = 0; i < 10; i++) rows.push('1,0.9', '0,0.1');
    writeFileSync(path.join(dir, 's.csv'), `${rows.join('\n')}\n`);
    const c = captureIO(dir);
    expect(await main(['metrics', '--scores', 's.csv'], c)).toBe(0);
    const j = JSON.parse(c.out()) as Record<string, unknown>;
    expect(j.accuracy).toBe(1);
    expect(j.accuracy_std).toBe(0);
    expect(j.auc).toBe(1);
    expect(j.tar_at_far).toEqual({ '1e-1': 1, '1e-2': 1, '1e-3': 1 });
    expect(j.pairs).toBe(20);
    expect(typeof j.threshold).toBe('number');
  });

  it('names the file and line of a bad row, exit 2', async () => {
    writeFileSync(path.join(dir, 'bad.csv'), 'same,score\n1,0.5\n0,abc\n');
    const c = captureIO(dir);
    expect(await main(['metrics', '--scores', 'bad.csv'], c)).toBe(2);
    expect(c.err()).toContain("bad.csv:3: 'score' must be a finite number, got 'abc'");
  });

  it('rejects a header without same/score and a missing file, exit 2', async () => {
    writeFileSync(path.join(dir, 'h.csv'), 'label,sim\n1,0.5\n');
    const c = captureIO(dir);
    expect(await main(['metrics', '--scores', 'h.csv'], c)).toBe(2);
    expect(c.err()).toContain("h.csv:1: header must name the columns 'same' and 'score'");
    const d = captureIO(dir);
    expect(await main(['metrics', '--scores', 'nope.csv'], d)).toBe(2);
    expect(d.err()).toContain('synx metrics: cannot read nope.csv: no such file or folder');
    const u = captureIO(dir);
    expect(await main(['metrics'], u)).toBe(2);
    expect(u.err()).toContain('--scores FILE.csv is required');
  });

  it('rejects a bad same value and too few rows', async () => {
    writeFileSync(path.join(dir, 'x.csv'), 'score,same\n0.5,2\n');
    const c = captureIO(dir);
    expect(await main(['metrics', '--scores', 'x.csv'], c)).toBe(2);
    expect(c.err()).toContain("x.csv:2: 'same' must be 1 or 0, got '2'");
    writeFileSync(path.join(dir, 'y.csv'), 'same,score\n1,0.5\n0,0.2\n');
    const d = captureIO(dir);
    expect(await main(['metrics', '--scores', 'y.csv'], d)).toBe(2);
    expect(d.err()).toContain('at least 10 rows');
  });
});

describe('synx metrics: score files that would give a meaningless accuracy', () => {
  const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');

  it('refuses a file sorted by label without a fold column, naming the single-class folds', async () => {
    const c = captureIO(fixtures);
    expect(await main(['metrics', '--scores', 'sorted-by-label.csv'], c)).toBe(2);
    expect(c.err()).toBe(
      "synx metrics: sorted-by-label.csv: without a 'fold' column the rows are split into 10 consecutive folds, and folds 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 of them hold only genuine or only impostor pairs (is the file sorted by 'same'?); add a 'fold' column giving each row its fold (1 to 10, each fold with both kinds of pairs, e.g. the pair's LFW fold) or list the rows in their original order\n",
    );
    expect(c.out()).toBe('');
  });

  it('refuses a column named twice', async () => {
    const c = captureIO(fixtures);
    expect(await main(['metrics', '--scores', 'same-twice.csv'], c)).toBe(2);
    expect(c.err()).toBe("synx metrics: same-twice.csv:1: the column 'same' is named twice; keep one (which would be meant is not known)\n");
  });
});
