import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest, chooseIdentities, listImageFolder, loadManifestImages, parseLfwPairs, type DataManifest } from '../../src/data/index.js';
import { decodeImage, fitImage } from '../../src/image/index.js';
import { decodePool } from '../../src/data/decode-pool.js';
import { compileText, type DataParams } from '../../src/plan/index.js';
import type { DatasetConfig } from '../../src/config/index.js';
import { fakeContext, rgb, testConfig, tmpDir, writeJpeg, writePng, failure } from './fixtures.js';

const img = (v: number) => rgb(8, 8, () => [v, v, v]);

function run(root: string, params: Partial<DataParams>, ds: Partial<DatasetConfig> = {}, threads = 1) {
  const p: DataParams = { dataset: 'ds', format: 'folder', path: root, fraction: 1, seed: 1, ...params };
  const ctx = fakeContext('data', p, testConfig(root, { ds: { format: p.format, path: root, ...ds } }, { threads }));
  return { ctx, result: buildManifest(ctx) };
}

describe('image folders root/<identity>/<image>', () => {
  const root = tmpDir();
  for (const id of ['bob', 'alice', 'carol']) {
    writePng(path.join(root, id, '2.png'), 8, 8, img(10));
    writeJpeg(path.join(root, id, '1.jpg'), 8, 8, img(20));
  }
  writeFileSync(path.join(root, 'alice', 'notes.txt'), 'not an image');

  it('lists images sorted by identity then name, images only', () => {
    expect(listImageFolder('ds', root).map((l) => l.path)).toEqual([
      'alice/1.jpg',
      'alice/2.png',
      'bob/1.jpg',
      'bob/2.png',
      'carol/1.jpg',
      'carol/2.png',
    ]);
  });

  it('writes a manifest with identity indices', async () => {
    const m: DataManifest = await run(root, {}).result;
    expect(m.identities).toEqual(['alice', 'bob', 'carol']);
    expect(m.images.map((i) => i.identity)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(m.skipped).toEqual([]);
  });

  it('a missing folder names the dataset, the path and the layout', async () => {
    const e = await failure(run(path.join(root, 'nope'), {}).result);
    expect(e.message).toContain(`dataset 'ds': folder ${path.join(root, 'nope')} does not exist`);
    expect(e.hint).toContain('root/<identity>/<image>');
  });

  it('unreadable images: skipped with their path logged, or fatal', async () => {
    const bad = tmpDir();
    for (const id of ['a', 'b']) writePng(path.join(bad, id, '1.png'), 8, 8, img(5));
    writeFileSync(path.join(bad, 'b', '2.jpg'), 'garbage');
    const { ctx, result } = run(bad, {});
    const m = await result;
    expect(m.images).toHaveLength(2);
    expect(m.skipped).toEqual([{ path: 'b/2.jpg', reason: 'not a JPEG or PNG file' }]);
    expect(ctx.logs.some((l) => l.includes(path.join(bad, 'b', '2.jpg')))).toBe(true);
    const e = await failure(run(bad, { unreadable: 'fail' }).result);
    expect(e.message).toContain(`cannot decode ${path.join(bad, 'b', '2.jpg')}`);
  });

  it('checks on several worker threads with the same manifest, logs and first failure as on one', async () => {
    const root = tmpDir();
    // 40 identities × 8 images; every 7th file is garbage and every 11th a truncated PNG, so
    // failures land in many chunks and on every worker.
    const broken: string[] = [];
    let n = 0;
    for (let id = 0; id < 40; id++) {
      for (let k = 0; k < 8; k++, n++) {
        const f = path.join(root, `id${String(id).padStart(2, '0')}`, `${k}.png`);
        writePng(f, 8, 8, img((id * 8 + k) % 250));
        if (n % 7 === 3) (writeFileSync(f, 'garbage'), broken.push(f));
        else if (n % 11 === 5) (writeFileSync(f, readFileSync(f).subarray(0, 40)), broken.push(f));
      }
    }
    const one = run(root, {}, {}, 1);
    const three = run(root, {}, {}, 3);
    const [m1, m3] = await Promise.all([one.result, three.result]);
    expect(m3).toEqual(m1);
    expect(decodePool.threads).toBeGreaterThanOrEqual(3);
    expect(m1.images).toHaveLength(320 - broken.length);
    expect(m1.skipped.map((x) => path.join(root, x.path))).toEqual(broken);
    expect(three.ctx.logs).toEqual(one.ctx.logs);
    expect(three.ctx.logs.slice(0, 2)).toEqual([`skipping unreadable image ${broken[0]}: not a JPEG or PNG file`, expect.stringContaining(`skipping unreadable image ${broken[1]}: `)]);
    expect(three.ctx.progresses.at(-1)).toEqual({ done: 320, total: 320, unit: 'images' });
    // With unreadable: fail, the first broken file in listing order is the one reported.
    for (const threads of [1, 3]) {
      const e = await failure(run(root, { unreadable: 'fail' }, {}, threads).result);
      expect(e.message).toBe(`dataset 'ds': cannot decode ${broken[0]} (not a JPEG or PNG file)`);
    }
  });
});

describe('data node fingerprints', () => {
  const source = 'experiment e {\n  train casia with epochs 1\n  eval lfw\n}\n';
  const dataNodes = (ds: Partial<DatasetConfig>) => {
    const config = testConfig('/nonexistent-synx-root', { casia: { format: 'folder', path: '/data/casia', ...ds } });
    const { plan, diagnostics } = compileText(source, 'e.synexp', config, { cwd: '/nonexistent-synx-root' });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return plan!.nodes.filter((x) => x.kind === 'data' && (x.params as unknown as DataParams).dataset === 'casia');
  };

  it('change with datasets.<name>.unreadable and .fit, and only the defaults keep the old ones', () => {
    const [base] = dataNodes({});
    // `content` is the digest of the dataset's files (the path is only where to read them).
    const { content, ...rest } = base!.params as unknown as DataParams;
    expect(rest).toEqual({ dataset: 'casia', format: 'folder', path: '/data/casia', fraction: 1, seed: 1988 });
    expect(content?.folder).toMatch(/^[0-9a-f]{64}$/);
    // The defaults written out are the same node as not writing them.
    expect(dataNodes({ unreadable: 'skip', fit: 'resize' })[0]!.fingerprint).toBe(base!.fingerprint);
    const fail = dataNodes({ unreadable: 'fail' })[0]!;
    const center = dataNodes({ fit: 'center' })[0]!;
    expect(fail.params).toMatchObject({ unreadable: 'fail' });
    expect(center.params).toMatchObject({ fit: 'center' });
    expect(new Set([base!.fingerprint, fail.fingerprint, center.fingerprint]).size).toBe(3);
  });
});

describe('seeded identity fractions', () => {
  const names = Array.from({ length: 40 }, (_, i) => `id${String(i).padStart(2, '0')}`);
  it('keeps round(f·n) whole identities, the same for the same seed', () => {
    const a = chooseIdentities('ds', names, 0.25, 7);
    expect(a).toHaveLength(10);
    expect(chooseIdentities('ds', names, 0.25, 7)).toEqual(a);
    expect(chooseIdentities('ds', names, 0.25, 8)).not.toEqual(a);
    expect([...a].sort()).toEqual(a);
    expect(chooseIdentities('ds', names, 1, 7)).toEqual(names);
  });
  it('too few identities is a clear failure', () => {
    expect(() => chooseIdentities('casia', names, 0.01, 1)).toThrow("dataset 'casia' has 40 identities; a 1% subset keeps 0, and at least 2 are needed");
  });
});

describe('LFW pairs.txt', () => {
  const text = ['2 1', 'Ann 1 2', 'Ann 1 Bo 1', 'Bo 1 3', 'Bo 3 Cy 2', ''].join('\n');
  it('parses folds, same and different pairs, and LFW paths', () => {
    const pairs = parseLfwPairs(text, 'pairs.txt');
    expect(pairs.map((p) => [p.a.path, p.b.path, p.same, p.fold])).toEqual([
      ['Ann/Ann_0001.jpg', 'Ann/Ann_0002.jpg', true, 0],
      ['Ann/Ann_0001.jpg', 'Bo/Bo_0001.jpg', false, 0],
      ['Bo/Bo_0001.jpg', 'Bo/Bo_0003.jpg', true, 1],
      ['Bo/Bo_0003.jpg', 'Cy/Cy_0002.jpg', false, 1],
    ]);
  });
  it('names the file and line of a bad line or count', () => {
    expect(() => parseLfwPairs('2 1\nAnn 1 2\nAnn x\nBo 1 3\nBo 3 Cy 2\n', 'p.txt')).toThrow("p.txt:3: expected 'name n1 n2' or 'name1 n1 name2 n2', got 'Ann x'");
    expect(() => parseLfwPairs('10 300\nAnn 1 2\n', 'p.txt')).toThrow('p.txt:1: header says 10 folds of 600 pairs (6000 lines), the file has 1');
  });
  it('a pairs file that names missing images is a failure naming them', async () => {
    const root = tmpDir();
    for (const f of ['Ann/Ann_0001.jpg', 'Ann/Ann_0002.jpg', 'Bo/Bo_0001.jpg', 'Bo/Bo_0003.jpg']) writeJpeg(path.join(root, f), 8, 8, img(50));
    writeFileSync(path.join(root, 'pairs.txt'), text);
    const e = await failure(run(root, { format: 'lfw' }).result);
    expect(e.message).toContain("dataset 'ds': 1 image(s) the pairs file names do not exist");
    expect(e.message).toContain(path.join(root, 'Cy/Cy_0002.jpg'));
    writeJpeg(path.join(root, 'Cy/Cy_0002.jpg'), 8, 8, img(50));
    const m = await run(root, { format: 'lfw' }).result;
    expect(m.identities).toEqual(['Ann', 'Bo', 'Cy']);
    expect(m.pairs!.map((p) => [m.images[p.a]!.path, m.images[p.b]!.path, p.same, p.fold])[3]).toEqual(['Bo/Bo_0003.jpg', 'Cy/Cy_0002.jpg', false, 1]);
  });
});

describe('IJB-A and Multi-PIE CSVs', () => {
  it('IJB-A: templates and comparisons, genuine from subjects when no `same` column', async () => {
    const root = tmpDir();
    for (const f of ['a1.jpg', 'a2.jpg', 'b1.jpg', 'c1.png']) writePng(path.join(root, 'img', f), 8, 8, img(9));
    const t = path.join(root, 'templates.csv');
    const c = path.join(root, 'comparisons.csv');
    writeFileSync(t, 'TEMPLATE_ID,SUBJECT_ID,FILE\n1,7,img/a1.jpg\n1,7,img/a2.jpg\n2,7,img/a2.jpg\n3,8,img/b1.jpg\n4,9,img/c1.png\n');
    writeFileSync(c, 'template1,template2\n1,2\n1,3\n3,4\n');
    const m = await run(root, { format: 'ijba' }, { metadata: t, pairs: c }).result;
    expect(m.templates!.map((x) => [x.template, m.identities[x.identity], x.images.map((i) => m.images[i]!.path)])).toEqual([
      ['1', '7', ['img/a1.jpg', 'img/a2.jpg']],
      ['2', '7', ['img/a2.jpg']],
      ['3', '8', ['img/b1.jpg']],
      ['4', '9', ['img/c1.png']],
    ]);
    expect(m.comparisons!.map((x) => x.same)).toEqual([true, false, false]);
    writeFileSync(c, 'template1,template2\n1,2\n1,99\n');
    const e = await failure(run(root, { format: 'ijba' }, { metadata: t, pairs: c }).result);
    expect(e.message).toBe(`${c}:3: template 99 is not in ${t}`);
  });

  it('Multi-PIE: image, identity, yaw', async () => {
    const root = tmpDir();
    const rows = ['image,identity,yaw'];
    for (const id of ['001', '002']) {
      for (const yaw of [0, 15, -30]) {
        writePng(path.join(root, id, `${yaw}.png`), 8, 8, img(100));
        rows.push(`${id}/${yaw}.png,${id},${yaw}`);
      }
    }
    writeFileSync(path.join(root, 'poses.csv'), rows.join('\n'));
    const m = await run(root, { format: 'multipie' }, { metadata: path.join(root, 'poses.csv') }).result;
    expect(m.images.map((i) => [i.identity, i.yaw])).toEqual([
      [0, 0],
      [0, 15],
      [0, -30],
      [1, 0],
      [1, 15],
      [1, -30],
    ]);
    writeFileSync(path.join(root, 'bad.csv'), 'image,identity,yaw\n001/0.png,001,left\n');
    const e = await failure(run(root, { format: 'multipie' }, { metadata: path.join(root, 'bad.csv') }).result);
    expect(e.message).toContain("bad.csv:2: yaw must be a number of degrees, got 'left'");
  });
});

describe('loading manifest images (decode worker)', () => {
  it('decodes and fits off the main thread, equal to decoding here; a changed file is a failure', async () => {
    const root = tmpDir();
    for (const id of ['a', 'b']) writePng(path.join(root, id, '1.png'), 12, 10, rgb(12, 10, (x, y) => [x * 20, y * 20, id === 'a' ? 0 : 200]));
    const m = await run(root, { fit: 'center' }).result;
    const got = await loadManifestImages(m, [1, 0], 6);
    const here = (f: string) => fitImage(decodeImage(readFileSync(path.join(root, f))), 6, 'center');
    expect([...got]).toEqual([...here('b/1.png'), ...here('a/1.png')]);
    writeFileSync(path.join(root, 'b', '1.png'), 'broken');
    await expect(loadManifestImages(m, [0, 1], 6)).rejects.toThrow(`dataset 'ds': cannot decode ${path.join(root, 'b', '1.png')} (not a JPEG or PNG file)`);
  });
});
