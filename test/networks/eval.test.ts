import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { evalKind, type EvalResults } from '../../src/eval/index.js';
import { descriptorOfAlignedCrop } from '../../src/faceapi/index.js';
import type { NodeInput } from '../../src/node/index.js';
import { digestFiles, faceApiRecogniserManifest, FACE_API_INPUT, FACE_API_NORMALIZATION, loadPretrained, weightFiles } from '../../src/networks/index.js';
import { compileText, type EvalParams, type PretrainedNetwork, type RenderParams } from '../../src/plan/index.js';
import { renderKind } from '../../src/render/index.js';
import { ImageSet, useBackend } from '../../src/train/index.js';
import { fakeContext, fakeInput, testConfig, tmpDir } from '../data/fixtures.js';
import { baseParams } from '../render/fixtures.js';
import { writeProceduralShard } from '../train/procedural.js';
import { matrix, writeGraphModel, writeOnnxModel } from './fixtures.js';

const require = createRequire(import.meta.url);
const root = tmpDir('synx-networks-eval-');

function faceApiNetwork(): PretrainedNetwork {
  const manifest = faceApiRecogniserManifest();
  const files = (weightFiles(manifest) as { files: string[] }).files;
  return { kind: 'face-api', file: 'face-api', path: manifest, sha256: digestFiles(files), input: FACE_API_INPUT, mean: FACE_API_NORMALIZATION.mean, std: FACE_API_NORMALIZATION.std, channels: 'rgb' };
}

/** face-api itself (src/faceapi runs its recogniser through face-api's own code), to compare with. */
const faceApiLibrary = async () => ({
  descriptor: (img: Uint8Array, h: number, w: number) => descriptorOfAlignedCrop(img, w, h),
});

const unit = (v: Float32Array): Float32Array => {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
};

