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
});
