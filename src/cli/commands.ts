import type { Command } from './io.js';

/**
 * Every `synx` command, loaded lazily so `synx check` does not pay for TensorFlow.js start-up.
 * Add a command here and in the README's command list.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  check: async () => (await import('./commands/check.js')).default,
  fmt: async () => (await import('./commands/fmt.js')).default,
  plan: async () => (await import('./commands/plan.js')).default,
  graph: async () => (await import('./commands/graph.js')).default,
  run: async () => (await import('./commands/run.js')).default,
  why: async () => (await import('./commands/why.js')).default,
  cache: async () => (await import('./commands/cache.js')).default,
  runs: async () => (await import('./commands/runs.js')).default,
  report: async () => (await import('./commands/report.js')).default,
  metrics: async () => (await import('./commands/metrics.js')).default,
  preview: async () => (await import('./commands/preview.js')).default,
  export: async () => (await import('./commands/export.js')).default,
  audit: async () => (await import('./commands/audit.js')).default,
  'exec-node': async () => (await import('./commands/exec-node.js')).default,
};
