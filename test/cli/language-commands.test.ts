import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synx } from './cli-io.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synx-lang-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = 'sample 100 ids x 2 imgs, pretrain 200, finetune casia {10%, 50%}, eval lfw\n';
const BAD = 'sample 100 ids\nyawn ~ U(-90, 90)\nfinetune casia 150%\n';

describe('synx check', () => {
  it('exits 0 on clean files and 2 on errors, reporting every error of every file', async () => {
    writeFileSync(path.join(dir, 'good.synexp'), GOOD);
    expect((await synx(dir, 'check', 'good.synexp')).code).toBe(0);
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'bad.synexp'), BAD);
    const r = await synx(dir, 'check');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("sub/bad.synexp:2:1: error SX2001: unknown parameter 'yawn' (did you mean 'yaw'?)");
    expect(r.stdout).toContain('sub/bad.synexp:3:16: error SX2004');
    expect(r.stdout).toContain('checked 2 files: 3 errors, 0 warnings');
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('prints JSON diagnostics in the one diagnostic shape', async () => {
    writeFileSync(path.join(dir, 'bad.synexp'), BAD);
    const r = await synx(dir, 'check', '--format', 'json', 'bad.synexp');
    const json = JSON.parse(r.stdout) as { files: number; diagnostics: Record<string, unknown>[] };
    expect(json.files).toBe(1);
    expect(Object.keys(json.diagnostics[0]!).sort()).toEqual(['code', 'file', 'hint', 'message', 'range', 'severity']);
    expect(json.diagnostics[0]).toMatchObject({ code: 'SX2001', severity: 'error', file: 'bad.synexp', range: { start: { line: 2, column: 1 } } });
  });

  it('prints GitHub annotations', async () => {
    writeFileSync(path.join(dir, 'bad.synexp'), BAD);
    const r = await synx(dir, 'check', '--format', 'github', 'bad.synexp');
    expect(r.stdout.split('\n')[0]).toBe(
      "::error file=bad.synexp,line=2,col=1,endLine=2,endColumn=5,title=SX2001::unknown parameter 'yawn' (did you mean 'yaw'?) (hint: parameters with ~ are yaw, pitch, roll, scale, tx, ty, shape, color, expression, specular, gain, contrast, offset, noise, blur, illumination, background)",
    );
  });

  it('names a missing file and a bad option without a stack trace', async () => {
    const missing = await synx(dir, 'check', 'nope.synexp');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('nope.synexp:1:1: error SX1004: cannot read nope.synexp: no such file or folder');
    const usage = await synx(dir, 'check', '--format', 'xml');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--format must be one of text, json, github');
    expect(usage.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('knows datasets declared in synx.yaml, and reports a bad synx.yaml with its line', async () => {
    writeFileSync(path.join(dir, 'mine.synexp'), 'sample 10 ids x 2 imgs, pretrain, eval mylfw\n');
    expect((await synx(dir, 'check', 'mine.synexp')).code).toBe(2);
    writeFileSync(path.join(dir, 'synx.yaml'), 'datasets:\n  mylfw:\n    format: lfw\n    path: /data/lfw\n');
    expect((await synx(dir, 'check', 'mine.synexp')).code).toBe(0);
    writeFileSync(path.join(dir, 'synx.yaml'), 'datasets:\n  mylfw:\n    format: lfq\n    path: /data/lfw\n');
    const r = await synx(dir, 'check', 'mine.synexp');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('synx.yaml:3:13: error SX4001: datasets.mylfw.format must be one of "folder", "lfw", "ijba", "multipie"');
  });

  it('checks the shipped experiments and presets clean', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const r = await synx(root, 'check', 'experiments', 'lib');
    expect(r.stdout).toMatch(/0 errors/);
    expect(r.code).toBe(0);
  });
});

describe('synx fmt', () => {
  it('formats in place, is idempotent, and --check reports', async () => {
    const f = path.join(dir, 'a.synexp');
    writeFileSync(f, 'sample 10k ids, yaw ~ U(-90,90), pretrain 1M, finetune casia 10%  # note\n');
    expect((await synx(dir, 'fmt', '--check', 'a.synexp')).code).toBe(1);
    expect((await synx(dir, 'fmt', 'a.synexp')).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe('sample 10k ids\nyaw ~ U(-90, 90)\npretrain 1M\nfinetune casia 10%  # note\n');
    expect((await synx(dir, 'fmt', '--check', 'a.synexp')).code).toBe(0);
  });

  it('leaves a file with syntax errors untouched', async () => {
    const f = path.join(dir, 'b.synexp');
    writeFileSync(f, 'yaw ~ U(-90, 90\n');
    const r = await synx(dir, 'fmt', 'b.synexp');
    expect(r.code).toBe(2);
    expect(readFileSync(f, 'utf8')).toBe('yaw ~ U(-90, 90\n');
  });
});

describe('synx plan and graph', () => {
  it('prints the plan as JSON in the documented shape', async () => {
    writeFileSync(path.join(dir, 'p.synexp'), GOOD);
    const r = await synx(dir, 'plan', 'p.synexp', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { nodes: { id: string; kind: string; fingerprint: string; deps: string[]; params: unknown }[] };
    const kinds = json.nodes.map((n) => n.kind);
    expect(kinds.filter((k) => k === 'train')).toHaveLength(3);
    for (const n of json.nodes) {
      expect(n.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(n.id).toBe(`${n.kind}-${n.fingerprint.slice(0, 10)}`);
      expect(typeof n.params).toBe('object');
    }
  });

  it('lists nodes with their status, and folds render shards', async () => {
    writeFileSync(path.join(dir, 'p.synexp'), 'sample 5k ids x 10 imgs, pretrain\n');
    const r = await synx(dir, 'plan', 'p.synexp');
    expect(r.stdout).toContain('p.synexp: 1 experiment, 26 nodes (25 render, 1 train), 0 cached');
    expect(r.stdout).toMatch(/render-[0-9a-f]{10}\s+new\s+render synthetic ids 0-4999 x 10 \(25 shards\)/);
  });

  it('stops with diagnostics on a bad file', async () => {
    writeFileSync(path.join(dir, 'bad.synexp'), BAD);
    const r = await synx(dir, 'plan', 'bad.synexp');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SX2001');
  });

  it('draws DOT and Mermaid', async () => {
    writeFileSync(path.join(dir, 'p.synexp'), GOOD);
    const dot = await synx(dir, 'graph', 'p.synexp');
    expect(dot.stdout).toMatch(/^digraph synx \{/);
    expect(dot.stdout).toContain('shape=diamond');
    const mm = await synx(dir, 'graph', 'p.synexp', '--format', 'mermaid');
    expect(mm.stdout).toMatch(/^flowchart LR\n/);
    expect(mm.stdout).toMatch(/train_[0-9a-f]{10} --> train_[0-9a-f]{10}/);
  });
});

describe('synx', () => {
  it('suggests a command for a typo and exits 2', async () => {
    const r = await synx(dir, 'chekc');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'chekc' (did you mean 'check'?)");
  });
});

describe('synx run options', () => {
  it('rejects an unknown backend before doing anything', async () => {
    writeFileSync(path.join(dir, 'r.synexp'), GOOD);
    const r = await synx(dir, 'run', 'r.synexp', '--backend', 'gpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--backend must be one of wasm, webgpu, tfjs-node, tfjs-node-gpu, cpu, not 'gpu'");
  });

  it('names the option a mistyped one most likely meant, and the value a bare option lacks', async () => {
    writeFileSync(path.join(dir, 'r.synexp'), GOOD);
    const cases: [string[], string][] = [
      [['preview', 'r.synexp', '-o', 'x.png'], "synx preview: unknown option '-o' (did you mean '--out'?)"],
      [['run', 'r.synexp', '--job', '2'], "synx run: unknown option '--job' (did you mean '--jobs'?)"],
      [['plan', 'r.synexp', '--jsno'], "synx plan: unknown option '--jsno' (did you mean '--json'?)"],
      [['check', 'r.synexp', '--bogus'], "synx check: unknown option '--bogus'\n"],
      [['run', 'r.synexp', '--jobs'], "synx run: option '--jobs' needs a value: --jobs VALUE"],
    ];
    for (const [args, message] of cases) {
      const r = await synx(dir, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      // The usage follows; node's advice on positionals that start with '-' does not.
      expect(r.stderr).toContain(`usage: synx ${args[0]}`);
      expect(r.stderr).not.toContain('positional');
    }
  });

  it('lists every command but the internal ones in help', async () => {
    const r = await synx(dir, 'help');
    for (const c of ['check', 'fmt', 'plan', 'graph', 'run', 'why', 'cache', 'runs', 'report', 'preview', 'metrics']) expect(r.stdout).toContain(`  ${c} `);
    expect(r.stdout).not.toContain('exec-node');
  });

  it('prints a command\'s usage for --help and -h, exit 0, without running it', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await synx(dir, 'run', flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('usage: synx run FILE');
      expect(r.stderr).toBe('');
    }
    const c = await synx(dir, 'check', 'nosuch.synexp', '--help');
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('usage: synx check');
  });
});
