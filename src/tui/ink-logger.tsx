import { render } from 'ink';
import type { RunEvent } from '../events/index.js';
import type { Logger } from './logger.js';
import { RunApp } from './RunApp.js';
import { RunStore } from './use-run-state.js';

/**
 * The terminal UI. Ctrl-C is left to the caller (`exitOnCtrlC: false`): `synx run` cancels
 * running nodes on the first, and exits on the second.
 */
export function inkLogger(stdout: NodeJS.WriteStream & { columns?: number }): Logger {
  const store = new RunStore();
  // Some pseudo-terminals report 0 columns: take that as unknown.
  const columns = stdout.columns !== undefined && stdout.columns > 0 ? stdout.columns : 80;
  const width = Math.max(40, Math.min(160, columns - 1));
  const app = render(<RunApp store={store} width={width} />, {
    stdout,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    onEvent(e: RunEvent) {
      store.push(e);
    },
    async close() {
      // Let the last (urgent) frame be committed before unmounting.
      await new Promise((r) => setTimeout(r, 20));
      app.unmount();
      await app.waitUntilExit();
    },
  };
}
