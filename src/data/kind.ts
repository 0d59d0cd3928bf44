import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetConfig } from '../config/index.js';
import { NodeFailure, type NodeContext, type NodeKind } from '../node/index.js';
import { KIND_VERSIONS, type DataParams } from '../plan/index.js';
import { listImageFolder, parseLfwPairs, readIjba, readPoseCsv, requireFolder, type ListedImage, type SkippedLink } from './datasets.js';
import { ALIGNED_FOLDER, ALIGNED_SIZE, alignedPathOf, NO_FACE_LIST, type FaceAligner } from './align.js';
import { decodePool } from './decode-pool.js';
import { chooseIdentities, DATA_MANIFEST, type DataManifest } from './manifest.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The `data` node kind: lists a real dataset (image folder, LFW, IJB-A, Multi-PIE), keeps a
 * seeded fraction of whole identities, decodes every chosen image once to report unreadable
 * ones (skipped with their paths, or fatal, as `datasets.<name>.unreadable` says) and writes
 * `manifest.json` (see DataManifest). With `align: face-api` it also writes the aligned crops into
 * its output (see buildManifest), with `aligner` doing the face work.
 */
export function createDataKind(aligner?: FaceAligner): NodeKind<DataParams> {
  return {
    kind: 'data',
    version: KIND_VERSIONS.data,
    // It decodes on config.threads worker threads.
    resources: (_p, config) => ({ cpu: Math.max(1, config.threads), gpu: 0, memoryMb: 512 }),
    async run(ctx) {
      const manifest = await buildManifest(ctx, aligner);
      mkdirSync(ctx.outDir, { recursive: true });
      await writeFile(path.join(ctx.outDir, DATA_MANIFEST), `${JSON.stringify(manifest)}\n`);
    },
  };
}

/** The data kind without face alignment (the kind registry adds face-api's, see createDataKind). */
export const dataKind: NodeKind<DataParams> = createDataKind();

/**
 * Builds the manifest of a data node (exported for tests and `synx` tools). With `align` set it
 * writes the aligned crops under `<outDir>/aligned` and the no-face list into `outDir`.
 */
