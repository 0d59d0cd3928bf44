import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildManifest, createDataKind, DATA_MANIFEST, NO_FACE_LIST, readDataManifest, type FaceAligner } from '../../src/data/index.js';
import { decodeImage } from '../../src/image/index.js';
import type { DataParams } from '../../src/plan/index.js';
import { compileText } from '../../src/plan/index.js';
import { runPlan } from '../../src/exec/index.js';
import { alignDatasetImages, applySimilarity, arcfaceTemplate, detectFaces, fivePointsOf68, umeyama, type Point } from '../../src/faceapi/index.js';
import { fakeContext, rgb, testConfig, tmpDir, writeJpeg, failure } from '../data/fixtures.js';
import { cacheAt } from '../helpers/cache.js';
import { cropRgb, demoPhoto } from './demo-photos.js';
import { loadConfig } from '../../src/config/index.js';
import { defaultKinds } from '../../src/kinds/index.js';
import type { Plan } from '../../src/plan/index.js';
import { synx } from '../cli/cli-io.js';

// A tiny folder dataset from face-api's demo photos: identity `a` is one woman of sample5.jpg
// cropped twice (tight and loose, so the detector sees her at two scales), `b` another woman of
// the same photo, plus a flat grey picture with no face at all.
const root = tmpDir('synx-align-ds-');

beforeAll(async () => {
  const photo = demoPhoto(5);
  // The two most frontal women (smallest residual of the template fit): a turned head's nose tip
  // leaves the plane of eyes and mouth, which no similarity transform can follow.
  const t = arcfaceTemplate(112);
  const residual = (lm: readonly Point[]) => {
    const five = fivePointsOf68(lm);
    const m = umeyama(five, t);
    return Math.max(...five.map((p, i) => Math.hypot(applySimilarity(m, p)[0] - t[i]![0], applySimilarity(m, p)[1] - t[i]![1])));
  };
  const faces = (await detectFaces(photo, { descriptors: false })).sort((a, b) => residual(a.landmarks!) - residual(b.landmarks!));
  expect(faces.length).toBeGreaterThanOrEqual(2);
  const crop = (i: number, margin: number) => {
    const b = faces[i]!.box;
    return cropRgb(photo, b.x - margin * b.width, b.y - margin * b.height, b.width * (1 + 2 * margin), b.height * (1 + 2 * margin));
  };
  for (const [file, img] of [['a/loose.jpg', crop(0, 0.8)], ['a/tight.jpg', crop(0, 0.25)], ['b/face.jpg', crop(1, 0.8)]] as const) {
    writeJpeg(path.join(root, file), img.width, img.height, img.data);
  }
  writeJpeg(path.join(root, 'b/grey.jpg'), 96, 96, rgb(96, 96, () => [128, 128, 128]));
}, 120_000);

function context(params: Partial<DataParams> = {}) {
  const p: DataParams = { dataset: 'ds', format: 'folder', path: root, fraction: 1, seed: 1, align: 'face-api', ...params };
  return fakeContext('data', p, testConfig(root, { ds: { format: 'folder', path: root, align: 'face-api' } }));
}

