// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), writes
// bench/results.json and bench/results.md. Numbers are from this machine and this moment: compare
// ratios measured in one run, not numbers across runs.
import { readdirSync, writeFileSync } from 'node:fs';
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

const all: { bench: string; results: BenchResult[] }[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { default: Bench };
  process.stdout.write(`bench ${mod.default.name} ...\n`);
  const results = await mod.default.run();
  for (const r of results) {
    process.stdout.write(`  ${r.name}: ${formatValue(r.value)} ${r.unit}${r.target ? ` (target ${r.target})` : ''}\n`);
  }
  all.push({ bench: mod.default.name, results });
}

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const date = new Date().toISOString();
if (only.length === 0) {
  writeFileSync(path.join(here, 'results.json'), `${JSON.stringify({ date, machine, benches: all }, null, 2)}\n`);
  const md = [`# Benchmark results`, '', `${date} on ${machine}`, ''];
  for (const b of all) {
    md.push(`## ${b.bench}`, '', '| measure | value | unit | target |', '| --- | --- | --- | --- |');
    for (const r of b.results) {
      md.push(`| ${r.name} | ${formatValue(r.value)} | ${r.unit} | ${r.target ?? ''} |`);
    }
    md.push('');
  }
  writeFileSync(path.join(here, 'results.md'), md.join('\n'));
  process.stdout.write('wrote bench/results.json and bench/results.md\n');
}
