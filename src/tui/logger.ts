import type { RunEvent } from '../events/index.js';

/** Draws a run's events somewhere. `close` waits until everything is drawn. */
export interface Logger {
  onEvent(e: RunEvent): void;
  close(): Promise<void>;
}

/** Which logger a terminal gets: Ink on an interactive terminal, plain lines elsewhere or in CI. */
export type LoggerChoice = 'ink' | 'plain' | 'json';

/**
 * Ink 6 has no non-interactive mode (piped, it writes every frame with erase codes), so the
 * choice is made here: `--json` wins, then plain lines unless stdout is a TTY and CI is unset.
 */
export function chooseLogger(stdout: { isTTY?: boolean }, env: NodeJS.ProcessEnv, json: boolean): LoggerChoice {
  if (json) return 'json';
  if (!stdout.isTTY) return 'plain';
  if (env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false') return 'plain';
  if (env.TERM === 'dumb') return 'plain';
  return 'ink';
}
