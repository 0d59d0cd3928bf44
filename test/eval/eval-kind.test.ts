import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeInput } from '../../src/node/index.js';
import type { EvalParams, TrainParams } from '../../src/plan/index.js';
import { dataKind } from '../../src/data/index.js';
import { evalKind, verificationMetrics, type EvalResults } from '../../src/eval/index.js';
import { trainKind, useBackend } from '../../src/train/index.js';
import { fakeContext, testConfig, tmpDir, writePng, fakeInput } from '../data/fixtures.js';
import { proceduralImage, writeProceduralShard } from '../train/procedural.js';

const input = fakeInput;

const train: TrainParams = {
  role: 'pretrain',
  network: 'small',
  loss: 'triplet',
  epochs: 4,
  batch: 32,
  lr: 0.003,
  optimizer: 'adam',
  input: 32,
  embedding: 32,
  margin: 0.2,
  seed: 5,
  images: null,
};

let model: string;
let untrained: string;
let testShard: string;
const root = tmpDir();
beforeAll(async () => {
  await useBackend('wasm');
  const trainShard = await writeProceduralShard(path.join(root, 'train'), { firstId: 0, ids: 32, imgsPerId: 8, size: 32 });
  // Held-out identities: never seen in training.
  testShard = await writeProceduralShard(path.join(root, 'test'), { firstId: 1000, ids: 16, imgsPerId: 8, size: 32 });
  const ctx = fakeContext('train', train, testConfig(root), [input(trainShard, 'data', 'render')]);
  await trainKind.run(ctx);
  model = ctx.outDir;
  const init = fakeContext('train', { ...train, epochs: 0 }, testConfig(root), [input(trainShard, 'data', 'render')]);
  await trainKind.run(init);
  untrained = init.outDir;
  // Two trainings: about 60 s at load average 20 on 2 cores, which 120 s did not always cover.
}, 300_000);

const evalParams = (protocol: EvalParams['protocol']): EvalParams => ({ dataset: 'test', protocol, flip: false, seed: 1 });

