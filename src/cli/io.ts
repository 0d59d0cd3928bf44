import path from 'node:path';
import { fsErrorReason, makeDirs } from '../util/index.js';

/** Where a command writes. Tests pass buffers; the real CLI passes the process streams. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A command: parses its own arguments, returns the exit code (0 ok, 1 a run failed, 2 bad input). */
export interface Command {
  readonly name: string;
  /** One line for `synx help`. */
  readonly summary: string;
  /** The usage text for `synx help NAME` and usage errors. */
  readonly usage: string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/**
 * Creates the folder a command writes into (`--out`) before any work, or says why it cannot
 * ("synx export: cannot create out/x: permission denied") and returns false.
 */
export function ensureOutFolder(io: CliIO, command: string, dir: string): boolean {
  try {
    makeDirs(dir);
    return true;
  } catch (e) {
    const rel = path.relative(io.cwd, dir);
    writeLine(io.stderr, `synx ${command}: cannot create ${rel === '' || rel.startsWith('..') ? dir : rel}: ${fsErrorReason(e)}`);
    return false;
  }
}