function decodeJpeg(file: string): { rgb: Uint8Array; width: number; height: number } {
  const img = jpeg.decode(readFileSync(file), { useTArray: true });
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[i * 4 + c]!;
  return { rgb, width: img.width, height: img.height };
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe("face-api's recogniser, re-implemented on synx's tfjs", () => {
  it("gives face-api's own descriptor (to 1e-4) on square crops of its demo photos", async () => {
    const lib = await faceApiLibrary();
    const net = await loadPretrained(faceApiNetwork());
    expect(net.dim).toBe(128);
    const demo = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
    let worst = 0;
    try {
      for (const name of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg']) {
        const { rgb, width, height } = decodeJpeg(path.join(demo, name));
        const side = Math.min(width, height, 220);
        const crop = new Uint8Array(side * side * 3);
        for (let y = 0; y < side; y++) crop.set(rgb.subarray((y * width) * 3, (y * width + side) * 3), y * side * 3);
        const want = unit(await lib.descriptor(crop, side, side));
        const got = await net.embed(crop, 1, side);
        for (let i = 0; i < 128; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      }
    } finally {
      net.dispose();
    }
    expect(worst).toBeLessThan(1e-4);
  }, 120_000);

  it('evaluates a tiny rendered set with no training node; rank-1 agrees with face-api descriptors ranked by hand', async () => {
    const params = baseParams({ ids: 5, imgsPerId: 3, size: 112, dims: { shape: 199, color: 199, expression: 0 }, pose: { ...baseParams().pose, yaw: { type: 'uniform', lo: -30, hi: 30 } } });
    const config = { ...testConfig(root), threads: 1 };
    const render = fakeContext('render', params, config);
    await renderKind.run(render);
    const shard: NodeInput = { role: 'test', id: 'render-tiny', kind: 'render', fingerprint: '', params, dir: render.outDir };
    const p: EvalParams = { dataset: 'tiny', protocol: 'synthetic', flip: false, seed: 3, network: faceApiNetwork() };
    const ctx = fakeContext('eval', p, config, [shard]);
    await evalKind.run(ctx);
    const r = JSON.parse(readFileSync(path.join(ctx.outDir, 'results.json'), 'utf8')) as EvalResults;
    // 5 identities × C(3, 2) = 15 genuine pairs and 15 impostors.
    expect(r.verification!.pairs).toBe(30);

    // Independently: face-api's descriptors, gallery = each identity's smallest |yaw|, nearest by cosine.
    const lib = await faceApiLibrary();
    const set = await ImageSet.fromInputs([shard], 'test');
    const all = set.samples.map((_, i) => i);
    const pixels = await set.images(all, 112);
    const d = await Promise.all(all.map((i) => lib.descriptor(pixels.subarray(i * 112 * 112 * 3, (i + 1) * 112 * 112 * 3), 112, 112).then(unit)));
    const gallery = new Map<number, number>();
    set.samples.forEach((s, i) => {
      const g = gallery.get(s.label);
      if (g === undefined || Math.abs(s.yaw) < Math.abs(set.samples[g]!.yaw)) gallery.set(s.label, i);
    });
    let hits = 0;
    let probes = 0;
    set.samples.forEach((s, i) => {
      if ([...gallery.values()].includes(i)) return;
      let best = -2;
      let who = -1;
      for (const [id, g] of gallery) {
        const sim = d[i]!.reduce((acc, x, k) => acc + x * d[g]![k]!, 0);
        if (sim > best) [best, who] = [sim, id];
      }
      probes++;
      if (who === s.label) hits++;
    });
    expect(probes).toBe(10);
    expect(r.identification!.rank1).toBeCloseTo(hits / probes, 10);
  }, 300_000);
});

describe('eval with a file network', () => {
  it('fails naming the file when the network embeds to non-finite numbers', async () => {
    const file = writeOnnxModel(path.join(root, 'nan', 'nan.onnx'), new Float32Array(48 * 8).fill(Number.NaN));
    const shard = await writeProceduralShard(path.join(root, 'procedural'), { firstId: 0, ids: 4, imgsPerId: 3, size: 16 });
    const network: PretrainedNetwork = { kind: 'onnx', file: 'nan/nan.onnx', path: file, sha256: digestFiles([file]), input: 4, mean: [0, 0, 0], std: [1, 1, 1], channels: 'rgb' };
    // Given as a data input (whose images are read at the network's input size), as the shard
    // was not rendered from RenderParams that could say its size.
    const ctx = fakeContext('eval', { dataset: 'p', protocol: 'synthetic', flip: false, seed: 1, network } satisfies EvalParams, testConfig(root), [fakeInput(shard, 'test', 'data')]);
    await expect(evalKind.run(ctx)).rejects.toThrow(/nan\/nan\.onnx embeds image 0 of its test set to NaN/);
  });
});

describe('plans of pretrained networks', () => {
  const { config } = loadConfig('/nonexistent-synx-test-root', {});
  const text = 'testset heldout { sample 4 ids x 2 imgs }\nexperiment e { eval heldout with network "net/model.json", normalize unit }\n';
  const evalNode = (cwd: string) => {
    const r = compileText(text, 'exp.synexp', config, { cwd });
    expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    const nodes = r.plan!.nodes;
    expect(nodes.filter((n) => n.kind === 'train')).toEqual([]);
    return nodes.find((n) => n.kind === 'eval')!;
  };

  it('key the eval on the model bytes: moving the project keeps it, one changed weight changes it', () => {
    const a = path.join(root, 'project-a');
    writeGraphModel(path.join(a, 'net'), matrix());
    const b = path.join(root, 'moved', 'project-b');
    mkdirSync(path.dirname(b), { recursive: true });
    cpSync(a, b, { recursive: true });
    const na = evalNode(a);
    const nb = evalNode(b);
    expect(nb.fingerprint).toBe(na.fingerprint);
    const network = (na.params as unknown as EvalParams).network!;
    expect(network.file).toBe('net/model.json');
    expect(network.path).toBe(path.join(a, 'net', 'model.json'));
    const bin = path.join(b, 'net', 'group1-shard1of1.bin');
    const bytes = readFileSync(bin);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(bin, bytes);
    expect(evalNode(b).fingerprint).not.toBe(na.fingerprint);
  });

  it('keep the eval when an unchanged model is renamed (the name written is for display)', () => {
    const a = path.join(root, 'project-rename');
    writeGraphModel(path.join(a, 'net'), matrix());
    const before = evalNode(a).fingerprint;
    cpSync(path.join(a, 'net'), path.join(a, 'renamed'), { recursive: true });
    const r = compileText(text.replace('"net/model.json"', '"renamed/model.json"'), 'exp.synexp', config, { cwd: a });
    expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(r.plan!.nodes.find((n) => n.kind === 'eval')!.fingerprint).toBe(before);
  });

  it('face-api evals share one fingerprint whatever the folder, and differ from a flipped eval', () => {
    const fa = (t: string, cwd: string) => compileText(`testset heldout { sample 4 ids x 2 imgs }\nexperiment e { eval heldout with network face-api${t} }\n`, 'exp.synexp', config, { cwd }).plan!.nodes.find((n) => n.kind === 'eval')!;
    expect(fa('', '/tmp').fingerprint).toBe(fa('', root).fingerprint);
    expect(fa(', flip', '/tmp').fingerprint).not.toBe(fa('', '/tmp').fingerprint);
    expect(fa('', '/tmp').label).toBe('eval heldout (synthetic) with face-api');
  });
});
