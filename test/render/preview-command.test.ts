import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { synx } from '../cli/cli-io.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-preview-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

writeFileSync(
  path.join(tmp, 'look.synexp'),
  `experiment look {
  sample 10 ids x 4 imgs
  seed 3
  image 48px
  yaw ~ U(-30, 30)
  illumination ~ prior
  background ~ noise
}

experiment other {
  sample 10 ids x 4 imgs
  seed 4
  image 40px
}

experiment bad-model {
  sample 10 ids
  model "missing.h5"
}
`,
);

describe('synx preview', () => {
  it('writes a contact sheet of identities × samples', async () => {
    const r = await synx(tmp, 'preview', 'look.synexp', '--ids', '2', '--samples', '3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote look\.preview\.png: 2 identities × 3 samples of .* \(48 px\)\n$/);
    const img = PNG.sync.read(readFileSync(path.join(tmp, 'look.preview.png')));
    expect([img.width, img.height]).toEqual([3 * 48 + 4 * 2, 2 * 48 + 3 * 2]);
  });

  it('takes the render of a named experiment and an output path', async () => {
    const r = await synx(tmp, 'preview', 'look.synexp', '--experiment', 'other', '--out', 'o.png', '--ids', '1', '--samples', '1');
    expect(r.code).toBe(0);
    const img = PNG.sync.read(readFileSync(path.join(tmp, 'o.png')));
    expect([img.width, img.height]).toEqual([44, 44]);
  });

  it('reports an unknown experiment, bad counts and a missing model file', async () => {
    const unknown = await synx(tmp, 'preview', 'look.synexp', '--experiment', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no experiment 'nope'");
    const count = await synx(tmp, 'preview', 'look.synexp', '--ids', '0');
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('--ids must be a whole number');
    const model = await synx(tmp, 'preview', 'look.synexp', '--experiment', 'bad-model', '--out', 'bad.png');
    expect(model.code).toBe(1);
    expect(model.stderr).toMatch(/missing\.h5: not found/);
    expect(existsSync(path.join(tmp, 'bad.png'))).toBe(false);
  });
});
