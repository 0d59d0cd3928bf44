import type { EvalResults } from '../eval/index.js';
import { readResultsFile, synxVersion } from '../exec/index.js';
import { NodeFailure, type NodeKind } from '../node/index.js';
import { KIND_VERSIONS, type ReportParams } from '../plan/index.js';
import { sampleSheets, writeReport } from './build.js';
import type { ReportRow } from './model.js';

/** The `report` node kind: tables, plots and sample sheets over the evals of a file's experiments. */
export const reportKind: NodeKind<ReportParams> = {
  kind: 'report',
  version: KIND_VERSIONS.report,
  resources: () => ({ cpu: 1, gpu: 0, memoryMb: 512 }),
  async run(ctx) {
    const byFingerprint = new Map(ctx.inputs.filter((i) => i.role === 'result').map((i) => [i.fingerprint, i]));
    const rows: ReportRow[] = [];
    for (const e of ctx.params.experiments) {
      for (const fp of e.evals) {
        const input = byFingerprint.get(fp);
        if (!input) throw new Error(`report: eval ${fp} is not among the node's inputs`);
        let results: EvalResults;
        try {
          // The executor verified the entry before this node started (see exec/compute-node.ts).
          // Cast: results.json is what the eval kind wrote, read as plain JSON by exec (which sits
          // below the kinds and cannot name EvalResults).
          results = readResultsFile(input.dir) as unknown as EvalResults;
        } catch (err) {
          throw new NodeFailure(`cannot read the eval results in ${input.dir}: ${(err as Error).message}`, 'run `synx cache verify`; a damaged entry is recomputed on the next run');
        }
        if (input.kind !== 'eval') throw new Error(`report: input ${input.id} is a ${input.kind} node, not an eval`);
        const p = input.params;
        rows.push({ experiment: e.name, base: e.base, sweep: e.sweep, evalId: input.id, fingerprint: fp, dataset: p.dataset, protocol: p.protocol, results });
      }
    }
    ctx.progress({ done: 0, total: 1, unit: 'reports' });
    const sheets = await sampleSheets(ctx.params.samples ?? []);
    await writeReport(ctx.outDir, {
      title: ctx.params.title,
      rows,
      provenance: {
        file: `${ctx.params.title}.synexp`,
        synx: synxVersion(),
        node: process.version,
        backend: ctx.config.backend,
        ...(ctx.params.scale !== undefined ? { scale: ctx.params.scale } : {}),
      },
      sheets,
    });
    ctx.progress({ done: 1, total: 1, unit: 'reports' });
  },
};
