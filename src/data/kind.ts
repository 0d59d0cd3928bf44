import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetConfig } from '../config/index.js';
import { NodeFailure, type NodeContext, type NodeKind } from '../exec/kind.js';
import { KIND_VERSIONS, type DataParams } from '../plan/index.js';
import { listImageFolder, parseLfwPairs, readIjba, readPoseCsv, requireFolder, type ListedImage, type SkippedLink } from './datasets.js';
import { decodePool } from './decode-pool.js';
import { chooseIdentities, DATA_MANIFEST, type DataManifest } from './manifest.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The `data` node kind: lists a real dataset (image folder, LFW, IJB-A, Multi-PIE), keeps a
 * seeded fraction of whole identities, decodes every chosen image once to report unreadable
 * ones (skipped with their paths, or fatal, as `datasets.<name>.unreadable` says) and writes
 * `manifest.json` (see DataManifest).
 */
export const dataKind: NodeKind<DataParams> = {
  kind: 'data',
  version: KIND_VERSIONS.data,
  // It decodes on config.threads worker threads.
  resources: (_p, config) => ({ cpu: Math.max(1, config.threads), gpu: 0, memoryMb: 512 }),
  async run(ctx) {
    const manifest = await buildManifest(ctx);
    mkdirSync(ctx.outDir, { recursive: true });
    await writeFile(path.join(ctx.outDir, DATA_MANIFEST), `${JSON.stringify(manifest)}\n`);
  },
};

/** Builds the manifest of a data node (exported for tests and `synx` tools). */
export async function buildManifest(ctx: NodeContext<DataParams>): Promise<DataManifest> {
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
    images: ok.map((im) => ({ path: im.path, identity: idIndex.get(im.identity)!, ...(im.yaw !== undefined ? { yaw: im.yaw } : {}) })),
    skipped,
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
