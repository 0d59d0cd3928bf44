import { main } from '../../src/cli/main.js';
import { captureIO } from '../helpers/io.js';

/** Runs `synx ARGS` in `cwd` with captured output, as a user at a non-terminal would. */
export async function synx(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return synxWith(cwd, {}, ...args);
}

/** `synx ARGS` in `cwd` with these environment variables (SYNX_SCALE, CI, ...). */
export async function synxWith(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIO(cwd, env);
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}
