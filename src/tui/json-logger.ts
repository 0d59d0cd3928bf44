import { describeFailure, type RunEvent } from '../events/index.js';
import type { Logger } from './logger.js';

/**
 * `--json`: the event stream itself, one JSON object per line, for other programs to read. A
 * failure is written in words (`error`: message, hint, code, bug, log), as in the run record.
 */
export function jsonLogger(out: NodeJS.WritableStream): Logger {
  return {
    onEvent(e: RunEvent) {
      out.write(`${JSON.stringify(jsonOf(e))}\n`);
    },
    async close() {},
  };
}

/** The event as written: a node-finish's `failure` becomes `error`, in words, in its place. */
function jsonOf(e: RunEvent): unknown {
  if (e.type !== 'node-finish' || !e.failure) return e;
  const { failure, ...rest } = e;
  return { ...rest, error: describeFailure(failure) };
}
