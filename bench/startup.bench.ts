// CLI start-up: `synx check FILE` of a one-line file, the command CI runs on every push, against
// `node -e 0` in the same run (the floor no Node program starts under), wall time and CPU time of
// the child process. Best of 5, alternating, so both see the same load.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchResult } from './harness.js';

const synxBin = fileURLToPath(new URL('../bin/synx.js', import.meta.url));

/** Wall and CPU (user + system) seconds of one child process, as the shell that started it accounts them. */
function timeChild(args: readonly string[], cwd: string): { wall: number; cpu: number } {
  const t0 = performance.now();
  // `sh -c 'times'` after the child reports its children's user and system time.
  const r = spawnSync('sh', ['-c', `"$0" "$@" >/dev/null; status=$?; times; exit $status`, process.execPath, ...args], { cwd, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  // `times` prints two lines: the shell's own user/system times, then its children's.
  const children = r.stdout.trim().split('\n').at(-1) ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wall, cpu: (secs[0] ?? NaN) + (secs[1] ?? NaN) };
}

const bench: Bench = {
  name: 'startup',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-startup-bench-'));
    try {
      writeFileSync(path.join(dir, 'one.synexp'), 'experiment a { sample 2 ids x 2 imgs }\n');
      const best = { check: { wall: Infinity, cpu: Infinity }, node: { wall: Infinity, cpu: Infinity } };
      for (let i = 0; i < 5; i++) {
        for (const [name, args] of [['node', ['-e', '0']], ['check', [synxBin, 'check', 'one.synexp']]] as const) {
          const t = timeChild(args, dir);
          best[name] = { wall: Math.min(best[name].wall, t.wall), cpu: Math.min(best[name].cpu, t.cpu) };
        }
      }
      return [
        { name: '`synx check` of a one-line file: wall time', value: best.check.wall, unit: 's', target: '≤ 0.25 s', note: `node -e 0: ${best.node.wall.toFixed(3)} s` },
        { name: '`synx check` of a one-line file: CPU time', value: best.check.cpu, unit: 's', note: `node -e 0: ${best.node.cpu.toFixed(3)} s` },
        { name: '`node -e 0`: wall time', value: best.node.wall, unit: 's' },
        { name: '`node -e 0`: CPU time', value: best.node.cpu, unit: 's' },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
