import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingDependency } from '../../src/cli/main.js';
import { synx } from './cli-io.js';

// Inputs a hostile-input probe found mishandled (issue 15): each answer is a short, clear message
// with the exit code of bad input, never a stack trace or the bytes of a file that is not synx's.
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');
const GOOD = 'sample 10 ids x 10 imgs, pretrain 100\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synx-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI misuse', () => {
  it('`synx help nosuch` is an unknown command, exit 2', async () => {
    const r = await synx(dir, 'help', 'nosuch');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("synx: unknown command 'nosuch'\nrun `synx help` for the list of commands\n");
    expect(r.stdout).toBe('');
  });

  it('`--jobs -1` is answered by the check of --jobs, not the parser\'s "ambiguous"', async () => {
    writeFileSync(path.join(dir, 'a.synexp'), GOOD);
    for (const args of [['--jobs', '-1'], ['-j', '-1']]) {
      const r = await synx(dir, 'run', ...args, 'a.synexp');
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe("synx run: --jobs must be a whole number of at least 1, not '-1'");
    }
  });
});

describe('files that are not what they claim', () => {
  it('a binary synx.yaml is refused in one line, without echoing its bytes', async () => {
    copyFileSync(path.join(here, 'fixtures', 'binary-synx.yaml'), path.join(dir, 'synx.yaml'));
    writeFileSync(path.join(dir, 'a.synexp'), GOOD);
    const r = await synx(dir, 'check', 'a.synexp');
    expect(r.code).toBe(2);
    expect(r.stdout.replace(dir, '<dir>')).toBe(
      '<dir>/synx.yaml:1:1: error SX4002: synx.yaml is not a text file: it holds binary bytes (the first on line 1)\n' +
        '  hint: synx.yaml is YAML text; see "Configuration" in the README\n\n' +
        'checked 1 file: 1 error, 0 warnings\n',
    );
  });

  it('an import of a folder named like a .synexp says it is a folder', async () => {
    mkdirSync(path.join(dir, 'presets.synexp'));
    writeFileSync(path.join(dir, 'a.synexp'), `import "presets.synexp"\n${GOOD}`);
    const r = await synx(dir, 'check', 'a.synexp');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("a.synexp:1:1: error SX2012: cannot import 'presets.synexp': it is a folder, not a file");
  });

  it('a source line is shown as a short printable excerpt', async () => {
    const long = `sample 10 ids x 10 imgs, pretrain 100, ${'x'.repeat(3000)}\u0007 ~ U(0, 1)\n`;
    writeFileSync(path.join(dir, 'a.synexp'), long);
    const r = await synx(dir, 'check', 'a.synexp');
    expect(r.code).toBe(2);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThan(260);
    expect(r.stdout).not.toContain('\u0007');
  });
});

describe('a partly installed synx', () => {
  it('names the missing package and says to run scripts/setup.sh', async () => {
    let err: Error | undefined;
    try {
      await import(path.join(dir, 'node_modules', 'chevrotain', 'index.js'));
    } catch (e) {
      err = e as Error;
    }
    expect(missingDependency(err!)).toBe("package 'chevrotain'");
    expect(missingDependency(new Error('a bug'))).toBeUndefined();
  });

  it('bin/synx.js without its compiled CLI says to run scripts/setup.sh, exit 70', async () => {
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin', 'synx.js'), readFileSync(path.join(root, 'bin', 'synx.js')));
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    const r = await promisify(execFile)(process.execPath, [path.join(dir, 'bin', 'synx.js'), 'check']).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(70);
    expect(r.stderr).toContain('synx: the installation is incomplete:');
    expect(r.stderr).toContain('run `bash scripts/setup.sh` in the synx folder to install the dependencies and build the CLI');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
