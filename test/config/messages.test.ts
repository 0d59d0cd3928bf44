import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The first diagnostic of a synx.yaml holding `yaml`: message, hint and line:column. */
function firstProblem(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-config-messages-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'synx.yaml'), yaml);
  const d = loadConfig(dir, {}).diagnostics[0];
  return d ? `${d.range.start.line}:${d.range.start.column} ${d.message} | ${d.hint ?? ''}` : 'none';
}

const README = 'see "Configuration" in the README for every key of synx.yaml';

describe('synx.yaml problems in the words of the file', () => {
  it('names keys as written (datasets.mylfw.format), values in plain words, limits as numbers', () => {
    expect(firstProblem('threads: -1\n')).toBe(`1:10 threads must be at least 1 | ${README}`);
    expect(firstProblem('threads: lots\n')).toBe(`1:10 threads must be a whole number | ${README}`);
    expect(firstProblem('scale: 0\n')).toBe(`1:8 scale must be above 0 | ${README}`);
    expect(firstProblem('scale: 2\n')).toBe(`1:8 scale must be at most 1 | ${README}`);
    expect(firstProblem('cache: 12\n')).toBe(`1:8 cache must be text (in quotes if it looks like a number) | ${README}`);
    expect(firstProblem('datasets:\n  lfw: 3\n')).toBe(`2:8 datasets.lfw must be a mapping of keys (key: value lines, indented) | ${README}`);
    expect(firstProblem('datasets:\n  mylfw:\n    path: x\n')).toBe(`3:5 datasets.mylfw needs the key 'format' | ${README}`);
  });

  it('names the key a mistyped one most likely meant, and where a dataset key belongs', () => {
    expect(firstProblem('thread: 2\n')).toBe(`1:1 synx.yaml has an unknown key 'thread' | did you mean 'threads'? (${README})`);
    expect(firstProblem('slurm:\n  partiton: gpu\n')).toBe(`2:3 slurm has an unknown key 'partiton' | did you mean 'partition'? (${README})`);
    expect(firstProblem('align: face-api\n')).toBe("1:1 synx.yaml has an unknown key 'align' | align is a dataset's key: write it under datasets.NAME (e.g. datasets.mylfw.align)");
    expect(firstProblem('colour: red\n')).toMatch(/^1:1 synx\.yaml has an unknown key 'colour' \| the keys here are cache, runs, backend, jobs, /);
  });
});
