import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check, format, parse } from '../../src/lang/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const goodDir = path.join(here, 'fixtures', 'good');
const goodFiles = readdirSync(goodDir)
  .filter((f) => f.endsWith('.synexp'))
  .map((f) => readFileSync(path.join(goodDir, f), 'utf8'));

/** The AST without positions: what a file means. */
function meaning(text: string): unknown {
  const { ast } = parse(text, 'x.synexp');
  return JSON.parse(JSON.stringify(ast.items, (k, v) => (k === 'range' || k === 'nameRange' || k === 'keywordRange' ? undefined : v)));
}

const piece = fc.constantFrom(
  'sample', 'pretrain', 'train', 'finetune', 'eval', 'experiment', 'preset', 'testset', 'import', 'extends', 'with',
  'ids', 'imgs', 'x', 'yaw', 'seed', 'image', 'model', 'casia', 'lfw', 'U', 'N', 'mix', '~', ',', '(', ')', '{', '}',
  '10k', '1M', '10%', '112px', '-90', '0.5', '"a.h5"', '"open', '#c', '\n', ' ', '\t', '@', '1e-3', '°',
);
const soup = fc.array(piece, { maxLength: 40 }).map((a) => a.join(' '));

/** Valid clauses, for generating valid files. */
const num = fc.constantFrom('1', '10', '100', '1k', '10k');
const dist = fc.oneof(
  fc.integer({ min: -90, max: 0 }).chain((lo) => fc.integer({ min: lo + 1, max: 90 }).map((hi) => `U(${lo},${hi})`)),
  fc.tuple(fc.integer({ min: -10, max: 10 }), fc.integer({ min: 0, max: 30 })).map(([m, s]) => `N(${m},${s})`),
  fc.integer({ min: -30, max: 30 }).map(String),
  fc.constant('mix(0.6 U(-90,90),0.2 N(0,2),0.2 0)'),
);
const sweepOf = (arb: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 3, arbitrary: arb }, { weight: 1, arbitrary: fc.uniqueArray(arb, { minLength: 2, maxLength: 3 }).map((a) => `{${a.join(',')}}`) });
const clause = fc.oneof(
  fc.tuple(sweepOf(num), fc.option(num)).map(([n, m]) => `sample ${n} ids${m ? ` x ${m} imgs` : ''}`),
  fc.tuple(fc.constantFrom('yaw', 'pitch', 'roll'), sweepOf(dist)).map(([p, d]) => `${p} ~ ${d}`),
  fc.constantFrom('background ~ noise', 'illumination ~ prior', 'seed 3', 'image 64px', 'model builtin'),
  fc.tuple(fc.option(num), fc.subarray(['nn4-small', 'triplet', 'epochs 2', 'batch 16'])).map(([n, o]) => `pretrain${n ? ` ${n}` : ''}${o.length ? ` with ${o.join(', ')}` : ''}`),
  sweepOf(fc.constantFrom('10%', '50%', '100%')).map((f) => `finetune casia ${f}`),
  fc.subarray(['lfw', 'ijba', 'multipie'], { minLength: 1 }).map((d) => `eval ${d.join(', ')}`),
);
const comment = fc.constantFrom('', '  # note', '');
const validFile = fc
  .tuple(fc.array(fc.tuple(clause, comment), { minLength: 1, maxLength: 8 }), fc.constantFrom(', ', '\n', '\n\n'), fc.boolean())
  .map(([cs, sep, block]) => {
    const body = cs.map(([c, k], i) => (k && sep !== ', ' ? `${c}${k}` : c) + (i < cs.length - 1 ? sep : '')).join('');
    return block ? `# head\nexperiment e {\n${body}\n}\n` : `${body}\n`;
  });

describe('parser robustness', () => {
  it('never throws on random token soup', () => {
    fc.assert(
      fc.property(soup, (text) => {
        const r = parse(text, 'soup.synexp');
        expect(Array.isArray(r.diagnostics)).toBe(true);
        check(text, 'soup.synexp');
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('never throws on arbitrary unicode', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (text) => void check(text, 'u.synexp')), { numRuns: 300, seed: 7 });
  });

  it('never throws on mutated valid files (characters deleted, inserted, swapped)', () => {
    const mutation = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('delete', 'insert', 'swap'), fc.constantFrom('(', ')', '{', '}', ',', '~', '"', '\n', 'x', '%', '9'));
    fc.assert(
      fc.property(fc.constantFrom(...goodFiles), fc.array(mutation, { minLength: 1, maxLength: 5 }), (text, muts) => {
        let t = text;
        for (const [a, b, op, ch] of muts) {
          const i = a % (t.length + 1);
          if (op === 'delete') t = t.slice(0, i) + t.slice(i + 1);
          else if (op === 'insert') t = t.slice(0, i) + ch + t.slice(i);
          else {
            const j = b % (t.length + 1);
            t = t.slice(0, Math.min(i, j)) + t.slice(Math.max(i, j)) + t.slice(Math.min(i, j), Math.max(i, j));
          }
        }
        check(t, 'm.synexp');
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe('fmt', () => {
  it('is idempotent and preserves meaning on generated valid files', () => {
    fc.assert(
      fc.property(validFile, (text) => {
        const parsed = parse(text, 'x.synexp');
        expect(parsed.diagnostics).toEqual([]);
        const once = format(parsed.ast);
        expect(parse(once, 'x.synexp').diagnostics).toEqual([]);
        expect(meaning(once)).toEqual(meaning(text));
        expect(format(parse(once, 'x.synexp').ast)).toBe(once);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('keeps every comment of the fixtures', () => {
    for (const text of goodFiles) {
      const once = format(parse(text, 'x.synexp').ast);
      const comments = (t: string) => t.split('\n').map((l) => /#.*$/.exec(l)?.[0]).filter(Boolean);
      expect(comments(once)).toEqual(comments(text));
      expect(meaning(once)).toEqual(meaning(text));
    }
  });

  it('lays out the headline line one clause per line', () => {
    const text = 'sample 10k ids, yaw ~ U(-90,90), pretrain 1M, finetune casia 10%';
    expect(format(parse(text, 'x.synexp').ast)).toBe('sample 10k ids\nyaw ~ U(-90, 90)\npretrain 1M\nfinetune casia 10%\n');
  });
});
