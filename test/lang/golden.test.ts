import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../src/diag/index.js';
import { check } from '../../src/lang/index.js';
import { expectGolden } from '../helpers/golden.js';

// Golden tests of what users read: each bad fixture's diagnostics, printed as `synx check`
// prints them, are kept beside it in a .expected.txt file. UPDATE_GOLDENS=1 rewrites them;
// a missing one fails.
const here = path.dirname(fileURLToPath(import.meta.url));
const badDir = path.join(here, 'fixtures', 'bad');
const goodDir = path.join(here, 'fixtures', 'good');
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

function render(dir: string, name: string): string {
  const file = path.join(dir, name);
  const text = readFileSync(file, 'utf8');
  const rel = `fixtures/${path.basename(dir)}/${name}`;
  const r = check(text, rel, { cwd: here });
  return `${strip(formatDiagnostics(r.diagnostics, 'text', { sources: r.sources }))}\n`;
}

describe('diagnostics of bad files (golden)', () => {
  for (const name of readdirSync(badDir).filter((f) => f.endsWith('.synexp')).sort()) {
    it(name, () => {
      const actual = render(badDir, name);
      const golden = path.join(badDir, name.replace(/\.synexp$/, '.expected.txt'));
      expectGolden(actual, golden);
    });
  }
});

describe('good files', () => {
  for (const name of readdirSync(goodDir).filter((f) => f.endsWith('.synexp')).sort()) {
    it(`${name} checks clean`, () => {
      expect(render(goodDir, name)).toBe('\n');
    });
  }
});
