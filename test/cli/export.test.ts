import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { ShardReader } from '../../src/dataset/index.js';
import { runPlan } from '../../src/exec/index.js';
import { compileFile, type Plan } from '../../src/plan/index.js';
import { renderKind } from '../../src/render/index.js';
import { cacheAt } from '../helpers/cache.js';
import { synx } from './cli-io.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Experiment `a` trains on a 3-identity set (with maps) and is evaluated on a synthetic test set;
// `b` sweeps its seed, so its two points share nothing with `a`; only `a`'s renders get computed.
writeFileSync(
  path.join(tmp, 'exp.synexp'),
  `image 32px

experiment a {
  sample 3 ids x 2 imgs
  seed 3
  maps depth, normal
  pretrain with small, epochs 1, input 32px
  eval held
}

experiment b {
  sample 2 ids x 2 imgs
  seed {5, 6}
}

testset held {
  sample 2 ids x 2 imgs
  image 32px
}
`,
);

let plan: Plan;

beforeAll(async () => {
  const { config } = loadConfig(tmp, {});
  const compiled = await compileFile('exp.synexp', config, { cwd: tmp });
  plan = compiled.plan!;
  // Only the render nodes of `a` are computed (no training): what export reads.
  const a = new Set(plan.experiments.find((e) => e.name === 'a')!.nodes);
  const renders: Plan = { ...plan, nodes: plan.nodes.filter((n) => n.kind === 'render' && a.has(n.id)) };
  const r = await runPlan(renders, new Map([['render', renderKind]]), { config: { ...config, threads: 1 }, cache: cacheAt(config.cache) });
  expect(r.summary.status).toBe('ok');
}, 60_000);

