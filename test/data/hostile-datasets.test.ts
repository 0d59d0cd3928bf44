import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest, listImageFolder, parseLfwPairs, readIjba, readPoseCsv } from '../../src/data/index.js';
import type { SkippedLink } from '../../src/data/datasets.js';
import { compileText, datasetProblems, type DataParams } from '../../src/plan/index.js';
import { fakeContext, rgb, testConfig, tmpDir, writePng } from './fixtures.js';

// Datasets that try to reach outside their root, and "symlink farms" (issue 15).
const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures-hostile');
const img = rgb(8, 8, () => [40, 40, 40]);

describe('dataset metadata stays inside the dataset root', () => {
  it('an LFW pairs line naming ../../etc is refused, naming the line', () => {
    const file = path.join(fixtures, 'pairs-traversal.txt');
    expect(() => parseLfwPairs(readFileSync(file, 'utf8'), 'pairs.txt')).toThrow("pairs.txt:3: the name '../../etc' is not a folder of the dataset");
  });

  it('an IJB-A template image ../../outside is refused, naming the line', () => {
    const comparisons = path.join(tmpDir(), 'c.csv');
    writeFileSync(comparisons, 'template1,template2\nt1,t2\n');
    const t = path.join(fixtures, 'templates-traversal.csv');
    expect(() => readIjba('ds', t, comparisons)).toThrow(`${t}:3: the image path '../../outside/b.jpg' is outside the dataset's folder`);
  });

  it('a Multi-PIE image with an absolute path is refused, naming the line', () => {
    const csv = path.join(fixtures, 'pose-absolute.csv');
    expect(() => readPoseCsv('ds', csv)).toThrow(`${csv}:2: the image path '/etc/passwd.jpg' is outside the dataset's folder`);
  });
});

describe('symbolic links in image folders', () => {
  const store = tmpDir('synx-links-store-');
  const root = tmpDir('synx-links-');
  writePng(path.join(store, 'alice', '1.png'), 8, 8, img);
  writePng(path.join(store, 'bob.png'), 8, 8, img);
  writePng(path.join(root, 'carol', '1.png'), 8, 8, img);
  symlinkSync(path.join(store, 'alice'), path.join(root, 'alice'));  // linked identity folder
  symlinkSync(path.join(store, 'bob.png'), path.join(root, 'carol', '2.png'));  // linked image
  symlinkSync(path.join(store, 'gone'), path.join(root, 'dave'));  // broken
  symlinkSync(path.join(root, 'loop'), path.join(root, 'loop'));  // loops on itself
  symlinkSync(root, path.join(root, 'self'));  // the root again
  symlinkSync(path.join(store, 'alice'), path.join(root, 'zed'));  // alice a second time
  mkdirSync(path.join(root, 'carol', 'sub'));

  it('follows links to identity folders and images, and lists what it skipped', () => {
    const skipped: SkippedLink[] = [];
    expect(listImageFolder('ds', root, skipped).map((l) => l.path)).toEqual(['alice/1.png', 'carol/1.png', 'carol/2.png']);
    expect(skipped).toEqual([
      { path: 'dave', reason: 'the link points at nothing' },
      { path: 'loop', reason: 'the link loops' },
      { path: 'self', reason: 'the same folder as (the dataset root)' },
      { path: 'zed', reason: 'the same folder as alice' },
    ]);
  });

  it('the data node says on the console (a warning line) which links it skipped', async () => {
    const p: DataParams = { dataset: 'ds', format: 'folder', path: root, fraction: 1, seed: 1 };
    const ctx = fakeContext('data', p, testConfig(root, { ds: { format: 'folder', path: root } }));
    const m = await buildManifest(ctx);
    expect(m.images.map((i) => i.path)).toEqual(['alice/1.png', 'carol/1.png', 'carol/2.png']);
    const warning = ctx.logs.find((l) => l.startsWith('warning: '));
    expect(warning).toMatch(/^warning: dataset 'ds': skipped 4 symbolic link\(s\) under .*: /);
    expect(warning).toContain('dave (the link points at nothing)');
  });
});

describe('the pre-run check of dataset paths', () => {
  it('a dataset path that is a file is caught before anything runs', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'casia.zip');
    writeFileSync(file, 'not a folder');
    const config = testConfig(dir, { casia: { format: 'folder', path: file } });
    const { plan } = compileText('sample 10 ids x 10 imgs, pretrain 100, finetune casia 100% with epochs 1\n', 'a.synexp', config, { cwd: dir });
    const problems = datasetProblems(plan!, config, 'synx.yaml');
    expect(problems.map((d) => `${d.code}: ${d.message}`)).toEqual([`SX5002: dataset 'casia': path ${file} is a file, not a folder`]);
  });
});
