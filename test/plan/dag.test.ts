import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { compileText, fingerprintOf, fingerprintRecord, IMAGES_PER_SHARD, type Plan, type RenderParams, type TrainParams } from '../../src/plan/index.js';
import { canonicalJson } from '../../src/util/index.js';

const { config } = loadConfig('/nonexistent-synx-test-root', {});

function plan(text: string): Plan {
  const r = compileText(text, 'exp.synexp', config);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.plan!;
}

describe('DAG', () => {
  it('shares the render shards and the pretrain node between fine-tuning fractions', () => {
    const p = plan('sample 10k ids, pretrain 1M, finetune casia {10%, 20%, 50%, 100%}');
    const pretrain = p.nodes.filter((n) => n.kind === 'train' && (n.params as unknown as TrainParams).role === 'pretrain');
    const finetunes = p.nodes.filter((n) => n.kind === 'train' && (n.params as unknown as TrainParams).role === 'finetune');
    const renders = p.nodes.filter((n) => n.kind === 'render');
    expect(pretrain).toHaveLength(1);
    expect(finetunes).toHaveLength(4);
    for (const f of finetunes) expect(f.inputs.find((i) => i.role === 'init')?.id).toBe(pretrain[0]!.id);
    // 10k ids x 100 imgs (1M / 10k), at most IMAGES_PER_SHARD images a shard.
    expect(renders).toHaveLength((10_000 * 100) / IMAGES_PER_SHARD);
    expect(pretrain[0]!.deps).toEqual(renders.map((r) => r.id));
    expect(p.experiments).toHaveLength(4);
    expect(pretrain[0]!.experiments).toHaveLength(4);
  });

  it('lists nodes in topological order, each dep before its dependents', () => {
    const p = plan('sample 1k ids, pretrain 10k, finetune casia {10%, 50%}, eval lfw, ijba');
    const seen = new Set<string>();
    for (const n of p.nodes) {
      for (const d of n.deps) expect(seen.has(d)).toBe(true);
      seen.add(n.id);
    }
    expect(p.nodes.at(-1)!.kind).toBe('report');
  });

  it('renders the same first shards for 1k and 10k identities (shard size does not depend on the total)', () => {
    const small = plan('sample 1k ids x 10 imgs').nodes;
    const large = plan('sample 10k ids x 10 imgs').nodes;
    expect(small.length).toBeGreaterThan(1);
    for (const s of small) expect(large.some((l) => l.fingerprint === s.fingerprint)).toBe(true);
    const shard = small[0]!.params as unknown as RenderParams;
    expect(shard.ids * shard.imgsPerId).toBeLessThanOrEqual(IMAGES_PER_SHARD);
    expect(shard.firstId).toBe(0);
    expect((small[1]!.params as unknown as RenderParams).firstId).toBe(shard.ids);
  });

  it('infers images per identity from pretrain N', () => {
    const r = plan('sample 10k ids, pretrain 1M').nodes.find((n) => n.kind === 'render')!;
    expect((r.params as unknown as RenderParams).imgsPerId).toBe(100);
  });

  it('gives held-out test sets identities disjoint from training identities', () => {
    const p = plan('sample 100 ids x 5 imgs, pretrain, eval heldout\ntestset heldout { sample 50 ids x 4 imgs }');
    const shards = p.nodes.filter((n) => n.kind === 'render').map((n) => n.params as unknown as RenderParams);
    const train = shards.filter((s) => s.imgsPerId === 5);
    const test = shards.filter((s) => s.imgsPerId === 4);
    const maxTrain = Math.max(...train.map((s) => s.firstId + s.ids));
    expect(Math.min(...test.map((s) => s.firstId))).toBeGreaterThanOrEqual(maxTrain);
  });

  it('makes 0% fine-tuning the synthetic-only model', () => {
    const p = plan('sample 100 ids x 5 imgs, pretrain, finetune casia {0%, 10%}, eval lfw');
    const [zero, ten] = p.experiments;
    const evalOf = (id: string) => p.nodes.find((n) => n.id === id)!;
    const model = (e: typeof zero) => evalOf(e!.evals[0]!).inputs.find((i) => i.role === 'model')!.id;
    expect(p.nodes.find((n) => n.id === model(zero))!.label).toMatch(/^pretrain/);
    expect(p.nodes.find((n) => n.id === model(ten))!.label).toMatch(/^finetune casia 10%/);
  });

  it('expands sweeps into the product of their axes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (a, b, c) => {
        const fr = Array.from({ length: a }, (_, i) => `${(i + 1) * 10}%`);
        const ep = Array.from({ length: b }, (_, i) => String(i + 1));
        const yaw = Array.from({ length: c }, (_, i) => `U(-${i + 10},${i + 10})`);
        const sweep = (xs: string[]) => (xs.length === 1 ? xs[0]! : `{${xs.join(', ')}}`);
        const p = plan(`sample 10 ids x 2 imgs, yaw ~ ${sweep(yaw)}, pretrain with epochs ${sweep(ep)}, finetune casia ${sweep(fr)}`);
        expect(p.experiments).toHaveLength(a * b * c);
        expect(new Set(p.experiments.map((e) => e.name)).size).toBe(a * b * c);
      }),
      { numRuns: 25, seed: 5 },
    );
  });

  it('names swept experiments by their values as written', () => {
    const p = plan('experiment e {\n sample 10 ids x 2 imgs\n pretrain with epochs {1, 2}\n finetune casia {10%, 50%}\n}');
    expect(p.experiments.map((e) => e.name)).toEqual([
      'e[pretrain.epochs=1,finetune=10%]',
      'e[pretrain.epochs=1,finetune=50%]',
      'e[pretrain.epochs=2,finetune=10%]',
      'e[pretrain.epochs=2,finetune=50%]',
    ]);
  });

  it('plans a 10,000-experiment sweep', () => {
    const vals = (n: number, f: (i: number) => string) => `{${Array.from({ length: n }, (_, i) => f(i)).join(', ')}}`;
    const p = plan(`sample 10 ids x 2 imgs, pretrain with epochs ${vals(100, (i) => String(i + 1))}, finetune casia ${vals(100, (i) => `${(i + 1) * 0.5}%`)}`);
    expect(p.experiments).toHaveLength(10_000);
  });
});

