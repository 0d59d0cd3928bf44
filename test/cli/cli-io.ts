import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** Runs `synx ARGS` in `cwd` with captured output, as a user at a non-terminal would. */
export async function synx(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return synxWith(cwd, {}, ...args);
}

/** `synx ARGS` in `cwd` with these environment variables (SYNX_SCALE, CI, ...). */
export async function synxWith(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io: CliIO = { stdout, stderr, cwd, env };
  const code = await main(args, io);
  return { code, stdout: out, stderr: err };
}