describe('eval node kind', () => {
  it('a tiny training run beats chance clearly on held-out identities (synthetic protocol)', async () => {
    const run = async (m: string) => {
      const ctx = fakeContext('eval', evalParams('synthetic'), testConfig(root), [input(m, 'model', 'train'), input(testShard, 'test', 'render')]);
      await evalKind.run(ctx);
      return JSON.parse(readFileSync(path.join(ctx.outDir, 'results.json'), 'utf8')) as EvalResults;
    };
    const r = await run(model);
    const before = await run(untrained);
    expect(r.protocol).toBe('synthetic');
    const v = r.verification!;
    // 16 identities × C(8,2) = 448 genuine pairs, as many impostors; chance is 0.5.
    expect(v.pairs).toBe(896);
    expect(v.accuracy).toBeGreaterThan(0.8);
    expect(v.auc).toBeGreaterThan(0.9);
    // The images vary in colour and brightness per image, so the untrained network is near
    // chance (≈0.63 here) and what the trained one gains is learned.
    expect(v.accuracy - before.verification!.accuracy).toBeGreaterThan(0.12);
    // Rank-1 over 16 gallery identities: chance 1/16.
    expect(r.identification!.rank1).toBeGreaterThan(0.65);
    expect(r.identification!.byPose.map((b) => b.yaw)).toEqual([-60, -30, -15, 15, 30, 45, 60]);
    expect(r.roc!.length).toBeLessThanOrEqual(200);
  });

  it('a diverged model (NaN weights) is a NodeFailure naming the cause, not a hang or NaN metrics', async () => {
    const nanModel = path.join(root, 'nan-model');
    cpSync(model, nanModel, { recursive: true });
    const w = readFileSync(path.join(nanModel, 'weights.bin'));
    new Float32Array(w.buffer, w.byteOffset, w.byteLength / 4).fill(NaN);
    writeFileSync(path.join(nanModel, 'weights.bin'), w);
    const ctx = fakeContext('eval', evalParams('synthetic'), testConfig(root), [input(nanModel, 'model', 'train'), input(testShard, 'test', 'render')]);
    await expect(evalKind.run(ctx)).rejects.toThrow(/embeds image \d+ of its test set to NaN \(the weights of nan-model are not finite\)/);
    // The metrics themselves refuse NaN scores instead of looping on them.
    expect(() => verificationMetrics([{ same: true, score: NaN }, { same: false, score: 0.1 }])).toThrow(RangeError);
  });

  it('LFW protocol from a data node: folds from pairs.txt, flip option', async () => {
    const lfw = tmpDir();
    const names = ['Ann', 'Bo', 'Cy', 'Di', 'Ed'];
    names.forEach((n, id) => {
      for (let s = 1; s <= 4; s++) writePng(path.join(lfw, n, `${n}_${String(s).padStart(4, '0')}.jpg`), 32, 32, proceduralImage(2000 + id, s, 32));
    });
    const lines = ['2 5'];
    for (let f = 0; f < 2; f++) {
      for (let i = 0; i < 5; i++) lines.push(`${names[i]} ${1 + f} ${3 + f}`);
      for (let i = 0; i < 5; i++) lines.push(`${names[i]} ${1 + f} ${names[(i + 1) % 5]} ${2 + f}`);
    }
    // pngs named .jpg: decoding goes by content.
    writeFileSync(path.join(lfw, 'pairs.txt'), lines.join('\n'));
    const config = testConfig(root, { lfw: { format: 'lfw', path: lfw } });
    const data = fakeContext('data', { dataset: 'lfw', format: 'lfw', path: lfw, fraction: 1, seed: 1 } as const, config);
    await dataKind.run(data);
    const ctx = fakeContext('eval', { ...evalParams('lfw'), dataset: 'lfw', flip: true }, config, [input(model, 'model', 'train'), input(data.outDir, 'test', 'data')]);
    await evalKind.run(ctx);
    const r = JSON.parse(readFileSync(path.join(ctx.outDir, 'results.json'), 'utf8')) as EvalResults;
    expect(r.verification!.pairs).toBe(20);
    expect(r.verification!.accuracy).toBeGreaterThan(0.5);
    expect(Object.keys(r.verification!.tar_at_far)).toEqual(['1e-1', '1e-2', '1e-3']);
    expect(r.identification).toBeUndefined();
  });

  it('Multi-PIE protocol: rank-1 by pose from a data node', async () => {
    const mp = tmpDir();
    const rows = ['image,identity,yaw'];
    for (let id = 0; id < 6; id++) {
      for (const [s, yaw] of [0, 15, -15, 30].entries()) {
        writePng(path.join(mp, `${id}`, `${s}.png`), 32, 32, proceduralImage(3000 + id, s, 32));
        rows.push(`${id}/${s}.png,${id},${yaw}`);
      }
    }
    writeFileSync(path.join(mp, 'meta.csv'), rows.join('\n'));
    const config = testConfig(root, { mp: { format: 'multipie', path: mp, metadata: path.join(mp, 'meta.csv') } });
    const data = fakeContext('data', { dataset: 'mp', format: 'multipie', path: mp, fraction: 1, seed: 1 } as const, config);
    await dataKind.run(data);
    const ctx = fakeContext('eval', { ...evalParams('multipie'), dataset: 'mp' }, config, [input(model, 'model', 'train'), input(data.outDir, 'test', 'data')]);
    await evalKind.run(ctx);
    const r = JSON.parse(readFileSync(path.join(ctx.outDir, 'results.json'), 'utf8')) as EvalResults;
    expect(r.identification!.byPose).toHaveLength(3);
    expect(r.identification!.byPose.map((b) => [b.yaw, b.probes])).toEqual([
      [-15, 6],
      [15, 6],
      [30, 6],
    ]);
    expect(r.identification!.rank1).toBeGreaterThan(1 / 6);
  });

  it('IJB-A protocol: template features, TAR@FAR as mean ± std over splits', async () => {
    const ij = tmpDir();
    const t = ['TEMPLATE_ID,SUBJECT_ID,FILE'];
    const c = ['template1,template2,split'];
    for (let id = 0; id < 6; id++) {
      for (let s = 0; s < 4; s++) writePng(path.join(ij, `${id}_${s}.png`), 32, 32, proceduralImage(4000 + id, s, 32));
      t.push(`${id}a,${id},${id}_0.png`, `${id}a,${id},${id}_1.png`, `${id}b,${id},${id}_2.png`, `${id}b,${id},${id}_3.png`);
    }
    for (const split of [1, 2]) {
      for (let id = 0; id < 6; id++) {
        c.push(`${id}a,${id}b,${split}`);
        c.push(`${id}a,${(id + split) % 6}b,${split}`);
      }
    }
    writeFileSync(path.join(ij, 'templates.csv'), t.join('\n'));
    writeFileSync(path.join(ij, 'comparisons.csv'), c.join('\n'));
    const config = testConfig(root, { ij: { format: 'ijba', path: ij, metadata: path.join(ij, 'templates.csv'), pairs: path.join(ij, 'comparisons.csv') } });
    const data = fakeContext('data', { dataset: 'ij', format: 'ijba', path: ij, fraction: 1, seed: 1 } as const, config);
    await dataKind.run(data);
    const ctx = fakeContext('eval', { ...evalParams('ijba'), dataset: 'ij' }, config, [input(model, 'model', 'train'), input(data.outDir, 'test', 'data')]);
    await evalKind.run(ctx);
    const r = JSON.parse(readFileSync(path.join(ctx.outDir, 'results.json'), 'utf8')) as EvalResults;
    expect(r.verification!.pairs).toBe(24);
    expect(Object.keys(r.verification!.tar_at_far_std!)).toEqual(['1e-1', '1e-2', '1e-3']);
    expect(r.verification!.auc).toBeGreaterThan(0.5);
  });
});
