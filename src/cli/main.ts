import { COMMANDS } from './commands.js';
import { UsageError, writeLine, type CliIO } from './io.js';

const VERSION = '0.1.0';

async function help(io: CliIO): Promise<void> {
  writeLine(io.stdout, `synx ${VERSION}: declarative, reproducible experiments on synthetic face data\n`);
  writeLine(io.stdout, 'usage: synx <command> [options]\n');
  writeLine(io.stdout, 'commands:');
  for (const [name, load] of Object.entries(COMMANDS)) {
    const cmd = await load();
    // Internal commands (the Slurm job worker) are for synx itself, not for people.
    if (cmd.summary.startsWith('(internal)')) continue;
    writeLine(io.stdout, `  ${name.padEnd(10)} ${cmd.summary}`);
  }
  writeLine(io.stdout, '\nrun `synx help <command>` for its options');
}

/** `synx NAME` or `synx help NAME` for a command that does not exist: usage error, exit 2. */
async function unknownCommand(io: CliIO, name: string): Promise<number> {
  const { didYouMean } = await import('../diag/index.js');
  writeLine(io.stderr, `synx: unknown command '${name}'${didYouMean(name, Object.keys(COMMANDS))}`);
  writeLine(io.stderr, 'run `synx help` for the list of commands');
  return 2;
}

/** Runs the CLI; returns the exit code. Never throws: a bug is printed as one, with exit code 70. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = rest[0];
      if (topic === undefined) {
        await help(io);
        return 0;
      }
      const load = COMMANDS[topic];
      if (!load) return unknownCommand(io, topic);
      writeLine(io.stdout, (await load()).usage);
      return 0;
    }
    if (name === '--version' || name === 'version') {
      writeLine(io.stdout, VERSION);
      return 0;
    }
    const load = COMMANDS[name];
    if (!load) return await unknownCommand(io, name);
    const cmd = await load();
    // `synx run --help` is how most people ask; before a `--` it is never a file name.
    const beforeSeparator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (beforeSeparator.includes('--help') || beforeSeparator.includes('-h')) {
      writeLine(io.stdout, cmd.usage);
      return 0;
    }
    try {
      return await cmd.run(rest, io);
    } catch (e) {
      if (e instanceof UsageError) {
        writeLine(io.stderr, `synx ${name}: ${e.message}\n`);
        writeLine(io.stderr, cmd.usage);
        return 2;
      }
      throw e;
    }
  } catch (e) {
    const err = e as Error;
    const missing = missingDependency(err);
    if (missing !== undefined) {
      writeLine(io.stderr, `synx: the installation is incomplete: ${missing} is missing`);
      writeLine(io.stderr, 'run `bash scripts/setup.sh` in the synx folder to install the dependencies and build the CLI');
      return 70;
    }
    writeLine(io.stderr, `synx: internal error (a bug in synx, please report it): ${err.message}`);
    if (io.env.SYNX_DEBUG) writeLine(io.stderr, err.stack ?? '');
    else writeLine(io.stderr, 'set SYNX_DEBUG=1 for the stack trace');
    return 70;
  }
}

/**
 * The package (or compiled file) a failed import names, when the error is a missing module rather
 * than a bug: a half-finished `npm ci`, a deleted `node_modules/x`, a `dist/` never built.
 */
export function missingDependency(err: Error): string | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/'"]+)/.exec(err.message);
  if (pkg) return `package '${pkg[1]}'`;
  const named = /Cannot find (?:package|module) '([^']+)'/.exec(err.message);
  return named ? `'${named[1]}'` : 'a module';
}

export { VERSION };
