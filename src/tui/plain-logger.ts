import { describeFailure, describeWarning, type RunEvent } from '../events/index.js';
import type { Logger } from './logger.js';
import { applyEvent, emptyRunState, etaOf, formatDuration, formatRate, rateOf, summaryLine } from './run-state.js';

/** Options of the plain logger. */
export interface PlainLoggerOptions {
  /** Least seconds between two progress lines of one node (default 10). */
  readonly progressEverySeconds?: number;
  /** Also print the nodes' log lines. */
  readonly verbose?: boolean;
}

/**
 * The logger for pipes, files and CI: one line per node start and finish, progress at most every
 * few seconds per node, a summary. No escape codes, no carriage returns: every line is final, so
 * a log file reads top to bottom.
 */
export function plainLogger(out: NodeJS.WritableStream, options: PlainLoggerOptions = {}): Logger {
  const state = emptyRunState();
  const every = (options.progressEverySeconds ?? 10) * 1000;
  const lastLine = new Map<string, number>();
  let finished = 0;
  const line = (text: string) => out.write(`${text}\n`);
  const kindCol = (k: string) => k.padEnd(6);
  const counter = () => `[${String(++finished).padStart(String(state.toRun).length)}/${state.toRun}]`;
  return {
    onEvent(e: RunEvent) {
      applyEvent(state, e);
      switch (e.type) {
        case 'run-start':
          line(`synx run ${e.runId}: ${e.file}: ${e.nodes.length} nodes, ${e.cached} cached, ${e.toRun} to run, ${e.jobs} at a time`);
          break;
        case 'node-start':
          lastLine.set(e.node.id, e.time);
          line(`start     ${kindCol(e.node.kind)} ${e.node.label} (${e.node.id})`);
          break;
        case 'node-progress': {
          const last = lastLine.get(e.node.id) ?? 0;
          if (e.time - last < every || e.progress.done >= e.progress.total) break;
          lastLine.set(e.node.id, e.time);
          const v = state.nodes.get(e.node.id)!;
          const p = e.progress;
          const pct = p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';
          const rate = rateOf(v);
          const eta = etaOf(v, e.time);
          const metrics = Object.entries(p.metrics ?? {}).map(([k, x]) => ` ${k}=${formatRate(x)}`).join('');
          line(
            `progress  ${kindCol(e.node.kind)} ${e.node.label}: ${p.done}/${p.total} ${p.unit}${pct}` +
              `${rate !== undefined ? `, ${formatRate(rate)} ${p.unit}/s` : ''}` +
              `${eta !== undefined ? `, eta ${formatDuration(eta)}` : ''}${metrics}${p.message ? ` (${p.message})` : ''}`,
          );
          break;
        }
        case 'node-log':
          if (options.verbose) line(`log       ${kindCol(e.node.kind)} ${e.node.label}: ${e.message}`);
          break;
        case 'node-finish':
          if (e.status === 'ran') line(`${counter()} ok      ${kindCol(e.node.kind)} ${e.node.label} in ${formatDuration(e.seconds)}`);
          else if (e.status === 'cancelled') line(`${counter()} cancelled ${kindCol(e.node.kind)} ${e.node.label}`);
          else {
            const error = e.failure ? describeFailure(e.failure) : undefined;
            line(`${counter()} FAILED  ${kindCol(e.node.kind)} ${e.node.label} (${e.node.id}): ${error?.message ?? 'failed'}`);
            if (error?.hint) line(`          hint: ${error.hint}`);
            if (error?.log) line(`          log: ${error.log}`);
          }
          break;
        case 'node-cached':
          if (e.source === 'concurrent') line(`${counter()} cached  ${kindCol(e.node.kind)} ${e.node.label} (computed by another run)`);
          break;
        case 'node-skipped':
          line(`${counter()} skipped ${kindCol(e.node.kind)} ${e.node.label} (needs ${e.because}, which failed)`);
          break;
        case 'cache-warning':
          line(`warning: ${describeWarning(e.warning)}`);
          break;
        case 'run-finish':
          line(`${e.summary.status === 'ok' ? 'done' : e.summary.status === 'failed' ? 'FAILED' : 'cancelled'}: ${summaryLine(e.summary)}`);
          break;
      }
    },
    async close() {},
  };
}
