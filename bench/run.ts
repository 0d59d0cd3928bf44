// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and records
// their results in bench/results.json and bench/results.md. Naming entries replaces only those
// entries' results, each stamped with its own date, machine and load, so one entry can be re-run
// without losing the others. Numbers are from that machine and moment: compare ratios measured in
// one run, not numbers across runs.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchResult } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

interface Entry {
  readonly bench: string;
  readonly date?: string;
  readonly machine?: string;
  readonly load?: string;
  readonly results: BenchResult[];
}
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const loadNow = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

const all: Entry[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { default: Bench };
  process.stdout.write(`bench ${mod.default.name} ...\n`);
  const loadBefore = loadNow();
  const results = await mod.default.run();
  for (const r of results) {
    process.stdout.write(`  ${r.name}: ${formatValue(r.value)} ${r.unit}${r.target ? ` (target ${r.target})` : ''}\n`);
  }
  all.push({ bench: mod.default.name, date: new Date().toISOString(), machine, load: `${loadBefore} before, ${loadNow()} after`, results });
}

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

// Entries not run this time keep their earlier results (and their own dates); the file's top-level
// date and machine of older versions stand for entries that carry none.
const resultsFile = path.join(here, 'results.json');
const previous = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { date?: string; machine?: string; benches?: Entry[] }) : {};
const ran = new Set(all.map((e) => e.bench));
const kept = (previous.benches ?? []).filter((e) => !ran.has(e.bench)).map((e) => ({ ...e, date: e.date ?? previous.date, machine: e.machine ?? previous.machine }));
const merged = [...kept, ...all].sort((a, b) => a.bench.localeCompare(b.bench));
writeFileSync(resultsFile, `${JSON.stringify({ benches: merged }, null, 2)}\n`);
const md = ['# Benchmark results', '', 'Each entry from its own run (`npx tsx bench/run.ts NAME` re-runs one); load is the 1/5/15-minute load average.', ''];
for (const b of merged) {
  md.push(`## ${b.bench}`, '', `${b.date ?? 'date not recorded'} on ${b.machine ?? 'machine not recorded'}${b.load ? `, load average ${b.load}` : ''}`, '');
  md.push('| measure | value | unit | target |', '| --- | --- | --- | --- |');
  for (const r of b.results) md.push(`| ${r.name} | ${formatValue(r.value)} | ${r.unit} | ${r.target ?? ''} |`);
  md.push('');
}
writeFileSync(path.join(here, 'results.md'), md.join('\n'));
process.stdout.write(`wrote ${[...ran].join(', ')} into bench/results.json and bench/results.md\n`);
