import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCycles, cycles, importGraph } from '../../scripts/check-cycles.js';

let root: string;
beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'synx-cycles-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
}

describe('the import-cycle check', () => {
  it('finds no cycle in a tree whose stages import one way', () => {
    tree({
      'lang/index.ts': "export * from './parse.js';\n",
      'lang/parse.ts': "import type { P } from '../params/index.js';\nexport const parse = (p: P) => p;\n",
      'params/index.ts': 'export type P = number;\n',
      'plan/index.ts': "import { parse } from '../lang/index.js';\nimport type { P } from '../params/index.js';\nexport const plan = (p: P) => parse(p);\n",
    });
    expect(checkCycles(root)).toEqual({ ok: true, report: 'no import cycles among 4 modules' });
  });

  it('finds a cycle between stage folders made of type-only imports, and names the imports', () => {
    tree({
      'lang/lower.ts': "import type { Dist } from '../plan/params.js';\nexport const lower = (d: Dist) => d;\n",
      'plan/params.ts': 'export type Dist = number;\n',
      'plan/compile.ts': "import { lower } from '../lang/lower.js';\nexport const compile = lower;\n",
    });
    const r = checkCycles(root);
    expect(r.ok).toBe(false);
    expect(r.report.split('\n')).toEqual([
      'stage folders: lang → plan → lang',
      '  lang/lower.ts imports plan/params.ts',
      '  plan/compile.ts imports lang/lower.ts',
      '1 cycle(s) between stage folders, 0 between modules (of 3)',
    ]);
  });

  it('finds module cycles through re-exports, dynamic imports and folder doors, but not in comments', () => {
    tree({
      'a.ts': "export { b } from './b.js';\n// import { c } from './c.js';\n",
      'b.ts': "export const b = () => import('./x/index.js');\n",
      'x/index.ts': "export * from '../a.js';\n/* import './c.js' */\n",
      'c.ts': "import './a.js';\n",
    });
    const g = importGraph(root);
    expect([...g.get('a.ts')!]).toEqual(['b.ts']);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', path.join('x', 'index.ts'), 'a.ts']]);
  });
});

describe("synx's own source", () => {
  it('has no import cycle between modules or stage folders', () => {
    const src = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../src');
    const r = checkCycles(src);
    expect(r.report).toMatch(/^no import cycles among \d+ modules$/);
    expect(r.ok).toBe(true);
  });
});
