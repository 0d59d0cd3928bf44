import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synx } from './cli-io.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synx-dataset-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const EXP = 'sample 20 ids x 4 imgs\npretrain\nfinetune mine 50%\neval lfw\n';

describe("a dataset's problems point at its lines in synx.yaml", () => {
  it('a missing or non-folder path at its value, a dataset not configured at datasets:', async () => {
    mkdirSync(path.join(dir, 'mine'));
    writeFileSync(path.join(dir, 'notafolder'), 'x');
    writeFileSync(path.join(dir, 'e.synexp'), EXP);
    writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 1\ndatasets:\n  mine:\n    format: folder\n    path: mine\n  lfw:\n    format: lfw\n    path: nolfw\n');
    const missing = await synx(dir, 'run', 'e.synexp');
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).toContain(`synx.yaml:8:11: error SX5002: dataset 'lfw': path ${path.join(dir, 'nolfw')} does not exist`);

    writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 1\ndatasets:\n  mine:\n    format: folder\n    path: mine\n  lfw:\n    path: notafolder\n    format: lfw\n');
    const file = await synx(dir, 'run', 'e.synexp');
    expect(file.stdout + file.stderr).toContain(`synx.yaml:7:11: error SX5002: dataset 'lfw': path ${path.join(dir, 'notafolder')} is a file, not a folder`);

    writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 1\ndatasets:\n  mine:\n    format: folder\n    path: mine\n');
    const absent = await synx(dir, 'run', 'e.synexp');
    expect(absent.stdout + absent.stderr).toContain("synx.yaml:3:3: error SX5001: dataset 'lfw' is not configured");
  }, 60_000);

  it("a missing pairs file or an unset metadata CSV stops the run before any work, at the dataset's lines", async () => {
    mkdirSync(path.join(dir, 'mine'));
    mkdirSync(path.join(dir, 'lfw'));
    writeFileSync(path.join(dir, 'e.synexp'), EXP);
    writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 1\ndatasets:\n  mine:\n    format: folder\n    path: mine\n  lfw:\n    format: lfw\n    path: lfw\n');
    const pairs = await synx(dir, 'run', 'e.synexp');
    expect(pairs.code).toBe(2);
    expect(pairs.stdout + pairs.stderr).toContain(`synx.yaml:7:5: error SX5002: dataset 'lfw': its pairs file (pairs) ${path.join(dir, 'lfw', 'pairs.txt')} does not exist`);
    expect(pairs.stdout).not.toMatch(/ok +render/);

    writeFileSync(path.join(dir, 'i.synexp'), 'sample 20 ids x 4 imgs\npretrain\neval ij\n');
    writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 1\ndatasets:\n  ij:\n    format: ijba\n    path: lfw\n    pairs: lfw/comparisons.csv\n');
    const ijba = await synx(dir, 'run', 'i.synexp');
    expect(ijba.code).toBe(2);
    const out = ijba.stdout + ijba.stderr;
    expect(out).toContain("error SX5001: dataset 'ij': its templates CSV (metadata) is not set");
    expect(out).toContain(`synx.yaml:6:12: error SX5002: dataset 'ij': its comparisons CSV (pairs) ${path.join(dir, 'lfw', 'comparisons.csv')} does not exist`);
  }, 60_000);
});
