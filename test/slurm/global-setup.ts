// Vitest global set-up (vitest.config.ts): finds out once per test run whether a real Slurm is
// up, outside every test's and hook's timeout, and hands the answer to the Slurm tests
// (`inject('slurm')`). Installing and starting Slurm is opt-in: SYNX_SLURM_SETUP=1 runs
// scripts/slurm-up.sh (apt-get, up to SLURM_SETUP_TIMEOUT_MS); otherwise it only checks, in
// seconds. `bash scripts/setup.sh --test` (what CI runs before `npm test`) starts Slurm where it
// can be installed, so CI runs the Slurm tests.
import type { TestProject } from 'vitest/node';
import { startSlurm, type SlurmStatus } from './fixtures/slurm.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** What test/slurm/global-setup.ts found or made of Slurm for this test run. */
    slurm: SlurmStatus;
  }
}

export default function setup(project: TestProject): void {
  const v = process.env.SYNX_SLURM_SETUP;
  const status = startSlurm(v !== undefined && v !== '' && v !== '0');
  project.provide('slurm', status);
}