describe('synx export', () => {
  it('writes each render set of an experiment in the reference layout and says where', async () => {
    const r = await synx(tmp, 'export', 'exp.synexp', '--experiment', 'a');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'export of exp.synexp in the reference layout:',
        `  ${path.join('exports', 'exp', 'a', 'synthetic')}: 6 images, 3 identities × 2, 32 px, maps depth, normal`,
        `  ${path.join('exports', 'exp', 'a', 'testset-held')}: 4 images, 2 identities × 2, 32 px`,
        '',
      ].join('\n'),
    );
    const train = path.join(tmp, 'exports', 'exp', 'a', 'synthetic');
    expect(readdirSync(train).sort()).toEqual(['depth', 'img', 'landmarks', 'normal', 'parameters.csv', 'rps']);
    expect(readdirSync(path.join(train, 'img')).sort()).toEqual(['0', '1', '2']);
    expect(readdirSync(path.join(train, 'img', '2')).sort()).toEqual(['2_0.png', '2_1.png']);
    expect(readdirSync(path.join(train, 'depth', '1')).sort()).toEqual(['1_0.png', '1_1.png']);
    // The PNG holds exactly the shard's pixels.
    const shardNode = plan.nodes.find((n) => n.kind === 'render' && n.label.startsWith('render synthetic'))!;
    const reader = new ShardReader(cacheAt(loadConfig(tmp, {}).config.cache).outDir(shardNode.fingerprint));
    const png = PNG.sync.read(readFileSync(path.join(train, 'img', '1', '1_1.png')));
    const rgb = await reader.readImage(3);
    for (let p = 0; p < 32 * 32; p++) expect([png.data[4 * p], png.data[4 * p + 1], png.data[4 * p + 2]]).toEqual([rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]]);
    const test = path.join(tmp, 'exports', 'exp', 'a', 'testset-held');
    expect(readdirSync(test).sort()).toEqual(['img', 'landmarks', 'parameters.csv', 'rps']);
    // Held-out identities have their global indices.
    expect(readdirSync(path.join(test, 'img')).sort()).toEqual(['10000000', '10000001']);
    const rps = JSON.parse(readFileSync(path.join(test, 'rps', '10000001', '10000001_0.rps'), 'utf8'));
    expect(rps.imageSize).toEqual({ height: 32, width: 32 });
    expect(readFileSync(path.join(test, 'parameters.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
    // Nothing temporary is left beside the sets.
    expect(readdirSync(path.join(tmp, 'exports', 'exp', 'a')).sort()).toEqual(['synthetic', 'testset-held']);
  });

  it('never replaces a non-empty folder without --force', async () => {
    const out = path.join(tmp, 'mine');
    mkdirSync(path.join(out, 'a', 'synthetic'), { recursive: true });
    writeFileSync(path.join(out, 'a', 'synthetic', 'notes.txt'), 'keep me');
    const refused = await synx(tmp, 'export', 'exp.synexp', '--experiment', 'a', '--out', 'mine');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(`synx export: ${path.join('mine', 'a', 'synthetic')} already exists and is not empty\nhint: give another --out, or --force to replace it\n`);
    expect(readFileSync(path.join(out, 'a', 'synthetic', 'notes.txt'), 'utf8')).toBe('keep me');
    expect(existsSync(path.join(out, 'a', 'testset-held'))).toBe(false);
    const forced = await synx(tmp, 'export', 'exp.synexp', '--experiment', 'a', '--out', 'mine', '--force');
    expect(forced.code).toBe(0);
    expect(existsSync(path.join(out, 'a', 'synthetic', 'notes.txt'))).toBe(false);
    expect(readdirSync(path.join(out, 'a', 'synthetic', 'img'))).toHaveLength(3);
  });

  it('tells the user to run the file first when a set is not computed', async () => {
    const r = await synx(tmp, 'export', 'exp.synexp', '--experiment', 'b', '--out', 'b-out');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const ids = plan.nodes.filter((n) => n.kind === 'render' && n.experiments.some((e) => e.startsWith('b'))).map((n) => n.id);
    expect(ids).toHaveLength(2);
    expect(r.stderr).toBe(
      [
        'synx export: 2 render shard(s) of exp.synexp are not in the cache:',
        `  render synthetic ids 0-1 x 2 (${ids[0]}) of b[seed=5]: not computed yet`,
        `  render synthetic ids 0-1 x 2 (${ids[1]}) of b[seed=6]: not computed yet`,
        'hint: `synx run exp.synexp` computes them; then export again',
        '',
      ].join('\n'),
    );
    expect(existsSync(path.join(tmp, 'b-out'))).toBe(false);
  });

  it('rejects an unknown experiment, format or target with exit code 2', async () => {
    const unknown = await synx(tmp, 'export', 'exp.synexp', '--experiment', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("exp.synexp has no experiment 'nope' (experiments: a, b[seed=5], b[seed=6])");
    const format = await synx(tmp, 'export', 'exp.synexp', '--format', 'tfrecord');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("--format must be reference, not 'tfrecord'");
    const target = await synx(tmp, 'export', 'no-such-run');
    expect(target.code).toBe(2);
    expect(target.stderr).toContain("'no-such-run' is neither a file nor a run");
  });

  it('exports the file of a run id, as it ran', async () => {
    // runPlan above wrote a run record; `latest` names it.
    const r = await synx(tmp, 'export', 'latest', '--experiment', 'a', '--out', 'from-run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^export of exp\.synexp \(run \d{8}-\d{6}-[0-9a-f]{4}\) in the reference layout:\n/);
    expect(readdirSync(path.join(tmp, 'from-run', 'a')).sort()).toEqual(['synthetic', 'testset-held']);
  });
});

describe('a file of test sets alone', () => {
  it('renders them with `synx run`, and `synx export` and `synx preview` find them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-testset-only-'));
    try {
      writeFileSync(path.join(dir, 'synx.yaml'), 'threads: 1\n');
      writeFileSync(path.join(dir, 'sets.synexp'), 'testset heldout {\n  sample 2 ids x 2 imgs\n  image 32px\n}\n');
      const run = await synx(dir, 'run', 'sets.synexp');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/\[1\/1\] ok +render render synthetic ids \d+-\d+ x 2/);
      const ex = await synx(dir, 'export', 'sets.synexp', '--out', 'ex');
      expect(ex.code).toBe(0);
      const img = path.join(dir, 'ex', 'heldout', 'synthetic', 'img');
      const ids = readdirSync(img);
      expect(ids).toHaveLength(2);
      for (const id of ids) expect(readdirSync(path.join(img, id))).toHaveLength(2);
      const pv = await synx(dir, 'preview', 'sets.synexp', '--out', 'p.png');
      expect(pv.code).toBe(0);
      expect(existsSync(path.join(dir, 'p.png'))).toBe(true);
      // The defaults (4 x 6) never show faces beyond the render's 2 identities x 2 images.
      expect(pv.stdout).toMatch(/^wrote p\.png: 2 identities × 2 samples of render /);
      expect(pv.stderr).toBe('');
      const width = (f: string) => readFileSync(path.join(dir, f)).readUInt32BE(16);
      const wide = await synx(dir, 'preview', 'sets.synexp', '--out', 'q.png', '--ids', '5', '--samples', '1');
      expect(wide.code).toBe(0);
      expect(wide.stderr).toMatch(/^note: render synthetic ids \d+-\d+ x 2 has 2 identities x 2 images; showing 2 x 1\n$/);
      expect(wide.stdout).toMatch(/: 2 identities × 1 samples of /);
      expect(width('q.png')).toBeLessThan(width('p.png'));
      // An --out that cannot be a folder fails before any work, saying why.
      const blocked = await synx(dir, 'export', 'sets.synexp', '--out', 'sets.synexp/out');
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toBe(`synx export: cannot create sets.synexp/out: ${path.join(dir, 'sets.synexp')} is a file, not a folder\n`);
      const sheet = await synx(dir, 'preview', 'sets.synexp', '--out', 'sets.synexp/p.png');
      expect(sheet.code).toBe(1);
      expect(sheet.stderr).toBe(`synx preview: cannot create sets.synexp: ${path.join(dir, 'sets.synexp')} is a file, not a folder\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
