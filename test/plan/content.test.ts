import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Cache, explainNode } from '../../src/exec/index.js';
import { compileText, ContentDigester, KIND_VERSIONS, type Plan, type PlanNode } from '../../src/plan/index.js';

// Inputs enter fingerprints by their content, never by their path (STYLE 14, issue 14 item 1).
const here = path.dirname(fileURLToPath(import.meta.url));
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

const EXPERIMENT = `experiment a {
  sample 4 ids x 2 imgs
  model "face.h5"
  illumination ~ empirical "light"
  background ~ folder "bg"
  pretrain with small, triplet, epochs 1
  finetune faces 100%
  eval lfw
}
`;

/** A project folder: a model file, two image folders, a folder dataset and an LFW dataset. */
function project(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'synx-content-'));
  temps.push(root);
  writeFileSync(path.join(root, 'synx.yaml'), 'datasets:\n  faces:\n    format: folder\n    path: data/faces\n  lfw:\n    format: lfw\n    path: data/lfw\n');
  writeFileSync(path.join(root, 'face.h5'), 'model bytes v1');
  for (const d of ['light', 'bg', 'data/faces/id0', 'data/faces/id1', 'data/lfw/Ann']) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, 'light', 'sh.txt'), '1 0 0 0 0 0 0 0 0');
  writeFileSync(path.join(root, 'bg', 'b.png'), 'bg');
  writeFileSync(path.join(root, 'data/faces/id0/a.jpg'), 'a');
  writeFileSync(path.join(root, 'data/faces/id1/b.jpg'), 'b');
  writeFileSync(path.join(root, 'data/lfw/Ann/Ann_0001.jpg'), 'x');
  writeFileSync(path.join(root, 'data/lfw/pairs.txt'), '1 1\nAnn 1 1\n');
  writeFileSync(path.join(root, 'exp.synexp'), EXPERIMENT);
  return root;
}

function plan(root: string): Plan {
  const { config } = loadConfig(root, {});
  const r = compileText(EXPERIMENT, path.join(root, 'exp.synexp'), config, { cwd: root });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.plan!;
}

const fingerprints = (p: Plan): string[] => p.nodes.map((n) => `${n.label} ${n.fingerprint}`);
const node = (p: Plan, label: string): PlanNode => p.nodes.find((n) => n.label.startsWith(label))!;

