import { describeFailure, describeWarning, type RunEvent } from '../events/index.js';
import type { Logger } from './logger.js';

/**
 * `--json`: the event stream itself, one JSON object per line, for other programs to read. A
 * failure is written in words (`error`: message, hint, code, bug, log), as in the run record, and
 * a warning as its `message`.
 */
export function jsonLogger(out: NodeJS.WritableStream): Logger {
  return {
    onEvent(e: RunEvent) {
      out.write(`${JSON.stringify(jsonOf(e))}\n`);
    },
    async close() {},
  };
}

/** The event as written: a node-finish's `failure` becomes `error` and a warning `message`, in words, in their place. */
function jsonOf(e: RunEvent): unknown {
  if (e.type === 'cache-warning') {
    const { warning, ...rest } = e;
    return { ...rest, message: describeWarning(warning) };
  }
  if (e.type !== 'node-finish' || !e.failure) return e;
  const { failure, ...rest } = e;
  return { ...rest, error: describeFailure(failure) };
}