describe('fingerprints', () => {
  it('do not depend on the order params were written in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)), { maxKeys: 8 }), (params) => {
        const reversed = Object.fromEntries(Object.entries(params).reverse());
        const a = fingerprintOf(fingerprintRecord('render', params, []));
        const b = fingerprintOf(fingerprintRecord('render', reversed, []));
        expect(a).toBe(b);
        expect(canonicalJson(params)).toBe(canonicalJson(reversed));
      }),
      { numRuns: 200, seed: 9 },
    );
  });

  it('change with any param, the kind, or an input', () => {
    const base = fingerprintOf(fingerprintRecord('train', { epochs: 1 }, []));
    expect(fingerprintOf(fingerprintRecord('train', { epochs: 2 }, []))).not.toBe(base);
    expect(fingerprintOf(fingerprintRecord('eval', { epochs: 1 }, []))).not.toBe(base);
    expect(fingerprintOf(fingerprintRecord('train', { epochs: 1 }, [{ role: 'data', fingerprint: base }]))).not.toBe(base);
  });

  it('are sha256 over the canonical record (hand-checked)', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update('{"inputs":[],"kind":"data","params":{"a":1,"b":[2,3]},"version":"1"}').digest('hex');
    expect(fingerprintOf(fingerprintRecord('data', { b: [2, 3], a: 1 }, []))).toBe(expected);
  });

  it("`augment flip` enters the train node's params and fingerprint only when asked for", () => {
    const trains = (p: Plan) => p.nodes.filter((n) => n.kind === 'train');
    const none = plan('sample 100 ids x 2 imgs, pretrain with epochs 2, eval lfw');
    const written = plan('sample 100 ids x 2 imgs, pretrain with epochs 2, augment none, eval lfw');
    const flip = plan('sample 100 ids x 2 imgs, pretrain with epochs 2, augment flip, eval lfw');
    expect(trains(none)[0]!.params).not.toHaveProperty('augment');
    // `augment none` is the default written out: the same node, not a new one.
    expect(written.nodes.map((n) => n.fingerprint)).toEqual(none.nodes.map((n) => n.fingerprint));
    expect((trains(flip)[0]!.params as unknown as TrainParams).augment).toBe('flip');
    expect(trains(flip)[0]!.fingerprint).not.toBe(trains(none)[0]!.fingerprint);
    // The renders it trains on are the same.
    const renders = (p: Plan) => p.nodes.filter((n) => n.kind === 'render').map((n) => n.fingerprint);
    expect(renders(flip)).toEqual(renders(none));
  });

  it('a cosmetic edit (comments, layout) changes no fingerprint', () => {
    const a = plan('sample 100 ids x 2 imgs, pretrain 100, eval lfw');
    const b = plan('# a comment\nsample 100 ids x 2 imgs   # more\n\npretrain 100\neval lfw\n');
    expect(b.nodes.map((n) => n.fingerprint)).toEqual(a.nodes.map((n) => n.fingerprint));
  });
});

