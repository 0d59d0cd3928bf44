import { chooseLogger, type Logger } from './logger.js';
import { jsonLogger } from './json-logger.js';
import { plainLogger } from './plain-logger.js';

/** Options of `createLogger`. */
export interface CreateLoggerOptions {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
  /** `--json`: the event stream as JSON lines. */
  readonly json?: boolean;
  readonly verbose?: boolean;
}

/**
 * The right logger for a stream: JSON lines on request, the Ink UI on an interactive terminal,
 * plain lines otherwise. Ink (and React) are loaded only when the UI is used.
 */
export async function createLogger(options: CreateLoggerOptions): Promise<Logger> {
  const choice = chooseLogger(options.stdout, options.env, options.json ?? false);
  if (choice === 'json') return jsonLogger(options.stdout);
  if (choice === 'plain') return plainLogger(options.stdout, { verbose: options.verbose ?? false });
  const { inkLogger } = await import('./ink-logger.js');
  return inkLogger(options.stdout as NodeJS.WriteStream);
}
