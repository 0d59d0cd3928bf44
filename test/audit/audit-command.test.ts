import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { readShardLabels, ShardReader } from '../../src/dataset/index.js';
import { openCache, runPlan } from '../../src/exec/index.js';
import { descriptorCosine, descriptorDistance, detectFaces } from '../../src/faceapi/index.js';
import { compileFile } from '../../src/plan/index.js';
import { FaceRenderer, prepareRender, renderKind, skinToneOf } from '../../src/render/index.js';
import { synx } from '../cli/cli-io.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-audit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

writeFileSync(
  path.join(tmp, 'exp.synexp'),
  `image 112px

experiment a {
  sample 2 ids x 3 imgs
  yaw ~ U(-40, 40)
  pitch ~ 0
  illumination ~ frontal
}
`,
);

/** AUC by counting every genuine-impostor pair (ties a half). */
function bruteAuc(g: readonly number[], i: readonly number[]): number {
  let s = 0;
  for (const a of g) for (const b of i) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (g.length * i.length);
}

describe('synx audit', () => {
  it('audits a render before and after `synx run` computed it, with the same numbers, checked independently', async () => {
    const before = await synx(tmp, 'audit', 'exp.synexp', '--out', 'out1');
    expect(before.stderr).toBe('');
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^render .*112 px, rendered now \(not in the cache\)\):\n {2}6 images of 2 identities/);
    expect(before.stdout).toMatch(/detection by \|yaw\|: 0-15° /);
    // pitch ~ 0: every image is in the first |pitch| bucket, and the others are empty.
    expect(before.stdout).toMatch(/detection by \|pitch\|: 0-15° \d+% \(\d\/6\), 15-30° – \(0\/0\), 30-45° – \(0\/0\), 45-90° – \(0\/0\)/);

    const { config } = loadConfig(tmp, {});
    const plan = (await compileFile('exp.synexp', config, { cwd: tmp })).plan!;
    const opened = openCache(config.cache);
    if (!opened.ok) throw new Error('no cache');
    const r = await runPlan(plan, new Map([['render', renderKind]]), { config: { ...config, threads: 1 }, cache: opened.cache });
    expect(r.summary.status).toBe('ok');
    const after = await synx(tmp, 'audit', 'exp.synexp', '--out', 'out2');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/112 px, cache\):/);

    const files = readdirSync(path.join(tmp, 'out2')).sort();
    expect(files.filter((f) => f.endsWith('.svg'))).toHaveLength(3);
    const json = files.find((f) => f.endsWith('.json'))!;
    const a = JSON.parse(readFileSync(path.join(tmp, 'out1', json), 'utf8'));
    const b = JSON.parse(readFileSync(path.join(tmp, 'out2', json), 'utf8'));
    expect(b).toEqual(a);

    // Independently, from the cached shard: detect each image, then count pairs by hand.
    const node = plan.nodes.find((n) => n.kind === 'render')!;
    const dir = opened.cache.outDir(node.fingerprint);
    const reader = new ShardReader(dir);
    const labels = await readShardLabels(dir);
    const found: { d: Float32Array; id: number; yaw: number }[] = [];
    const perBucket: Record<string, number> = { '0-15': 0, '15-45': 0, '45-90': 0 };
    for (const [i, l] of labels.entries()) {
      const [f] = await detectFaces({ data: await reader.readImage(i), width: 112, height: 112 });
      if (!f) continue;
      found.push({ d: f.descriptor!, id: l.id, yaw: l.yaw });
      perBucket[Math.abs(l.yaw) < 15 ? '0-15' : Math.abs(l.yaw) < 45 ? '15-45' : '45-90']!++;
    }
    for (const k of Object.keys(perBucket)) expect(b.detection[k].detected).toBe(perBucket[k]);
    expect(b.detectionByPitch['0-15']).toMatchObject({ images: labels.length, detected: found.length });
    const g: number[] = [];
    const im: number[] = [];
    let impUnder = 0;
    for (let i = 0; i < found.length; i++) {
      for (let j = i + 1; j < found.length; j++) {
        const same = found[i]!.id === found[j]!.id;
        (same ? g : im).push(descriptorCosine(found[i]!.d, found[j]!.d));
        if (!same && descriptorDistance(found[i]!.d, found[j]!.d) < 0.6) impUnder++;
      }
    }
    expect(b.all.genuinePairs).toBe(g.length);
    expect(b.all.impostorPairs).toBe(im.length);
    if (g.length > 0 && im.length > 0) {
      expect(b.all.auc).toBeCloseTo(bruteAuc(g, im), 12);
      expect(b.all.impostorUnderThreshold).toBeCloseTo(impUnder / im.length, 12);
    }
  }, 240_000);

  it('adds the audit to `synx report --audit` (same lines as `synx audit`, plots beside it)', async () => {
    const audit = await synx(tmp, 'audit', 'exp.synexp', '--out', 'out3');
    const r = await synx(tmp, 'report', 'exp.synexp', '--audit', '--no-samples');
    expect(r.code).toBe(0);
    const md = readFileSync(path.join(tmp, 'reports', 'exp', 'report.md'), 'utf8');
    expect(md).toContain('## Realism audit (face-api)');
    const lines = audit.stdout.split('\n').filter((l) => l.startsWith('  ') && !l.includes('wrote '));
    // Summary, detection by |yaw| and by |pitch|, landmark error, two pair lines, the real-people
    // reference, consistency.
    expect(lines.length).toBe(8);
    expect(lines).toContain("  for reference, different real people: 8% of 231 pairs under 0.6 (the 22 women of face-api's 6 demo photos)");
    for (const l of lines) expect(md).toContain(`- ${l.trim()}`);
    expect(readdirSync(path.join(tmp, 'reports', 'exp', 'plots')).filter((f) => f.startsWith('audit-1-'))).toHaveLength(3);
    expect(readFileSync(path.join(tmp, 'reports', 'exp', 'report.html'), 'utf8')).toContain('<h2>Realism audit (face-api)</h2>');
  }, 240_000);

  it('splits near-frontal pairs by skin-tone third for a model with a skin-tone component, thirds checked against the draws', async () => {
    writeFileSync(
      path.join(tmp, 'tones.synexp'),
      `image 112px

experiment t {
  sample 6 ids x 1 imgs
  yaw ~ 0
  pitch ~ 0
  illumination ~ frontal
}
`,
    );
    const r = await synx(tmp, 'audit', 'tones.synexp', '--out', 'out-tones');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/near-frontal pairs by skin-tone third \(identities ranked by their skin-tone draw\), different identities under 0\.6: light \d+% of 1 \(2 ids\), mid \d+% of 1 \(2 ids\), dark \d+% of 1 \(2 ids\)/);
    const { config } = loadConfig(tmp, {});
    const plan = (await compileFile('tones.synexp', config, { cwd: tmp })).plan!;
    const node = plan.nodes.find((n) => n.kind === 'render')!;
    const json = readdirSync(path.join(tmp, 'out-tones')).find((f) => f.endsWith('.json'))!;
    const a = JSON.parse(readFileSync(path.join(tmp, 'out-tones', json), 'utf8'));
    // Independently: rank the six identities by their draws, then score each third's one pair.
    if (node.kind !== 'render') throw new Error('not a render node');
    const setup = await prepareRender(node.params, undefined, 1);
    const ids = [0, 1, 2, 3, 4, 5].sort((x, y) => skinToneOf(setup, x)! - skinToneOf(setup, y)!);
    const renderer = new FaceRenderer(setup);
    const descriptors: Float32Array[] = [];
    for (const id of ids) descriptors.push((await detectFaces({ data: renderer.render(id, 0).rgb, width: 112, height: 112 }))[0]!.descriptor!);
    for (let k = 0; k < 3; k++) {
      const d = descriptorDistance(descriptors[2 * k]!, descriptors[2 * k + 1]!);
      expect(a.bySkinTone[k]).toMatchObject({ third: ['light', 'mid', 'dark'][k], identities: 2, nearFrontal: { impostorPairs: 1, impostorUnderThreshold: d < 0.6 ? 1 : 0 } });
    }
    // From the cache after `synx run`, the tones come from the shard's identities: the same thirds.
    const opened = openCache(config.cache);
    if (!opened.ok) throw new Error('no cache');
    expect((await runPlan(plan, new Map([['render', renderKind]]), { config: { ...config, threads: 1 }, cache: opened.cache })).summary.status).toBe('ok');
    const cached = await synx(tmp, 'audit', 'tones.synexp', '--out', 'out-tones-cached');
    expect(cached.stdout).toMatch(/112 px, cache\):/);
    expect(JSON.parse(readFileSync(path.join(tmp, 'out-tones-cached', json), 'utf8')).bySkinTone).toEqual(a.bySkinTone);
  }, 240_000);

  it('names a bad option', async () => {
    const r = await synx(tmp, 'audit', 'exp.synexp', '--detector', 'yolo');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--detector must be ssd or tiny, not 'yolo'/);
  });
});
