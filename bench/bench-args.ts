// Command-line options of the bench scripts (`--NAME VALUE`), and what a mistyped one prints: one
// line naming the option and what it wants, exit status 2, no stack trace.
import path from 'node:path';

/** A bench script's bad command line or input: printed as one line by the handler below. */
export class BenchInputError extends Error {}

/**
 * Makes a BenchInputError that reaches the top of a bench script (its top-level await included)
 * print as one line and exit 2. Any other failure prints its stack and exits 1, as node does by
 * default. Called by the scripts' shared setup (realism-setup.ts), not on import here, so a test
 * that imports these helpers keeps its runner's own handling.
 */
export function reportBenchInputErrors(): void {
  if (process.hasUncaughtExceptionCaptureCallback()) return;
  process.setUncaughtExceptionCaptureCallback((e) => {
    if (e instanceof BenchInputError) {
      process.stderr.write(`${path.basename(process.argv[1] ?? 'bench')}: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

/** The value after `--NAME`, if the option is given; a bare `--NAME` (last, or before another option) is an error. */
export function arg(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new BenchInputError(`--${name} needs a value`);
  return value;
}

/** `--NAME` as a finite number (`fallback` when absent). */
export function numberArg(name: string, fallback: number, argv?: readonly string[]): number;
export function numberArg(name: string, fallback?: undefined, argv?: readonly string[]): number | undefined;
export function numberArg(name: string, fallback?: number, argv: readonly string[] = process.argv): number | undefined {
  const v = arg(name, argv);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new BenchInputError(`--${name} wants a number, not '${v}'`);
  return n;
}

/** `--NAME` as a whole number of at least `min` (`fallback` when absent). */
export function countArg(name: string, fallback: number, min = 1, argv: readonly string[] = process.argv): number {
  const n = numberArg(name, fallback, argv);
  if (!Number.isInteger(n) || n < min) throw new BenchInputError(`--${name} wants a whole number of at least ${min}, not '${arg(name, argv)}'`);
  return n;
}
