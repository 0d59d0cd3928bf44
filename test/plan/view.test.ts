import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synx } from '../cli/cli-io.js';
import { testConfig } from '../data/fixtures.js';
import { compileText, viewNodes } from '../../src/plan/index.js';

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures-view');

describe('synx plan rows', () => {
  it('keeps two experiments\' different render nodes apart, and does not call a training experiment render only', async () => {
    const r = await synx(dir, 'plan', 'two-renders.synexp');
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => / render /.test(l)).map((l) => l.replace(/^\S+\s+\S+( run)?\s+/, ''));
    expect(rows).toEqual(['render synthetic ids 0-39 x 13', 'render synthetic ids 0-39 x 13']);
    expect(r.stdout).toContain('  a: 2 nodes (trains, no evaluation)\n');
    expect(r.stdout).toMatch(/ {2}b: \d+ nodes \(trains, no evaluation\)\n/);
  });

  it('renders a file of test sets alone, with the same render node an eval of it uses', async () => {
    const r = await synx(dir, 'plan', 'testsets-only.synexp');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('testsets-only.synexp: 1 experiment, 1 nodes (1 render), 0 cached');
    expect(r.stdout).toContain('render synthetic ids 10000000-10000019 x 5');
    expect(r.stdout).toContain('  heldout: 1 nodes (render only)\n');
    const config = testConfig('/nonexistent');
    const alone = compileText('testset t {\n  sample 20 ids x 5 imgs\n}\n', 'a.synexp', config).plan!;
    const used = compileText('testset t {\n  sample 20 ids x 5 imgs\n}\nsample 10 ids x 10 imgs, pretrain 100, eval t\n', 'b.synexp', config).plan!;
    const testRender = used.nodes.find((n) => n.label.startsWith('render testset t'))!;
    expect(alone.nodes.map((n) => n.fingerprint)).toEqual([testRender.fingerprint]);
  });

  it('folds the shards of one set into one row, in time linear in the shards', () => {
    const config = testConfig('/nonexistent');
    const rows = (n: number) => {
      const seeds = Array.from({ length: n }, (_, i) => String(i + 1)).join(', ');
      const { plan } = compileText(`sample 40 ids x 13 imgs, seed {${seeds}}, pretrain 520\n`, 'a.synexp', config);
      const t0 = process.cpuUsage().user;
      const v = viewNodes(plan!, true);
      return { rows: v.length, micros: process.cpuUsage().user - t0 };
    };
    const small = rows(500);
    const big = rows(4000);
    expect(small.rows).toBe(1000);
    expect(big.rows).toBe(8000);
    // 8× the nodes: a linear fold takes about 8× the time, the old quadratic one about 64×.
    expect(big.micros / Math.max(small.micros, 1000)).toBeLessThan(30);
  });
});