describe('align: face-api on a folder dataset', () => {
  it('writes 112 px crops whose re-detected 5 points lie on the ArcFace template, and lists and skips the face-less image', async () => {
    const ctx = context();
    const m = await buildManifest(ctx, alignDatasetImages);
    expect(m.aligned).toEqual({ method: 'face-api', template: 'arcface', size: 112, folder: 'aligned' });
    expect(m.images.map((i) => i.path)).toEqual(['a/loose.jpg.png', 'a/tight.jpg.png', 'b/face.jpg.png']);
    expect(m.images.map((i) => m.identities[i.identity])).toEqual(['a', 'a', 'b']);
    expect(m.skipped).toEqual([{ path: 'b/grey.jpg', reason: 'no face found' }]);
    expect(readFileSync(path.join(ctx.outDir, NO_FACE_LIST), 'utf8')).toBe('b/grey.jpg\n');
    expect(ctx.logs.some((l) => l.startsWith("warning: dataset 'ds': no face found in 1 of 4 image(s)") && l.includes('b/grey.jpg'))).toBe(true);

    // Independent check: face-api run again on each written crop (a fresh detection and fresh
    // landmarks, not the ones the warp used) finds the five points within 4.5 px of the template
    // (mean 3 px; measured 0.7-3.7): 68-point landmarks on a 112 px crop wobble by a pixel or two,
    // and a real face is not the template's mean face (the fit's own residual is 1.8-2.9 px here).
    const t = arcfaceTemplate(112);
    for (const im of m.images) {
      const crop = decodeImage(readFileSync(path.join(ctx.outDir, 'aligned', im.path)));
      expect([crop.width, crop.height]).toEqual([112, 112]);
      const [face] = await detectFaces(crop, { descriptors: false });
      expect(face, im.path).toBeDefined();
      const errors = fivePointsOf68(face!.landmarks!).map((p, i) => Math.hypot(p[0] - t[i]![0], p[1] - t[i]![1]));
      expect(Math.max(...errors), `${im.path}: ${errors.map((e) => e.toFixed(1)).join(' ')}`).toBeLessThan(4.5);
      expect(errors.reduce((s, e) => s + e, 0) / errors.length).toBeLessThan(3);
    }
    // The manifest read back points at the crops in the node's output.
    writeFileSync(path.join(ctx.outDir, DATA_MANIFEST), JSON.stringify(m));
    expect(readDataManifest(ctx.outDir).root).toBe(path.join(ctx.outDir, 'aligned'));
  }, 180_000);

  it('with unreadable: fail, stops naming the image with no face', async () => {
    const f = await failure(buildManifest(context({ unreadable: 'fail' }), alignDatasetImages));
    expect(f.message).toMatch(/face-api found no face in 1 of 4 image\(s\) under .*: b\/grey\.jpg/);
    expect(f.hint).toContain('unreadable: skip');
  }, 180_000);

  it('fails with the count, not a crash, when no image has a face', async () => {
    const greys = tmpDir('synx-align-grey-');
    for (const f of ['x/1.jpg', 'x/2.jpg', 'y/1.jpg']) writeJpeg(path.join(greys, f), 64, 64, rgb(64, 64, (x) => [x * 4, 100, 100]));
    const p: DataParams = { dataset: 'greys', format: 'folder', path: greys, fraction: 1, seed: 1, align: 'face-api' };
    const ctx = fakeContext('data', p, testConfig(greys, { greys: { format: 'folder', path: greys } }));
    const f = await failure(buildManifest(ctx, alignDatasetImages));
    expect(f.message).toMatch(/^dataset 'greys': face-api found no face in any of its 3 image\(s\) \(x\/1\.jpg, x\/2\.jpg, y\/1\.jpg\)/);
    expect(f.hint).toContain('remove align: face-api');
  }, 60_000);

  it('is computed once and cached with the data node; align goes into the fingerprint only when set', async () => {
    const source = 'experiment e {\n  train real with epochs 1\n  eval lfw\n}\n';
    const dataNodes = (align: boolean) => {
      const config = testConfig(root, { real: { format: 'folder', path: root, ...(align ? { align: 'face-api' as const } : {}) } }, { cache: path.join(root, '.cache') });
      const { plan } = compileText(source, 'e.synexp', config, { cwd: root });
      return { config, plan: { ...plan!, nodes: plan!.nodes.filter((n) => n.kind === 'data' && (n.params as unknown as DataParams).dataset === 'real'), experiments: [] } };
    };
    const plain = dataNodes(false).plan.nodes[0]!;
    const { config, plan } = dataNodes(true);
    const node = plan.nodes[0]!;
    expect(node.params).toMatchObject({ align: 'face-api' });
    expect('align' in (plain.params as object)).toBe(false);
    expect(node.fingerprint).not.toBe(plain.fingerprint);

    let calls = 0;
    const counting: FaceAligner = async (job) => {
      calls += job.files.length;
      return alignDatasetImages(job);
    };
    const kinds = new Map([['data', createDataKind(counting)]]);
    const cache = cacheAt(config.cache);
    const first = await runPlan(plan, kinds as never, { config, cache, runsDir: false });
    expect(first.summary).toMatchObject({ ran: 1, failed: 0 });
    expect(calls).toBe(4);
    const second = await runPlan(plan, kinds as never, { config, cache, runsDir: false });
    expect(second.summary).toMatchObject({ ran: 0, cached: 1 });
    expect(calls).toBe(4);
    // The cached entry holds the crops and the no-face list, and its manifest points at them.
    const out = cache.outDir(node.fingerprint);
    const m = readDataManifest(out);
    expect(m.images).toHaveLength(3);
    for (const im of m.images) expect(existsSync(path.join(m.root, im.path))).toBe(true);
    expect(readFileSync(path.join(out, NO_FACE_LIST), 'utf8')).toBe('b/grey.jpg\n');
  }, 180_000);
});

describe('synx audit of a real dataset', () => {
  it('says to run first, then names the alignment failures (aligned) or the images without a face (unaligned)', async () => {
    const project = tmpDir('synx-audit-ds-');
    const yaml = (align: boolean) =>
      `threads: 1\ndatasets:\n  ds:\n    format: folder\n    path: ${JSON.stringify(root)}\n${align ? '    align: face-api\n' : ''}`;
    writeFileSync(path.join(project, 'e.synexp'), 'experiment e {\n  train ds with epochs 1\n}\n');
    for (const align of [true, false]) {
      writeFileSync(path.join(project, 'synx.yaml'), yaml(align));
      const before = await synx(project, 'audit', 'e.synexp');
      expect(before.code).toBe(0);
      expect(before.stdout).toMatch(/data .*: not computed yet: run `synx run e\.synexp` first/);
      // Compute only the data node, with the kinds `synx run` uses.
      const { config } = loadConfig(project, {});
      const { plan } = compileText('experiment e {\n  train ds with epochs 1\n}\n', 'e.synexp', config, { cwd: project });
      const data: Plan = { ...plan!, nodes: plan!.nodes.filter((n) => n.kind === 'data') };
      expect((await runPlan(data, await defaultKinds(), { config, cache: cacheAt(config.cache) })).summary.status).toBe('ok');
      const after = await synx(project, 'audit', 'e.synexp');
      expect(after.stderr).toBe('');
      expect(after.code).toBe(0);
      // The grey picture is the one image without a face (the three crops are of real faces).
      if (align) {
        expect(after.stdout).toContain('3 images of 2 identities kept; 1 left out by the data node');
        expect(after.stdout).toContain('aligned by face-api to the arcface template at 112 px: a face found in 75% (3/4)');
        expect(after.stdout).toContain('no face found (left out): b/grey.jpg');
      } else {
        expect(after.stdout).toContain('4 images of 2 identities kept; 0 left out by the data node');
        expect(after.stdout).toContain('face-api SSD MobileNet v1 detector on the first 4 images: a face in 75% (3/4)');
        expect(after.stdout).toContain('no face found: b/grey.jpg');
      }
    }
  }, 400_000);
});
