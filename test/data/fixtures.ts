// Shared test helpers for data/train/eval: a fake NodeContext and tiny image files.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { DatasetConfig, ProjectConfig } from '../../src/config/index.js';
import { NodeFailure, type NodeContext, type NodeInput, type Progress } from '../../src/node/index.js';
import type { InputRole, NodeKindName, PlanNode } from '../../src/plan/index.js';

export function tmpDir(prefix = 'synx-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(root: string, datasets: Record<string, DatasetConfig> = {}, extra: Partial<ProjectConfig> = {}): ProjectConfig {
  return {
    root,
    cache: path.join(root, '.synx/cache'),
    runs: path.join(root, '.synx/runs'),
    datasets,
    backend: 'wasm',
    jobs: 1,
    cpus: 2,
    gpus: 0,
    threads: 1,
    executor: 'local',
    slurm: {},
    ...extra,
  };
}

/**
 * A finished input for a kind under test, read from `dir`. Training and ImageSet read their
 * inputs from the folders, not the params, so these inputs have none (null behind the type): a
 * kind that starts reading an input's params fails its tests at once rather than reading values
 * made up here. Tests of what a kind reads from params build their NodeInput with real ones.
 */
export function fakeInput(dir: string, role: InputRole = 'data', kind: NodeKindName = 'render'): NodeInput {
  return { role, id: path.basename(dir), kind, fingerprint: '', params: null, dir } as unknown as NodeInput;
}

/**
 * A NodeContext that records logs and progress. Its node is a stand-in (the kinds read only its
 * id, label and kind), so tests may give params of any shape: it is typed as a PlanNode by a cast.
 */
export function fakeContext<P>(
  kind: PlanNode['kind'],
  params: P,
  config: ProjectConfig,
  inputs: NodeInput[] = [],
  dirs?: { outDir?: string; scratchDir?: string; signal?: AbortSignal },
): NodeContext<P> & { logs: string[]; progresses: Progress[] } {
  const logs: string[] = [];
  const progresses: Progress[] = [];
  const outDir = dirs?.outDir ?? tmpDir('synx-out-');
  const scratchDir = dirs?.scratchDir ?? tmpDir('synx-scratch-');
  mkdirSync(outDir, { recursive: true });
  mkdirSync(scratchDir, { recursive: true });
  return {
    node: { id: `${kind}-test`, kind, label: kind, fingerprint: 'f'.repeat(64) as PlanNode['fingerprint'], deps: inputs.map((i) => i.id), inputs: inputs.map((i) => ({ role: i.role, id: i.id })), params, experiments: ['t'] } as unknown as PlanNode,
    params,
    inputs,
    outDir,
    scratchDir,
    config,
    signal: dirs?.signal ?? new AbortController().signal,
    progress: (p) => progresses.push(p),
    log: (m) => logs.push(m),
    logs,
    progresses,
  };
}

/** A w × h RGB image filled by `f(x, y) → [r, g, b]`. */
export function rgb(w: number, h: number, f: (x: number, y: number) => [number, number, number]): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(f(x, y), (y * w + x) * 3);
  return out;
}

function rgba(w: number, h: number, data: Uint8Array): Buffer {
  const out = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    out[i * 4] = data[i * 3]!;
    out[i * 4 + 1] = data[i * 3 + 1]!;
    out[i * 4 + 2] = data[i * 3 + 2]!;
    out[i * 4 + 3] = 255;
  }
  return out;
}

export function writePng(file: string, w: number, h: number, data: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const png = new PNG({ width: w, height: h });
  rgba(w, h, data).copy(png.data);
  writeFileSync(file, PNG.sync.write(png));
}

export function writeJpeg(file: string, w: number, h: number, data: Uint8Array, quality = 95): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, jpeg.encode({ width: w, height: h, data: rgba(w, h, data) }, quality).data);
}

/** The NodeFailure `p` rejects with; anything else (or no rejection) fails the test. */
export async function failure(p: Promise<unknown>): Promise<NodeFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NodeFailure) return e;
    throw e;
  }
  throw new Error('expected a NodeFailure');
}
