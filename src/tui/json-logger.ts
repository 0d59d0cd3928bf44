import type { RunEvent } from '../events/index.js';
import type { Logger } from './logger.js';

/** `--json`: the event stream itself, one JSON object per line, for other programs to read. */
export function jsonLogger(out: NodeJS.WritableStream): Logger {
  return {
    onEvent(e: RunEvent) {
      out.write(`${JSON.stringify(e)}\n`);
    },
    async close() {},
  };
}
