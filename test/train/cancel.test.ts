// Ctrl-C during training (issue 14 item 3): the real CLI in a child process, on an experiment
// whose training would run for minutes. SIGINT after the first epoch's checkpoint must stop it
// within a step or two, keep the checkpoint for the next run, commit nothing and exit 130.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('../render/gl-cli-child.ts', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-cancel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kindOf = (entries: string, fp: string): string => (JSON.parse(readFileSync(path.join(entries, fp, 'manifest.json'), 'utf8')) as { kind: string }).kind;

describe('Ctrl-C during training', () => {
  it('stops within seconds, keeps the last checkpoint and commits nothing', async () => {
    writeFileSync(path.join(dir, 'synx.yaml'), 'threads: 1\njobs: 1\n');
    writeFileSync(path.join(dir, 'tiny.synexp'), 'seed 3\nimage 32px\nexperiment tiny {\n  sample 8 ids x 4 imgs\n  pretrain with small, triplet, epochs 200, batch 8\n}\n');
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, 'run', 'tiny.synexp'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<number | null>((resolve) => proc.on('close', resolve));
    const scratch = path.join(dir, '.synx', 'cache', 'scratch');
    const checkpoint = (): string | undefined => {
      for (const fp of existsSync(scratch) ? readdirSync(scratch) : []) if (existsSync(path.join(scratch, fp, 'ckpt-1'))) return fp;
      return undefined;
    };
    const t0 = Date.now();
    while (!checkpoint()) {
      if (Date.now() - t0 > 150_000 || proc.exitCode !== null) throw new Error(`no checkpoint after ${Date.now() - t0} ms:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const trainFp = checkpoint()!;
    const sent = Date.now();
    proc.kill('SIGINT');
    const code = await closed;
    const seconds = (Date.now() - sent) / 1000;
    expect(code, out).toBe(130);
    // A step is well under a second here; the margin is for a loaded machine.
    expect(seconds).toBeLessThan(10);
    expect(out).toContain('SIGINT: cancelling running nodes');
    expect(out).toMatch(/cancelled\s+train\s+pretrain/);
    const entries = path.join(dir, '.synx', 'cache', 'entries');
    expect(readdirSync(entries).map((fp) => kindOf(entries, fp))).toEqual(['render']);
    expect(readdirSync(entries)).not.toContain(trainFp);
    expect(readdirSync(path.join(scratch, trainFp)).filter((f) => /^ckpt-\d+$/.test(f)).length).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
