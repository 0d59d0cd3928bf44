// temporary diagnostic (helper f); deleted after use
import path from 'node:path';
import { compileText } from './src/plan/index.js';
import { loadConfig } from './src/config/index.js';
import { renderKind } from './src/render/index.js';
import { ImageSet, runTraining, Embedder, useBackend, readModel, cosineRows } from './src/train/index.js';
import { syntheticPairs, verificationMetrics } from './src/eval/index.js';
import { fakeContext, testConfig, tmpDir } from './test/data/fixtures.js';
import type { RenderParams, TrainParams } from './src/plan/index.js';

const [trainYaw = 'mix(0.6 U(-90, 90), 0.2 N(0, 2), 0.2 0)', testYaw = 'U(-90, 90)', bg = 'texture', extra = '', ids = '100', imgs = '12', epochs = '4', lr = '0.001', loss = 'triplet', shape = ''] = process.argv.slice(2);
const text = `seed 1988
image 64px
experiment q {
  sample ${ids} ids x ${imgs} imgs
  yaw ~ ${trainYaw}
  pitch ~ N(0, 10)
  illumination ~ prior
  background ~ ${bg}
  ${shape}
  pretrain with small, ${loss}, epochs ${epochs}, batch 64, lr ${lr}
  eval heldout
}
testset heldout {
  sample 40 ids x 13 imgs
  image 64px
  yaw ~ ${testYaw}
  pitch ~ 0
  illumination ~ prior
  background ~ ${bg}
  ${shape}
}
`;
const { config } = loadConfig('/nonexistent-synx', {});
const r = compileText(text, 'x.synexp', config, { cwd: '/tmp' });
if (!r.plan) { console.error(r.diagnostics); process.exit(1); }
const renders = r.plan.nodes.filter((n) => n.kind === 'render');
const trainNode = r.plan.nodes.find((n) => n.kind === 'train')!;
const cfg = testConfig(tmpDir(), {}, { threads: 2 });
const dirs: Record<string, string> = {};
const t0 = performance.now();
for (const n of renders) {
  const ctx = fakeContext('render', n.params as unknown as RenderParams, cfg);
  await renderKind.run(ctx as never);
  dirs[n.id] = ctx.outDir;
}
console.log('render s', ((performance.now() - t0) / 1000).toFixed(1));
await useBackend('wasm');
const inp = (dir: string, role: 'data' | 'test') => ({ role, id: path.basename(dir), kind: 'render' as const, fingerprint: '', params: null, dir });
const trainDir = dirs[trainNode.inputs.find((i) => i.role === 'data')!.id]!;
const testDir = Object.values(dirs).find((d) => d !== trainDir)!;
const trainSet = await ImageSet.fromInputs([inp(trainDir, 'data')], 'data');
const testSet = await ImageSet.fromInputs([inp(testDir, 'test')], 'test');

function auc(set: ImageSet, feats: Float32Array, d: number) {
  const pairs = syntheticPairs(set, 5).map((q) => ({ same: q.same, score: cosineRows(feats, q.a, feats, q.b, d) }));
  const v = verificationMetrics(pairs);
  return `acc ${v.accuracy.toFixed(3)} auc ${v.auc.toFixed(3)}`;
}
async function raw(set: ImageSet) {
  const all = set.samples.map((_, i) => i);
  const x = await set.images(all, 64);
  const d = 64 * 64 * 3;
  const f = new Float32Array(all.length * d);
  for (let i = 0; i < all.length; i++) { let m = 0; for (let k = 0; k < d; k++) m += x[i * d + k]!; m /= d; for (let k = 0; k < d; k++) f[i * d + k] = x[i * d + k]! - m; }
  return auc(set, f, d);
}
console.log('raw test', await raw(testSet), 'raw train', await raw(trainSet));
const p = trainNode.params as unknown as TrainParams;
const out = tmpDir();
const t1 = performance.now();
const { history } = await runTraining({ params: p, set: trainSet, train: trainSet.samples.map((_, i) => i), scratchDir: tmpDir(), outDir: out, backend: 'wasm', threads: 2, log: (m) => console.log(m) });
console.log('train s', ((performance.now() - t1) / 1000).toFixed(1), history.map((h) => h.loss.toFixed(3)).join(' '));
const { def, weights } = readModel(out);
const em = new Embedder(def, weights);
async function embedAll(set: ImageSet) {
  const all = set.samples.map((_, i) => i);
  const f = new Float32Array(all.length * def.embedding);
  for (let i = 0; i < all.length; i += 64) { const part = all.slice(i, i + 64); f.set(em.embed(await set.images(part, 64), part.length), i * def.embedding); }
  return f;
}
console.log('net test', auc(testSet, await embedAll(testSet), def.embedding), 'net train', auc(trainSet, await embedAll(trainSet), def.embedding));
