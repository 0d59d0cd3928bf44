import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeFailure } from '../node/index.js';
import type { DataParams } from '../plan/index.js';
import { DecodeError, decodePool } from './decode-pool.js';
import type { Fit } from '../image/index.js';
import { seededRng } from '../rng/index.js';

/** The file a data node writes into its output folder. */
export const DATA_MANIFEST = 'manifest.json';

/**
 * What a data node chose: the images (paths relative to `root`, identity index), and for test
 * sets the protocol's comparisons. Train and eval nodes read only this, never the dataset
 * listing, so a cached data node pins the exact subset.
 */
export interface DataManifest {
  readonly format: 'synx-data';
  readonly version: 1;
  readonly dataset: string;
  readonly kind: DataParams['format'];
  /** Absolute folder the image paths are relative to (aligned: the file says the source images' folder; readDataManifest returns the crops' folder). */
  readonly root: string;
  readonly fraction: number;
  readonly seed: number;
  readonly fit: Fit;
  /** Identity names kept (by a seeded shuffle of whole identities), sorted. */
  readonly identities: readonly string[];
  readonly images: readonly { readonly path: string; readonly identity: number; readonly yaw?: number }[];
  /** Images left out because they could not be decoded (`unreadable: skip`). */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  /** LFW: pairs as indices into `images`, with their fold. */
  readonly pairs?: readonly { readonly a: number; readonly b: number; readonly same: boolean; readonly fold: number }[];
  /** IJB-A: templates (image indices) and comparisons (template indices). */
  readonly templates?: readonly { readonly template: string; readonly identity: number; readonly images: readonly number[] }[];
  readonly comparisons?: readonly { readonly a: number; readonly b: number; readonly same: boolean; readonly split?: number }[];
  /**
   * `align: face-api`: the images are 112 px crops warped to the ArcFace template, stored in the
   * node's output folder `folder`; their paths are relative to it (readDataManifest points `root`
   * there), and `skipped` also lists the images with no face found.
   */
  readonly aligned?: { readonly method: 'face-api'; readonly template: 'arcface'; readonly size: number; readonly folder: string };
}

/**
 * Keeps round(fraction · n) whole identities chosen by a seeded shuffle, returned sorted. Fewer
 * than 2 kept (no identity contrast to learn or test) is a NodeFailure naming the numbers.
 */
export function chooseIdentities(dataset: string, names: readonly string[], fraction: number, seed: number): string[] {
  const all = [...new Set(names)].sort();
  if (!(fraction > 0 && fraction <= 1)) throw new NodeFailure(`dataset '${dataset}': fraction ${fraction} is not in (0, 1]`, undefined, 'SX5005');
  const k = fraction === 1 ? all.length : Math.round(fraction * all.length);
  if (k < 2) {
    throw new NodeFailure(
      `dataset '${dataset}' has ${all.length} identities; a ${+(fraction * 100).toFixed(4)}% subset keeps ${k}, and at least 2 are needed`,
      'use a larger fraction or a dataset with more identities',
      'SX5005',
    );
  }
  return seededRng(seed, 0x5ab5e7).shuffle(all).slice(0, k).sort();
}

/** Whether `dir` holds a data node's manifest. */
export function isDataManifestDir(dir: string): boolean {
  return existsSync(path.join(dir, DATA_MANIFEST));
}

/** Reads a data node's manifest from its output folder. */
export function readDataManifest(dir: string): DataManifest {
  const file = path.join(dir, DATA_MANIFEST);
  let m: DataManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as DataManifest;
  } catch (e) {
    throw new NodeFailure(`${file}: cannot read the data manifest (${(e as Error).message})`, 'rerun the data node', 'SX5004');
  }
  if (m.format !== 'synx-data' || m.version !== 1) throw new NodeFailure(`${file}: not a synx data manifest of version 1`, 'rerun the data node', 'SX5004');
  // Aligned crops live in the node's own output, which the cache may have moved since it ran.
  return m.aligned ? { ...m, root: path.join(dir, m.aligned.folder) } : m;
}

/**
 * Decodes and fits the manifest's images `indices` to size × size into one NHWC RGB buffer, on
 * the decode worker thread. An image that no longer decodes (it did when the data node ran) is a
 * NodeFailure with its path.
 */
export async function loadManifestImages(m: DataManifest, indices: readonly number[], size: number): Promise<Uint8Array> {
  const files = indices.map((i) => path.join(m.root, m.images[i]!.path));
  try {
    return await decodePool.decode(files, size, m.fit);
  } catch (e) {
    const file = e instanceof DecodeError ? e.file : m.root;
    const why = e instanceof DecodeError ? e.reason : (e as Error).message;
    throw new NodeFailure(`dataset '${m.dataset}': cannot decode ${file} (${why})`, 'the file changed since the data node listed it; fix or remove it and rerun', 'SX5005');
  }
}
