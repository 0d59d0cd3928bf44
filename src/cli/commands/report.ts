import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EvalResults } from '../../eval/index.js';
import { openCache, readCachedResults, synxVersion, type Cache } from '../../exec/index.js';
import type { Plan, PlanNode } from '../../plan/index.js';
import { reportFolderName, sampleSheets, writeReport, type ReportAudit, type ReportRow } from '../../report/index.js';
import { parse as parseArgs } from '../args.js';
import { ensureOutFolder, UsageError, writeLine, type Command } from '../io.js';
import { compileProject, fileOrRun } from '../project.js';

/**
 * The report's rows: every eval of every experiment, with its results if they are cached and
 * verified (every output re-hashed, as a run does before reading an entry); a corrupt entry's
 * row says so instead of showing numbers.
 */
async function rowsOf(plan: Plan, cache: Cache | undefined): Promise<ReportRow[]> {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const rows: ReportRow[] = [];
  for (const e of plan.experiments) {
    for (const id of e.evals) {
      const node = byId.get(id)!;
      if (node.kind !== 'eval') throw new Error(`report: experiment ${e.name} lists ${id}, a ${node.kind} node, as an eval`);
      const p = node.params;
      const read = cache ? await readCachedResults(cache, node.fingerprint) : { state: 'missing' as const };
      // Cast below: results.json is what the eval kind wrote, read as plain JSON by exec (which sits
      // below the kinds and cannot name EvalResults), and verified against its manifest.
      rows.push({
        experiment: e.name,
        base: e.base,
        sweep: e.sweep,
        evalId: id,
        fingerprint: node.fingerprint,
        dataset: p.dataset,
        protocol: p.protocol,
        results: read.state === 'ok' ? (read.results as unknown as EvalResults) : undefined,
        ...(read.state === 'corrupt' ? { corrupt: read.problem } : {}),
      });
    }
  }
  return rows;
}

/** face-api's audit of each render node, on its first 60 images (cached or rendered now). */
async function reportAudits(nodes: readonly PlanNode[], cache: Cache | undefined): Promise<ReportAudit[]> {
  const { auditImages, auditPlots, formatAudit, renderNodeImages } = await import('../../audit/index.js');
  const out: ReportAudit[] = [];
  for (const [k, node] of nodes.filter((n) => n.kind === 'render').entries()) {
    const result = await auditImages((await renderNodeImages(node, cache, 60)).images);
    const plots = (await auditPlots(result)).map((p) => ({ file: `audit-${k + 1}-${p.name}`, title: `${node.label}: ${p.title}`, svg: p.svg }));
    out.push({ label: node.label, lines: formatAudit(result), plots });
  }
  return out;
}

/** `synx report`: a Markdown and HTML report of a run or an experiment file. */
const command: Command = {
  name: 'report',
  summary: 'write the Markdown/HTML report (tables, plots, samples, provenance) of a run or file',
  usage: `usage: synx report FILE|RUN [--out DIR] [--no-samples] [--audit]

Writes report.md (plots as SVG and sample sheets as PNG beside it), a self-contained
report.html, results.csv and results.json, from the eval results in the cache.
  FILE           an experiment file: every eval of its experiments (evals not yet run are
                 listed as "not run")
  RUN            a run id from \`synx runs\` (or "latest"): the run's file, as it ran
  --out DIR      where to write (default: reports/<file name>; under SYNX_SCALE=f,
                 reports/<file name>-scale<f>, so a smoke test never replaces the full report)
  --no-samples   skip the contact sheets of training samples
  --audit        add face-api's audit of each render node (as \`synx audit --images 60\`)`,
  async run(argv, io) {
    const { values, positionals } = parseArgs(argv, { out: { type: 'string' }, 'no-samples': { type: 'boolean', default: false }, audit: { type: 'boolean', default: false } });
    if (positionals.length !== 1) throw new UsageError('give one experiment file or run id');
    const target = await fileOrRun(io, 'report', positionals[0]!);
    if (!target) return 2;
    const { loaded, file, run } = target;
    const { config } = loaded;
    const runId = run?.id;
    const compiled = await compileProject(io, file, loaded);
    if (!compiled) return 2;
    const { plan } = compiled;
    if (run) {
      const runFingerprints = new Set(run.nodes.map((n) => n.fingerprint));
      const evals = plan.nodes.filter((n) => n.kind === 'eval');
      if (evals.some((n) => !runFingerprints.has(n.fingerprint))) {
        writeLine(io.stderr, `synx report: ${file} changed since run ${runId}; its evals are not the run's`);
        writeLine(io.stderr, `hint: \`synx report ${file}\` reports the file as it is now`);
        return 2;
      }
    }
    const opened = existsSync(config.cache) ? openCache(config.cache) : undefined;
    const cache = opened?.ok ? opened.cache : undefined;
    const rows = await rowsOf(plan, cache);
    const reportNode = plan.nodes.find((n) => n.kind === 'report');
    const samples = values['no-samples'] ? [] : (reportNode?.params.samples ?? []);
    const title = path.basename(file).replace(/\.synexp$/, '');
    const scale = config.scale !== undefined && config.scale !== 1 ? config.scale : undefined;
    const out = path.resolve(io.cwd, values.out ?? path.join('reports', reportFolderName(title, scale)));
    if (!ensureOutFolder(io, 'report', out)) return 1;
    const files = await writeReport(out, {
      title,
      rows,
      provenance: {
        file,
        ...(runId ? { run: runId } : {}),
        synx: synxVersion(),
        node: process.version,
        backend: config.backend,
        ...(scale !== undefined ? { scale } : {}),
        generated: new Date().toISOString(),
      },
      sheets: await sampleSheets(samples),
      ...(values.audit ? { audits: await reportAudits(plan.nodes, cache) } : {}),
    });
    const done = rows.filter((x) => x.results).length;
    writeLine(io.stdout, `report of ${file}${runId ? ` (run ${runId})` : ''}: ${done} of ${rows.length} evals have results`);
    for (const f of Object.values(files)) writeLine(io.stdout, `  ${path.relative(io.cwd, f) || f}`);
    const corrupt = rows.filter((x) => x.corrupt !== undefined);
    for (const x of corrupt) {
      writeLine(io.stderr, `synx report: ${x.experiment}: eval ${x.evalId}: its cache entry ${x.fingerprint.slice(0, 12)} is corrupt (${x.corrupt}); reported as "corrupt cache entry", not as numbers`);
    }
    if (corrupt.length > 0) {
      writeLine(io.stderr, `hint: \`synx run ${file}\` removes the corrupt entries and recomputes them`);
      return 1;
    }
    return 0;
  },
};

export default command;
