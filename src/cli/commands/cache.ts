import { existsSync } from 'node:fs';
import path from 'node:path';
import { listRuns, openCache, type Cache } from '../../exec/index.js';
import { compileFile } from '../../plan/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type CliIO, type Command } from '../io.js';
import { printDiagnostics, projectConfig } from '../project.js';

/** `1.2 GB`, `340 kB`: decimal units, as `du -h --si`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}

function openExisting(io: CliIO, dir: string): Cache | number {
  if (!existsSync(dir)) {
    writeLine(io.stderr, `synx cache: there is no cache at ${dir} yet (\`synx run\` makes it)`);
    return 0;
  }
  const opened = openCache(dir);
  if (!opened.ok) {
    printDiagnostics(io, [opened.diagnostic], new Map());
    return 2;
  }
  return opened.cache;
}

const USAGE = `usage: synx cache ls|du|verify|gc [options]

  ls [--kind K] [--json]   list entries: fingerprint, kind, size, when computed, label
  du [--json]              disk use per kind
  verify [--fix] [--json]  re-hash every entry's files against its manifest; --fix removes the
                           corrupt ones (a run recomputes them anyway, never uses them)
  gc [FILE...] [--keep-runs N] [--dry-run]
                           delete every entry that neither the given experiment files nor the
                           last N runs need; at least one of the two must be given

The cache is .synx/cache in the project, \`cache:\` in synx.yaml, or $SYNX_CACHE.
exit codes: 0 ok, 1 verify found corrupt entries, 2 bad input`;

/** `synx cache`: look into and clean up the content-addressed cache. */
const command: Command = {
  name: 'cache',
  summary: 'list, measure, verify and garbage-collect the cache',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const loaded = projectConfig(io);
    if (printDiagnostics(io, loaded.diagnostics, new Map())) return 2;
    const dir = loaded.config.cache;
    switch (sub) {
      case 'ls': {
        const { values, positionals } = parseArgs(rest, { json: { type: 'boolean', default: false }, kind: { type: 'string' } });
        if (positionals.length > 0) throw new UsageError(`cache ls takes no arguments`);
        const cache = openExisting(io, dir);
        if (typeof cache === 'number') return cache;
        const entries = cache.list().filter((m) => values.kind === undefined || m.kind === values.kind);
        if (values.json) {
          writeLine(io.stdout, JSON.stringify(entries.map((m) => ({ fingerprint: m.fingerprint, kind: m.kind, label: m.label, bytes: m.bytes, files: m.files.length, finished: m.timings.finished, seconds: m.timings.seconds })), null, 2));
          return 0;
        }
        writeLine(io.stdout, `${'FINGERPRINT'.padEnd(12)}  ${'KIND'.padEnd(6)}  ${'SIZE'.padStart(7)}  ${'COMPUTED'.padEnd(20)}  LABEL`);
        for (const m of entries.sort((a, b) => a.timings.finished.localeCompare(b.timings.finished))) {
          writeLine(io.stdout, `${m.fingerprint.slice(0, 12)}  ${m.kind.padEnd(6)}  ${formatBytes(m.bytes).padStart(7)}  ${m.timings.finished.slice(0, 19).replace('T', ' ').padEnd(20)}  ${m.label}`);
        }
        writeLine(io.stdout, `${entries.length} entries in ${cache.root}`);
        return 0;
      }
      case 'du': {
        const { values, positionals } = parseArgs(rest, { json: { type: 'boolean', default: false } });
        if (positionals.length > 0) throw new UsageError(`cache du takes no arguments`);
        const cache = openExisting(io, dir);
        if (typeof cache === 'number') return cache;
        const u = cache.usage();
        if (values.json) {
          writeLine(io.stdout, JSON.stringify({ root: cache.root, ...u }, null, 2));
          return 0;
        }
        for (const [kind, k] of Object.entries(u.byKind).sort()) {
          writeLine(io.stdout, `${kind.padEnd(7)} ${String(k.entries).padStart(6)} entries  ${formatBytes(k.bytes).padStart(8)}`);
        }
        writeLine(io.stdout, `${'total'.padEnd(7)} ${String(u.entries).padStart(6)} entries  ${formatBytes(u.bytes).padStart(8)}  in ${cache.root}`);
        if (u.leftovers > 0) writeLine(io.stdout, `${u.leftovers} temporary folders of interrupted or running nodes, ${formatBytes(u.leftoverBytes)} (\`synx cache gc\` removes those of dead runs)`);
        if (u.scratch.folders > 0) {
          writeLine(io.stdout, `${u.scratch.folders} scratch folders of unfinished nodes (checkpoints, partial work), ${formatBytes(u.scratch.bytes)} (\`synx cache gc\` removes those no live run uses, except the checkpoints of the files it keeps)`);
        }
        return 0;
      }
      case 'verify': {
        const { values, positionals } = parseArgs(rest, { json: { type: 'boolean', default: false }, fix: { type: 'boolean', default: false } });
        if (positionals.length > 0) throw new UsageError(`cache verify takes no arguments`);
        const cache = openExisting(io, dir);
        if (typeof cache === 'number') return cache;
        const bad: { fingerprint: string; label: string; problem: string }[] = [];
        const all = cache.fingerprints();
        for (const fp of all) {
          const check = await cache.verify(fp);
          if (check.state === 'corrupt') {
            bad.push({ fingerprint: fp, label: cache.readManifest(fp)?.label ?? '?', problem: check.problem });
            if (values.fix) cache.remove(fp);
          }
        }
        if (values.json) {
          writeLine(io.stdout, JSON.stringify({ entries: all.length, corrupt: bad, removed: values.fix }, null, 2));
        } else {
          for (const b of bad) {
            writeLine(io.stdout, `corrupt ${b.fingerprint.slice(0, 12)} ${b.label}: ${b.problem}${values.fix ? ' (removed)' : ''}`);
          }
          writeLine(io.stdout, `${all.length} entries verified, ${bad.length} corrupt${bad.length > 0 && !values.fix ? ' (a run recomputes them; `synx cache verify --fix` removes them now)' : ''}`);
        }
        return bad.length > 0 && !values.fix ? 1 : 0;
      }
      case 'gc': {
        const { values, positionals } = parseArgs(rest, {
          'keep-runs': { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
        });
        let keepRuns = 0;
        if (values['keep-runs'] !== undefined) {
          keepRuns = Number(values['keep-runs']);
          if (!Number.isInteger(keepRuns) || keepRuns < 0) throw new UsageError(`--keep-runs must be a whole number, not '${values['keep-runs']}'`);
        }
        if (positionals.length === 0 && values['keep-runs'] === undefined) {
          throw new UsageError('say what to keep: experiment files whose nodes stay, --keep-runs N, or both');
        }
        const cache = openExisting(io, dir);
        if (typeof cache === 'number') return cache;
        const keep = new Set<string>();
        for (const file of positionals) {
          const r = await compileFile(file, loaded.config, { cwd: io.cwd });
          // A file that does not compile keeps nothing, so refuse rather than delete its entries.
          if (printDiagnostics(io, r.diagnostics, r.sources) || !r.plan) return 2;
          for (const n of r.plan.nodes) keep.add(n.fingerprint);
        }
        for (const run of listRuns(loaded.config.runs).slice(0, keepRuns)) {
          for (const n of run.nodes) keep.add(n.fingerprint);
        }
        const dry = values['dry-run'];
        const res = cache.gc(keep, { dryRun: dry });
        writeLine(
          io.stdout,
          `${dry ? 'would remove' : 'removed'} ${res.removed.length} entries (${formatBytes(res.bytes)}); kept ${cache.fingerprints().length - (dry ? res.removed.length : 0)} in ${path.relative(io.cwd, cache.root) || cache.root}`,
        );
        if (res.scratch.removed.length > 0) {
          writeLine(io.stdout, `${dry ? 'would remove' : 'removed'} ${res.scratch.removed.length} scratch folders of nodes no live run is computing (${formatBytes(res.scratch.bytes)})`);
        }
        return 0;
      }
      default:
        throw new UsageError(sub === undefined ? 'give a subcommand: ls, du, verify or gc' : `unknown subcommand '${sub}'`);
    }
  },
};

export default command;
