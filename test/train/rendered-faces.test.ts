import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { NodeInput } from '../../src/node/index.js';
import { syntheticPairs, verificationMetrics } from '../../src/eval/index.js';
import { compileText, type PlanNode, type RenderParams, type TrainParams } from '../../src/plan/index.js';
import { renderKind } from '../../src/render/index.js';
import { cosineRows, Embedder, ImageSet, initWeights, neckFor, networkDef, readModel, runTraining, useBackend, type Weights } from '../../src/train/index.js';
import { fakeContext, testConfig, tmpDir, fakeInput } from '../data/fixtures.js';

// End to end on real rendered faces: the built-in morphable model rendered by the render kind, a
// small network trained briefly with triplet loss, verification on identities it never saw. The
// numbers are compared with the same network before training (the chance-level reference of this
// test set), not with themselves.
const SOURCE = `
seed 11
image 32px

experiment tiny {
  sample 48 ids x 8 imgs
  yaw ~ U(-20, 20)
  pitch ~ N(0, 5)
  shape ~ N(0, 2.5)
  color ~ N(0, 2.5)
  illumination ~ prior
  background ~ plain
  pretrain with small, triplet, epochs 10, batch 32, lr 0.003, schedule cosine, embedding 32
  eval heldout
}

testset heldout {
  seed 12
  sample 24 ids x 6 imgs
  image 32px
  yaw ~ U(-20, 20)
  pitch ~ 0
  shape ~ N(0, 2.5)
  color ~ N(0, 2.5)
  illumination ~ prior
  background ~ plain
}
`;

const input = (dir: string, role: NodeInput['role']) => fakeInput(dir, role);

let trainSet: ImageSet;
let testSet: ImageSet;
let trainParams: TrainParams;

beforeAll(async () => {
  const { config } = loadConfig('/nonexistent-synx-test-root', {});
  const { plan, diagnostics } = compileText(SOURCE, 'tiny.synexp', config, { cwd: tmpDir() });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const train = plan!.nodes.find((n) => n.kind === 'train')!;
  trainParams = train.params as unknown as TrainParams;
  const dataId = train.inputs.find((i) => i.role === 'data')!.id;
  const renderOf = async (n: PlanNode) => {
    const ctx = fakeContext('render', n.params as unknown as RenderParams, testConfig(tmpDir()));
    await renderKind.run(ctx as never);
    return ctx.outDir;
  };
  const renders = plan!.nodes.filter((n) => n.kind === 'render');
  expect(renders).toHaveLength(2);
  const testNode = renders.find((n) => n.id !== dataId)!;
  await useBackend('wasm');
  trainSet = await ImageSet.fromInputs([input(await renderOf(renders.find((n) => n.id === dataId)!), 'data')], 'data');
  testSet = await ImageSet.fromInputs([input(await renderOf(testNode), 'test')], 'test');
}, 60_000);

/** Held-out verification of a network's weights on the synthetic protocol's seeded pairs. */
async function heldOut(weights: Weights) {
  const def = networkDef(trainParams.network, trainParams.input, trainParams.embedding, neckFor(trainParams.loss));
  const em = new Embedder(def, weights);
  try {
    const all = testSet.samples.map((_, i) => i);
    const e = await em.embed(await testSet.images(all, def.input), all.length);
    const pairs = syntheticPairs(testSet, 1).map((q) => ({ same: q.same, score: cosineRows(e, q.a, e, q.b, def.embedding) }));
    return verificationMetrics(pairs);
  } finally {
    em.dispose();
  }
}

describe('training on rendered faces', () => {
  it('beats chance clearly on held-out identities after a short run', async () => {
    expect(trainSet.classes).toBe(48);
    expect(testSet.classes).toBe(24);
    const out = tmpDir();
    const { history } = await runTraining({
      params: trainParams,
      set: trainSet,
      train: trainSet.samples.map((_, i) => i),
      scratchDir: tmpDir(),
      outDir: out,
      backend: 'wasm',
      threads: 1,
    });
    const before = await heldOut(initWeights(networkDef(trainParams.network, trainParams.input, trainParams.embedding, neckFor(trainParams.loss)), trainParams.seed));
    const after = await heldOut(readModel(out).weights);
    // It learns on the training set: the mean triplet loss falls.
    expect(history.at(-1)!.loss).toBeLessThan(history[0]!.loss);
    // ... and it generalises to identities it never saw.
    expect(after.auc).toBeGreaterThan(0.7);
    expect(after.auc).toBeGreaterThan(before.auc + 0.1);
    expect(after.accuracy).toBeGreaterThan(0.62);
    // 10 epochs, not 6: with render kind 5's model (builtin:3) 6 epochs gave AUC 0.694 from an
    // untrained 0.610 (accuracy 0.624), too near these bounds for a test that must say something
    // either way; 10 epochs give 0.792 (accuracy 0.724). 146 s of CPU and 138 s of wall time on
    // the idle 2-core machine (2026-12-07); 6 epochs took 282 s of wall time at load average 15
    // and 914 s at 20 (so about 1,500 s now): the bound is for a machine busy with other work, not a
    // speed check.
  }, 2_700_000);
});
