import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The machine has 2 cores; training and rendering tests use worker threads of their own.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Whether a real Slurm is up, asked once (installing it only with SYNX_SLURM_SETUP=1), with
    // its own timeout, for test/slurm.
    globalSetup: ['test/slurm/global-setup.ts'],
  },
});
