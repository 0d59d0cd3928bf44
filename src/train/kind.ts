import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { NodeFailure, type NodeKind } from '../node/index.js';
import { KIND_VERSIONS, type TrainParams } from '../plan/index.js';
import { seededRng } from '../rng/index.js';
import { NetworkError, readFaceApiRecogniserWeights } from '../networks/index.js';
import { useBackend } from './backend.js';
import { runTraining } from './loop.js';
import { GPU_BACKENDS } from './parallel.js';
import { readModel } from './model-io.js';
import { neckFor } from './networks.js';
import { ImageSet, type ImageSetOptions } from './samples.js';
import type { ProjectConfig } from '../config/index.js';

/** The training images' cache budget from synx.yaml's `imageCache` (absent: the default). */
export function imageSetOptions(config: Pick<ProjectConfig, 'imageCache'>): ImageSetOptions {
  return config.imageCache !== undefined ? { cacheBytes: config.imageCache } : {};
}

/** Whether a backend name runs on a GPU (for the scheduler's slots; one training thread). */
function usesGpu(backend: string): boolean {
  return GPU_BACKENDS.has(backend);
}

/**
 * The `train` node kind: pretrain/train on its `data` inputs (render shards, data nodes), or
 * finetune from its `init` input's model. Writes model.json, weights.bin, history.json and
 * train.json into outDir; checkpoints each epoch into scratchDir and resumes from the last one.
 */
export const trainKind: NodeKind<TrainParams> = {
  kind: 'train',
  version: KIND_VERSIONS.train,
  resources: (_p, config) => ({
    cpu: usesGpu(config.backend) ? 1 : Math.max(1, config.threads),
    gpu: usesGpu(config.backend) ? 1 : 0,
    memoryMb: 2048,
  }),
  async run(ctx) {
    const p = ctx.params;
    const backend = await useBackend(ctx.config.backend);
    const set = await ImageSet.fromInputs(ctx.inputs, 'data', imageSetOptions(ctx.config));
    if (set.samples.length === 0) throw new NodeFailure(`train node ${ctx.node.label}: its data inputs hold no images`, 'give it render shards or a data node', 'SX5005');
    let init;
    let neck;
    const from = p.role === 'finetune' ? ctx.inputs.find((i) => i.role === 'init') : undefined;
    if (p.role === 'finetune' && !from && !p.from) {
      throw new NodeFailure(`finetune ${ctx.node.label} has no pretrain model to start from`, 'a finetune needs an `init` input (the pretrain train node) or a pretrained network (network face-api)', 'SX5003');
    }
    if (from) {
      const m = readModel(from.dir);
      if (m.def.network !== p.network || m.def.input !== p.input || m.def.embedding !== p.embedding) {
        throw new NodeFailure(
          `finetune ${ctx.node.label}: the pretrain model is ${m.def.network} at ${m.def.input} px with ${m.def.embedding}-d embeddings, the finetune asks for ${p.network} at ${p.input} px, ${p.embedding}-d`,
          'use the same network, input and embedding in pretrain and finetune',
          'SX5003',
        );
      }
      init = m.weights;
      // A margin-loss finetune adds the batch-norm neck to a triplet pretrain (fresh: scale 1,
      // shift 0); a pretrain's neck is kept whatever the finetune's loss, as its weights were
      // trained through it.
      neck = m.def.neck === 'bn' ? 'bn' : neckFor(p.loss, p.network);
    } else if (p.from) {
      // network face-api: its published weights are the start (a pretrain before would have
      // given them through `init`).
      try {
        init = await readFaceApiRecogniserWeights(p.from);
      } catch (e) {
        if (e instanceof NetworkError) throw new NodeFailure(`${p.role} ${ctx.node.label}: ${e.message}`, e.hint, 'SX5003');
        throw e;
      }
    }
    let train = set.samples.map((_, i) => i);
    if (p.images !== null && p.images < train.length) {
      train = seededRng(p.seed, 0x1a6e).shuffle(train).slice(0, p.images).sort((a, b) => a - b);
    }
    const threads = usesGpu(backend) ? 1 : Math.max(1, ctx.config.threads);
    const { def } = await runTraining({
      params: p,
      set,
      train,
      ...(init ? { init } : {}),
      ...(neck ? { neck } : {}),
      scratchDir: ctx.scratchDir,
      outDir: ctx.outDir,
      backend,
      threads,
      signal: ctx.signal,
      progress: (x) => ctx.progress(x),
      log: (m) => ctx.log(m),
    });
    const info = { backend, threads, classes: set.classes, images: train.length, flops_per_image_forward: def.flopsPerImage };
    writeFileSync(path.join(ctx.outDir, 'train.json'), `${JSON.stringify(info, null, 1)}\n`);
  },
};
