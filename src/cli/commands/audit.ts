import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { auditDataset, auditImages, auditPlots, formatAudit, formatDatasetAudit, renderNodeImages } from '../../audit/index.js';
import { NodeFailure, openCache } from '../../exec/index.js';
import { parse as parseArgs } from '../args.js';
import { ensureOutFolder, UsageError, writeLine, type Command } from '../io.js';
import { fsErrorReason } from '../../util/index.js';
import { compileProject, experimentNodes } from '../project.js';

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** `synx audit`: what an off-the-shelf recogniser trained on real photos makes of each rendered set. */
const command: Command = {
  name: 'audit',
  summary: 'score each render of an experiment file with face-api, a detector and recogniser trained on real photos',
  usage: `usage: synx audit FILE [--experiment NAME] [--images N] [--detector ssd|tiny] [--out DIR]

For each render node of FILE (or of experiment NAME), runs face-api (@vladmandic/face-api 1.7.15,
offline) on its first N images (default 120, whole identities): detection rate by |yaw| bucket,
landmark error against synx's labels on near-frontal images, identity separability (genuine and
impostor descriptor distances, ROC AUC, share of pairs under face-api's same-person distance 0.6)
and identity consistency. Images come from the cache when \`synx run\` computed the render, else
they are rendered now, exactly as a run would. For each real dataset (after \`synx run\`): what its
data node left out, alignment failures (align: face-api) or, unaligned, face-api's detection on
its first N images. Writes DIR/<node>.json and SVG plots.
  --experiment NAME  only this experiment's renders (as named in \`synx plan\`)
  --images N         images per render node (default 120; 1 to 100000)
  --detector D       ssd (SSD MobileNet v1, default) or tiny
  --out DIR          where to write (default: audits/<file name>)
exit codes: 0 audited, 1 rendering or writing failed, 2 bad input`,
  async run(argv, io) {
    const { values, positionals } = parseArgs(argv, {
      experiment: { type: 'string' },
      images: { type: 'string' },
      detector: { type: 'string', default: 'ssd' },
      out: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one experiment file');
    const file = positionals[0]!;
    const limit = values.images === undefined ? 120 : Number(values.images);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100000) throw new UsageError(`--images must be a whole number from 1 to 100000, not '${values.images}'`);
    if (values.detector !== 'ssd' && values.detector !== 'tiny') throw new UsageError(`--detector must be ssd or tiny, not '${values.detector}'`);
    const detector = values.detector;
    const compiled = await compileProject(io, file);
    if (!compiled) return 2;
    const { loaded, plan } = compiled;
    const candidates = experimentNodes(io, file, plan, values.experiment);
    if (!candidates) return 2;
    const renders = candidates.filter((n) => n.kind === 'render');
    const datasets = candidates.filter((n) => n.kind === 'data');
    if (renders.length === 0 && datasets.length === 0) {
      writeLine(io.stderr, `${file}: ${values.experiment ? `experiment '${values.experiment}'` : 'the file'} renders no synthetic faces and reads no dataset`);
      return 2;
    }
    const opened = existsSync(loaded.config.cache) ? openCache(loaded.config.cache) : undefined;
    const cache = opened?.ok ? opened.cache : undefined;
    const title = path.basename(file).replace(/\.synexp$/, '');
    const out = path.resolve(io.cwd, values.out ?? path.join('audits', title));
    const show = (p: string) => path.relative(io.cwd, p) || p;
    // Before the audits, which take a while: a folder that cannot be made fails now.
    if (!ensureOutFolder(io, 'audit', out)) return 1;
    for (const node of renders) {
      const p = node.params;
      let got: Awaited<ReturnType<typeof renderNodeImages>>;
      let result;
      try {
        got = await renderNodeImages(node, cache, limit);
        result = await auditImages(got.images, { detector });
      } catch (e) {
        if (!(e instanceof NodeFailure)) throw e;
        writeLine(io.stderr, `${file}: error: ${node.label}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
        return 1;
      }
      writeLine(io.stdout, `${node.label} (${node.id}, ${p.size} px, ${got.source}):`);
      for (const line of formatAudit(result)) writeLine(io.stdout, `  ${line}`);
      try {
        const base = node.id.replace(/[^A-Za-z0-9._-]+/g, '_');
        writeAtomic(path.join(out, `${base}.json`), `${JSON.stringify({ node: node.label, fingerprint: node.fingerprint, ...result }, (_, v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2)}\n`);
        for (const plot of await auditPlots(result)) writeAtomic(path.join(out, `${base}.${plot.name}.svg`), plot.svg);
        writeLine(io.stdout, `  wrote ${show(path.join(out, base))}.json and plots`);
      } catch (e) {
        writeLine(io.stderr, `${file}: error: cannot write ${show(out)}: ${fsErrorReason(e)}`);
        return 1;
      }
    }
    // Real datasets: what their data node kept and left out, and whether faces are found. The data
    // node reads the dataset, so it must have run; its entry is re-hashed before it is believed.
    for (const node of datasets) {
      const verified = cache ? await cache.verify(node.fingerprint) : undefined;
      if (verified?.state !== 'ok') {
        const why = verified?.state === 'corrupt' ? `its cache entry is corrupt (${verified.problem})` : 'not computed yet';
        writeLine(io.stdout, `${node.label} (${node.id}): ${why}: run \`synx run ${file}\` first, then audit again`);
        continue;
      }
      let result;
      try {
        result = await auditDataset(cache!.outDir(node.fingerprint), { limit, detector });
      } catch (e) {
        if (!(e instanceof NodeFailure)) throw e;
        writeLine(io.stderr, `${file}: error: ${node.label}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
        return 1;
      }
      writeLine(io.stdout, `${node.label} (${node.id}, dataset ${result.dataset}):`);
      for (const line of formatDatasetAudit(result)) writeLine(io.stdout, `  ${line}`);
      try {
        const base = node.id.replace(/[^A-Za-z0-9._-]+/g, '_');
        writeAtomic(path.join(out, `${base}.json`), `${JSON.stringify({ node: node.label, fingerprint: node.fingerprint, ...result }, null, 2)}\n`);
        writeLine(io.stdout, `  wrote ${show(path.join(out, base))}.json`);
      } catch (e) {
        writeLine(io.stderr, `${file}: error: cannot write ${show(out)}: ${fsErrorReason(e)}`);
        return 1;
      }
    }
    return 0;
  },
};

export default command;
