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

/** Runs the CLI; returns the exit code. Never throws: a bug is printed as one, with exit code 70. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = rest[0];
      const load = topic !== undefined ? COMMANDS[topic] : undefined;
      if (load) writeLine(io.stdout, (await load()).usage);
      else await help(io);
      return 0;
    }
    if (name === '--version' || name === 'version') {
      writeLine(io.stdout, VERSION);
      return 0;
    }
    const load = COMMANDS[name];
    if (!load) {
      const { didYouMean } = await import('../diag/index.js');
      writeLine(io.stderr, `synx: unknown command '${name}'${didYouMean(name, Object.keys(COMMANDS))}`);
      writeLine(io.stderr, 'run `synx help` for the list of commands');
      return 2;
    }
    const cmd = await load();
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
    writeLine(io.stderr, `synx: internal error (a bug in synx, please report it): ${err.message}`);
    if (io.env.SYNX_DEBUG) writeLine(io.stderr, err.stack ?? '');
    else writeLine(io.stderr, 'set SYNX_DEBUG=1 for the stack trace');
    return 70;
  }
}

export { VERSION };