export async function buildManifest(ctx: NodeContext<DataParams>, aligner?: FaceAligner): Promise<DataManifest> {
  const p = ctx.params;
  const ds: DatasetConfig = ctx.config.datasets[p.dataset] ?? { format: p.format, path: p.path };
  const root = path.resolve(ctx.config.root, p.path || ds.path);
  // From the params, not synx.yaml: both are in the fingerprint (see DataParams).
  const unreadable = p.unreadable ?? 'skip';
  const fit = p.fit ?? 'resize';
  let listed: (ListedImage & { yaw?: number })[];
  let lfw: ReturnType<typeof parseLfwPairs> | undefined;
  let ijba: ReturnType<typeof readIjba> | undefined;
  switch (p.format) {
    case 'folder': {
      const links: SkippedLink[] = [];
      listed = listImageFolder(p.dataset, root, links);
      if (links.length > 0) {
        // `warning: ` lines reach the console, not only the node's log: a dataset that shrinks
        // because links were skipped must not do so without a word.
        const shown = links.slice(0, 5).map((l) => `${l.path} (${l.reason})`).join(', ');
        ctx.log(`warning: dataset '${p.dataset}': skipped ${links.length} symbolic link(s) under ${root}: ${shown}${links.length > 5 ? ', …' : ''}`);
      }
      break;
    }
    case 'lfw': {
      requireFolder(p.dataset, root, 'root/<name>/<name>_0001.jpg with pairs.txt');
      const pairsFile = ds.pairs ?? path.join(root, 'pairs.txt');
      let text: string;
      try {
        text = await readFile(pairsFile, 'utf8');
      } catch {
        throw new NodeFailure(`dataset '${p.dataset}': cannot read the pairs file ${pairsFile}`, `set datasets.${p.dataset}.pairs in synx.yaml (default <path>/pairs.txt)`, 'SX5002');
      }
      lfw = parseLfwPairs(text, pairsFile);
      const seen = new Map<string, ListedImage>();
      for (const q of lfw) for (const im of [q.a, q.b]) seen.set(im.path, im);
      listed = [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      break;
    }
    case 'ijba': {
      requireFolder(p.dataset, root, 'root/<image files> with a templates CSV and a comparisons CSV');
      if (ds.metadata === undefined || ds.pairs === undefined) {
        throw new NodeFailure(`dataset '${p.dataset}': IJB-A needs a templates CSV and a comparisons CSV`, `set datasets.${p.dataset}.metadata (template,identity,image) and .pairs (template1,template2) in synx.yaml`, 'SX5001');
      }
      ijba = readIjba(p.dataset, ds.metadata, ds.pairs);
      const seen = new Map<string, ListedImage>();
      for (const t of ijba.templates) for (const im of t.images) seen.set(im, { path: im, identity: t.identity });
      listed = [...seen.values()];
      break;
    }
    case 'multipie': {
      requireFolder(p.dataset, root, 'root/<image files> with a CSV of image,identity,yaw');
      if (ds.metadata === undefined) {
        throw new NodeFailure(`dataset '${p.dataset}': Multi-PIE needs a CSV of image,identity,yaw`, `set datasets.${p.dataset}.metadata in synx.yaml`, 'SX5001');
      }
      listed = readPoseCsv(p.dataset, ds.metadata);
      break;
    }
  }

  const identities = chooseIdentities(p.dataset, listed.map((l) => l.identity), p.fraction, p.seed);
  const keep = new Set(identities);
  const idIndex = new Map(identities.map((n, i) => [n, i]));
  const chosen = listed.filter((l) => keep.has(l.identity));

  // Decode every chosen image once, on `threads` worker threads: a missing file or a corrupt one
  // is reported with its path. Results come back in file order, so the manifest, the logs and
  // the first error reported do not depend on which worker finished first.
  const missing: string[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const ok: typeof chosen = [];
  const files = chosen.map((im) => path.join(root, im.path));
  let fatal: NodeFailure | undefined;
  // With unreadable: fail, the first failure stops the check (the chunks in flight finish).
  const stop = new AbortController();
  let lastProgress = 0;
  await decodePool.check(
    files,
    Math.max(1, ctx.config.threads),
    (first, results) => {
      results.forEach((r, k) => {
        const im = chosen[first + k]!;
        if (r.ok) ok.push(im);
        else if (r.missing) missing.push(files[first + k]!);
        else if (unreadable === 'fail') {
          fatal ??= new NodeFailure(`dataset '${p.dataset}': cannot decode ${files[first + k]} (${r.reason})`, `fix or remove the file, or set datasets.${p.dataset}.unreadable: skip`, 'SX5005');
          stop.abort();
        } else {
          ctx.log(`skipping unreadable image ${files[first + k]}: ${r.reason}`);
          skipped.push({ path: im.path, reason: r.reason });
        }
      });
      const done = first + results.length;
      if (done - lastProgress >= 200) {
        lastProgress = done;
        ctx.progress({ done, total: chosen.length, unit: 'images', message: 'checking images' });
      }
    },
    { signal: AbortSignal.any([ctx.signal, stop.signal]) },
  );
  if (ctx.signal.aborted) throw new NodeFailure('cancelled', undefined, 'SX5005');
  if (fatal) throw fatal;
  if (missing.length > 0) {
    const what = p.format === 'lfw' ? 'the pairs file names' : p.format === 'folder' ? 'listed' : 'the metadata names';
    throw new NodeFailure(
      `dataset '${p.dataset}': ${missing.length} image(s) ${what} do not exist, e.g. ${missing.slice(0, 3).join(', ')}`,
      `check datasets.${p.dataset}.path (${root}) and the ${p.format === 'lfw' ? 'pairs' : 'metadata'} file`,
      'SX5002',
    );
  }
  if (skipped.length > 0) ctx.log(`${skipped.length} unreadable image(s) skipped in dataset '${p.dataset}'`);
  ctx.progress({ done: chosen.length, total: chosen.length, unit: 'images' });

  let aligned: DataManifest['aligned'];
  let images = ok.map((im) => ({ ...im, file: im.path }));
  if (p.align === 'face-api') {
    images = await alignImages(ctx, ok, root, aligner, skipped);
    aligned = { method: 'face-api', template: 'arcface', size: ALIGNED_SIZE, folder: ALIGNED_FOLDER };
  }

  const index = new Map(ok.map((im, i) => [im.path, i]));
  const m: Mutable<DataManifest> = {
    format: 'synx-data',
    version: 1,
    dataset: p.dataset,
    kind: p.format,
    root,
    fraction: p.fraction,
    seed: p.seed,
    fit,
    identities,
    images: images.map((im) => ({ path: im.file, identity: idIndex.get(im.identity)!, ...(im.yaw !== undefined ? { yaw: im.yaw } : {}) })),
    skipped,
    ...(aligned ? { aligned } : {}),
  };
  if (lfw) {
    m.pairs = lfw
      .filter((q) => index.has(q.a.path) && index.has(q.b.path))
      .map((q) => ({ a: index.get(q.a.path)!, b: index.get(q.b.path)!, same: q.same, fold: q.fold }));
  }
  if (ijba) {
    const templates = ijba.templates
      .filter((t) => keep.has(t.identity))
      .map((t) => ({ template: t.template, identity: idIndex.get(t.identity)!, images: t.images.filter((x) => index.has(x)).map((x) => index.get(x)!) }))
      .filter((t) => t.images.length > 0);
    const tIndex = new Map(templates.map((t, i) => [t.template, i]));
    m.templates = templates;
    m.comparisons = ijba.comparisons
      .filter((c) => tIndex.has(c.a) && tIndex.has(c.b))
      .map((c) => ({ a: tIndex.get(c.a)!, b: tIndex.get(c.b)!, same: c.same, ...(c.split !== undefined ? { split: c.split } : {}) }));
  }
  return m;
}

/**
 * Warps every decodable image to the ArcFace template (`align: face-api`): crops go to
 * `<outDir>/aligned/<path>.png`, images with no face found to `<outDir>/no-face.txt` and `skipped`
 * (a console warning counts them), or fail the node with `unreadable: fail`. A dataset in which no
 * image has a face fails with the count. Returns the aligned images, `file` naming their crop.
 */
async function alignImages<T extends ListedImage>(
  ctx: NodeContext<DataParams>,
  images: readonly T[],
  root: string,
  aligner: FaceAligner | undefined,
  skipped: { path: string; reason: string }[],
): Promise<(T & { file: string })[]> {
  const p = ctx.params;
  if (!aligner) {
    throw new NodeFailure(`dataset '${p.dataset}': align: face-api needs face-api, and this data kind was built without it`, 'run through synx (its kinds include face-api) or pass an aligner to createDataKind', 'SX5003');
  }
  const outFiles = images.map((im) => path.join(ctx.outDir, ALIGNED_FOLDER, alignedPathOf(im.path)));
  for (const dir of new Set(outFiles.map((f) => path.dirname(f)))) mkdirSync(dir, { recursive: true });
  let lastProgress = 0;
  const results = await aligner({
    files: images.map((im) => path.join(root, im.path)),
    outFiles,
    size: ALIGNED_SIZE,
    signal: ctx.signal,
    progress: (done) => {
      if (done - lastProgress >= 20 || done === images.length) {
        lastProgress = done;
        ctx.progress({ done, total: images.length, unit: 'images', message: 'aligning faces' });
      }
    },
  });
  if (ctx.signal.aborted) throw new NodeFailure('cancelled', undefined, 'SX5005');
  const kept: (T & { file: string })[] = [];
  const noFace: { path: string; reason: string }[] = [];
  results.forEach((r, i) => {
    const im = images[i]!;
    if (r.ok) kept.push({ ...im, file: alignedPathOf(im.path) });
    else noFace.push({ path: im.path, reason: r.reason });
  });
  await writeFile(path.join(ctx.outDir, NO_FACE_LIST), noFace.map((n) => `${n.path}\n`).join(''));
  const shown = (n: number) => `${noFace.slice(0, n).map((x) => x.path).join(', ')}${noFace.length > n ? ', …' : ''}`;
  if (images.length > 0 && kept.length === 0) {
    throw new NodeFailure(
      `dataset '${p.dataset}': face-api found no face in any of its ${images.length} image(s) (${shown(5)}) under ${root}`,
      `check that datasets.${p.dataset}.path holds photos of faces, or remove align: face-api`,
      'SX5005',
    );
  }
  if (noFace.length > 0 && p.unreadable === 'fail') {
    throw new NodeFailure(
      `dataset '${p.dataset}': face-api found no face in ${noFace.length} of ${images.length} image(s) under ${root}: ${shown(10)}`,
      `remove those images, or set datasets.${p.dataset}.unreadable: skip to leave them out`,
      'SX5005',
    );
  }
  if (noFace.length > 0) {
    ctx.log(`warning: dataset '${p.dataset}': no face found in ${noFace.length} of ${images.length} image(s), skipped (listed in the data node's ${NO_FACE_LIST}): ${shown(5)}`);
    skipped.push(...noFace);
  }
  return kept;
}
