import { existsSync } from 'node:fs';
import { VERSION } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { CHEVROTAIN_BUNDLE, CHEVROTAIN_VERSION } from '../../src/lang/chevrotain.js';

// synx loads chevrotain's single-file build (a 30x cheaper import than its entry point); it must be
// the same release as the package the types and the rest of the tooling come from.
describe('the chevrotain synx loads', () => {
  it('is the bundle shipped beside the entry point, of the same version', () => {
    expect(existsSync(CHEVROTAIN_BUNDLE)).toBe(true);
    expect(CHEVROTAIN_VERSION).toBe(VERSION);
  });
});
