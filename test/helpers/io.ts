// Captured command output: a CliIO whose stdout and stderr are collected into strings.
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

/** A CliIO for `cwd` with `env`, plus what was written to it so far. */
export type CapturedIO = CliIO & { out: () => string; err: () => string };

/** A non-terminal CliIO that collects what a command writes (`out()`, `err()`). */
export function captureIO(cwd: string, env: NodeJS.ProcessEnv = {}): CapturedIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { stdout, stderr, cwd, env, out: () => o, err: () => e };
}