describe('scaling (SYNX_SCALE)', () => {
  it('shrinks identities, images and pretraining images, keeping everything else', () => {
    const full = compileText('sample 1k ids x 20 imgs, pretrain 10k with epochs 3, eval heldout\ntestset heldout { sample 100 ids x 10 imgs }', 'q.synexp', config).plan!;
    const small = compileText('sample 1k ids x 20 imgs, pretrain 10k with epochs 3, eval heldout\ntestset heldout { sample 100 ids x 10 imgs }', 'q.synexp', { ...config, scale: 0.1 }).plan!;
    const renders = (p: Plan) => p.nodes.filter((n) => n.kind === 'render').map((n) => n.params as unknown as RenderParams);
    expect(renders(full).reduce((s, r) => s + r.ids, 0)).toBe(1100);
    expect(renders(small).reduce((s, r) => s + r.ids, 0)).toBe(110);
    // 20 → 2 images per identity; the test set's 10 → 1, raised to the minimum of 2.
    expect(renders(small).map((r) => r.imgsPerId)).toEqual([2, 2]);
    const train = (p: Plan) => p.nodes.find((n) => n.kind === 'train')!.params as unknown as TrainParams;
    expect(train(full).images).toBe(10_000);
    expect(train(small).images).toBe(100);
    expect(train(small).epochs).toBe(3);
    const kinds = (p: Plan) => [...new Set(p.nodes.map((n) => n.kind))];
    expect(kinds(small)).toEqual(kinds(full));
  });

  it('reads SYNX_SCALE and rejects a bad value', () => {
    expect(loadConfig('/nonexistent-synx-test-root', { SYNX_SCALE: '0.25' }).config.scale).toBe(0.25);
    const bad = loadConfig('/nonexistent-synx-test-root', { SYNX_SCALE: '2' });
    expect(bad.diagnostics[0]?.message).toBe("SYNX_SCALE must be a number above 0 and at most 1, not '2'");
  });
});

describe('one fingerprint for one piece of work', () => {
  it('pretrain N on exactly the N sampled images is pretrain on all of them', () => {
    const train = (text: string) => compileText(text, 'x.synexp', config).plan!.nodes.find((n) => n.kind === 'train')!;
    expect(train('sample 100 ids x 12 imgs, pretrain 1200').fingerprint).toBe(train('sample 100 ids x 12 imgs, pretrain').fingerprint);
    expect(train('sample 100 ids, pretrain 1200').fingerprint).toBe(train('sample 100 ids x 12 imgs, pretrain').fingerprint);
    expect(train('sample 100 ids x 12 imgs, pretrain 600').fingerprint).not.toBe(train('sample 100 ids x 12 imgs, pretrain').fingerprint);
  });
});

describe('the model clause', () => {
  it("plans 'model procedural' as the procedural model, apart from the default built-in one", () => {
    const render = (text: string) => plan(text).nodes.find((n) => n.kind === 'render')!;
    const procedural = render('sample 10 ids, model procedural, pretrain 100');
    const builtin = render('sample 10 ids, pretrain 100');
    expect((procedural.params as unknown as RenderParams).model).toEqual({ kind: 'procedural' });
    expect((builtin.params as unknown as RenderParams).model).toEqual({ kind: 'builtin' });
    expect(procedural.fingerprint).not.toBe(builtin.fingerprint);
  });
});
