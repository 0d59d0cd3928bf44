// The language reference must stay true: its examples are checked by the real checker, and its
// tables are compared with the catalogue and the grammar they describe.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diag/index.js';
import { check, synexpParser } from '../../src/lang/index.js';
import { ROOT } from './tokenize.js';

const README = readFileSync(path.join(ROOT, 'grammar', 'README.md'), 'utf8');

interface Example {
  readonly line: number;
  readonly text: string;
  /** The code the example must report, or undefined when it must check clean. */
  readonly error: string | undefined;
}

function examples(): Example[] {
  const out: Example[] = [];
  const fence = /^```synexp(?: error=(SX\d{4}))?\n([\s\S]*?)^```$/gm;
  for (const m of README.matchAll(fence)) {
    out.push({ line: README.slice(0, m.index).split('\n').length, text: m[2]!, error: m[1] });
  }
  return out;
}

// The datasets the README's synx.yaml example declares.
const DATASETS = { casia: 'folder', lfw: 'lfw', 'my-lfw': 'lfw' } as const;

describe('grammar/README.md', () => {
  const all = examples();

  it('has checked examples of both kinds', () => {
    expect(all.filter((e) => e.error === undefined).length).toBeGreaterThan(10);
    expect(all.filter((e) => e.error !== undefined).length).toBeGreaterThan(3);
  });

  it.each(all.map((e) => [e.line, e.error ?? 'clean', e] as const))('example at line %i checks %s', (_, __, e) => {
    // Each example is checked as a file of its own in grammar/, so relative paths resolve there.
    const r = check(e.text, path.join('grammar', `readme-${e.line}.synexp`), { datasets: DATASETS, cwd: ROOT });
    const found = r.diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.column} ${d.message}`);
    if (e.error === undefined) expect(found).toEqual([]);
    else expect(found.some((f) => f.startsWith(e.error!))).toBe(true);
  });

  it('lists every diagnostic code with its severity and title', () => {
    const rows = new Map<string, string[]>();
    for (const m of README.matchAll(/^\| (SX\d{4}) \| (\w+) \| ([^|]+) \|/gm)) rows.set(m[1]!, [m[2]!, m[3]!.trim()]);
    const expected = new Map(Object.entries(CODES).map(([code, c]) => [code, [c.severity, c.title]]));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  });

  it('outlines exactly the rules of the parser', () => {
    const outline = README.slice(README.indexOf('## The grammar'));
    const rules = [...outline.matchAll(/^(\w+)\s*:=/gm)].map((m) => m[1]!);
    expect(rules.sort()).toEqual(Object.keys(synexpParser.getGAstProductions()).sort());
  });
});
