import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectGolden, updatingGoldens } from './golden.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'synx-golden-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('golden files', () => {
  it('a missing golden fails and is not written', () => {
    const file = path.join(dir, 'new.expected.txt');
    expect(() => expectGolden('text\n', file, {})).toThrow(/new\.expected\.txt is missing: run the test with UPDATE_GOLDENS=1/);
    expect(existsSync(file)).toBe(false);
  });

  it('a golden that differs fails and is left as it was', () => {
    const file = path.join(dir, 'old.expected.txt');
    writeFileSync(file, 'old\n');
    expect(() => expectGolden('new\n', file, {})).toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(() => expectGolden('old\n', file, {})).not.toThrow();
  });

  it('UPDATE_GOLDENS=1 writes a missing golden and rewrites a changed one', () => {
    const file = path.join(dir, 'g.expected.txt');
    expectGolden('one\n', file, { UPDATE_GOLDENS: '1' });
    expect(readFileSync(file, 'utf8')).toBe('one\n');
    expectGolden('two\n', file, { UPDATE_GOLDENS: '1' });
    expect(readFileSync(file, 'utf8')).toBe('two\n');
  });

  it('UPDATE_GOLDENS empty or 0 does not update', () => {
    expect(updatingGoldens({})).toBe(false);
    expect(updatingGoldens({ UPDATE_GOLDENS: '' })).toBe(false);
    expect(updatingGoldens({ UPDATE_GOLDENS: '0' })).toBe(false);
    expect(updatingGoldens({ UPDATE_GOLDENS: '1' })).toBe(true);
  });
});