describe('content keys', () => {
  it("change a render's fingerprint when the model's bytes change", () => {
    const root = project();
    const before = plan(root);
    writeFileSync(path.join(root, 'face.h5'), 'model bytes v2');
    const after = plan(root);
    expect(node(after, 'render').fingerprint).not.toBe(node(before, 'render').fingerprint);
    // ... and everything downstream, but not the data nodes, which do not read the model.
    expect(node(after, 'pretrain').fingerprint).not.toBe(node(before, 'pretrain').fingerprint);
    expect(node(after, 'data faces').fingerprint).toBe(node(before, 'data faces').fingerprint);
  });

  it('change when an illumination or background folder gains a file', () => {
    const root = project();
    const before = plan(root);
    writeFileSync(path.join(root, 'bg', 'c.png'), 'another');
    const bg = plan(root);
    expect(node(bg, 'render').fingerprint).not.toBe(node(before, 'render').fingerprint);
    writeFileSync(path.join(root, 'light', 'sh.txt'), '0 1 0 0 0 0 0 0 0');
    expect(node(plan(root), 'render').fingerprint).not.toBe(node(bg, 'render').fingerprint);
  });

  it('stay the same when the project folder is moved or copied', () => {
    const root = project();
    const before = fingerprints(plan(root));
    const copy = `${root}-copy`;
    temps.push(copy);
    cpSync(root, copy, { recursive: true });
    rmSync(path.join(copy, '.synx'), { recursive: true, force: true });
    expect(fingerprints(plan(copy))).toEqual(before);
    // The resolved location is still what the node reads.
    expect(JSON.stringify(node(plan(copy), 'render').params)).toContain(path.join(copy, 'face.h5'));
  });

  it("re-run a data node when a dataset's pairs file or a folder's contents change", () => {
    const root = project();
    const p0 = plan(root);
    writeFileSync(path.join(root, 'data/lfw/pairs.txt'), '1 1\nAnn 1 2\n');
    const p1 = plan(root);
    expect(node(p1, 'data lfw').fingerprint).not.toBe(node(p0, 'data lfw').fingerprint);
    expect(node(p1, 'eval').fingerprint).not.toBe(node(p0, 'eval').fingerprint);
    expect(node(p1, 'data faces').fingerprint).toBe(node(p0, 'data faces').fingerprint);
    // A new identity, then a removed one.
    mkdirSync(path.join(root, 'data/faces/id2'));
    writeFileSync(path.join(root, 'data/faces/id2/c.jpg'), 'c');
    const p2 = plan(root);
    expect(node(p2, 'data faces').fingerprint).not.toBe(node(p1, 'data faces').fingerprint);
    rmSync(path.join(root, 'data/faces/id0'), { recursive: true });
    expect(node(plan(root), 'data faces').fingerprint).not.toBe(node(p2, 'data faces').fingerprint);
  });

  it('key separately configured pairs and metadata files', () => {
    const root = project();
    writeFileSync(path.join(root, 'synx.yaml'), 'datasets:\n  faces:\n    format: folder\n    path: data/faces\n  lfw:\n    format: lfw\n    path: data/lfw\n    pairs: meta/pairs.txt\n');
    mkdirSync(path.join(root, 'meta'));
    writeFileSync(path.join(root, 'meta/pairs.txt'), '1 1\nAnn 1 1\n');
    const before = node(plan(root), 'data lfw').fingerprint;
    writeFileSync(path.join(root, 'meta/pairs.txt'), '1 1\nAnn 1 3\n');
    expect(node(plan(root), 'data lfw').fingerprint).not.toBe(before);
  });

  it('remember digests by stat, re-hashing only what changed', () => {
    const root = project();
    const dir = path.join(root, 'imgs');
    mkdirSync(dir);
    for (let i = 0; i < 20; i++) writeFileSync(path.join(dir, `${i}.jpg`), `image ${i}`);
    const state = path.join(root, 'state');
    const cold = new ContentDigester(state);
    const d0 = cold.digest(dir);
    cold.save();
    expect(cold.stats).toEqual({ hashed: 20, remembered: 0 });
    const warm = new ContentDigester(state);
    expect(warm.digest(dir)).toBe(d0);
    expect(warm.stats).toEqual({ hashed: 0, remembered: 20 });
    // Same size, new bytes, an mtime set back: the ctime still gives the change away.
    writeFileSync(path.join(dir, '3.jpg'), 'IMAGE 3');
    utimesSync(path.join(dir, '3.jpg'), new Date(0), new Date(0));
    const third = new ContentDigester(state);
    expect(third.digest(dir)).not.toBe(d0);
    expect(third.stats).toEqual({ hashed: 1, remembered: 19 });
    // The digest of a folder is over its sha256sum-style listing: independent of this code.
    const listing = Array.from({ length: 20 }, (_, i) => `${i}.jpg`)
      .sort()
      .map((f) => `${createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')}  ${f}\n`)
      .join('');
    expect(third.digest(dir)).toBe(createHash('sha256').update(`synx-folder-1\n${listing}`).digest('hex'));
  });

  it('`synx why` names the file whose content changed', () => {
    const root = project();
    const { config } = loadConfig(root, {});
    const cache = new Cache(config.cache);
    const before = plan(root);
    const data = node(before, 'data faces');
    fakeEntry(cache, data);
    writeFileSync(path.join(root, 'data/faces/id1/b.jpg'), 'changed');
    writeFileSync(path.join(root, 'data/faces/id1/new.jpg'), 'new');
    const after = plan(root);
    const why = explainNode(after, node(after, 'data faces').id, cache)!;
    const text = why.lines.join('\n');
    expect(text).toContain(`dataset folder ${path.join(root, 'data/faces')}`);
    expect(text).toContain('changed: id1/b.jpg');
    expect(text).toContain('added: id1/new.jpg');
  });

  it("pins the built-in model's files: a new model needs a render version bump", () => {
    // The built-in model ships with the code, so render nodes key it by KIND_VERSIONS.render. If
    // this fails, the model files changed: bump KIND_VERSIONS.render and update both values.
    const dir = path.resolve(here, '../../lib/models');
    const digest = (f: string): string => createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex');
    const now = { json: digest('builtin-face.json'), bin: digest('builtin-face.bin.gz') };
    if (now.json !== BUILTIN_PIN.json || now.bin !== BUILTIN_PIN.bin) {
      expect(KIND_VERSIONS.render, 'the built-in model changed: bump KIND_VERSIONS.render and re-pin').not.toBe(BUILTIN_PIN.render);
    }
  });
});

/** The built-in model's files as of render version 6 (ICT Face Model Light, simplified interior, rectified beard prior; scripts/gen-ict-model.ts). */
const BUILTIN_PIN = {
  render: '6',
  json: '91f8a6f4ecd8853b92c81916132bf227d21c102a9a7f84951f38e6405ccc7fa6',
  bin: '50880a7530a858b3398fd50c1a18f68ff50f235084c41584722706ba14ad4637',
};

/** Writes a sound-looking cache entry for a node, as a run would (no outputs needed for `why`). */
function fakeEntry(cache: Cache, n: PlanNode): void {
  const dir = cache.entryDir(n.fingerprint);
  mkdirSync(path.join(dir, 'out'), { recursive: true });
  const manifest = {
    format: 1,
    fingerprint: n.fingerprint,
    kind: n.kind,
    version: KIND_VERSIONS[n.kind],
    label: n.label,
    params: n.params,
    inputs: [],
    files: [],
    bytes: 0,
    timings: { started: '2026-01-01T00:00:00Z', finished: '2026-01-01T00:00:01Z', seconds: 1 },
    environment: {},
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}
