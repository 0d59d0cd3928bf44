// Golden files: what users read, kept as text beside the tests. A run with UPDATE_GOLDENS=1
// rewrites them; any other run compares, and a missing golden fails (a golden that wrote itself
// when missing could never fail the first time, so a new one would go unreviewed).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/** Whether this run rewrites goldens (UPDATE_GOLDENS set to anything but '' or '0'). */
export function updatingGoldens(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.UPDATE_GOLDENS;
  return v !== undefined && v !== '' && v !== '0';
}

/** Asserts `actual` equals the golden file at `file`, or writes it when goldens are being updated. */
export function expectGolden(actual: string, file: string, env: NodeJS.ProcessEnv = process.env): void {
  if (updatingGoldens(env)) {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`golden file ${path.relative(process.cwd(), file)} is missing: run the test with UPDATE_GOLDENS=1 to write it, then review and commit it`);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
