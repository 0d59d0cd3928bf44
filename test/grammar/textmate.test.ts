import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Lexer, type IToken } from 'chevrotain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_TOKENS, NUMERIC_PARAMS } from '../../src/lang/index.js';
import { GRAMMAR_FILE, ROOT, tokenize, type TmToken, type Tokenized } from './tokenize.js';

/** The innermost scope of the first token whose text is exactly `text` (after `skip` earlier ones). */
function scopeOf(t: Tokenized, text: string, skip = 0): string {
  const found = t.tokens.filter((tok) => tok.text === text)[skip];
  if (!found) throw new Error(`no token '${text}' in ${t.tokens.map((x) => x.text).join('|')}`);
  return found.scopes[found.scopes.length - 1]!;
}

function scopesOf(t: Tokenized, text: string, skip = 0): readonly string[] {
  const found = t.tokens.filter((tok) => tok.text === text)[skip];
  if (!found) throw new Error(`no token '${text}'`);
  return found.scopes;
}

describe('grammar files', () => {
  it('declares the synexp scope and file type', () => {
    const g = JSON.parse(readFileSync(GRAMMAR_FILE, 'utf8')) as { scopeName: string; fileTypes: string[]; name: string };
    expect(g.scopeName).toBe('source.synexp');
    expect(g.fileTypes).toEqual(['synexp']);
    expect(g.name).toBe('synexp');
  });

  it('gives VS Code the comment marker and brackets', () => {
    const c = JSON.parse(readFileSync(path.join(ROOT, 'grammar', 'language-configuration.json'), 'utf8')) as {
      comments: { lineComment: string };
      brackets: string[][];
    };
    expect(c.comments.lineComment).toBe('#');
    expect(c.brackets).toEqual([
      ['{', '}'],
      ['(', ')'],
    ]);
  });
});

describe('scopes of sample lines', () => {
  it('scopes a comment to the end of the line', async () => {
    const t = await tokenize("# The seed study's headline {not a sweep}");
    expect(t.tokens.map((x) => x.scopes[1])).toEqual(['comment.line.number-sign.synexp', 'comment.line.number-sign.synexp']);
    expect(scopeOf(t, '#')).toBe('punctuation.definition.comment.synexp');
  });

  it('scopes the sample clause, numbers and their units', async () => {
    const t = await tokenize('sample 10k ids x 100 imgs, pretrain 1M');
    expect(scopeOf(t, 'sample')).toBe('keyword.control.sample.synexp');
    expect(scopeOf(t, '10')).toBe('constant.numeric.synexp');
    expect(scopesOf(t, 'k')).toEqual(['source.synexp', 'constant.numeric.synexp', 'keyword.other.unit.synexp']);
    expect(scopeOf(t, 'ids')).toBe('keyword.other.sample.synexp');
    expect(scopeOf(t, 'x')).toBe('keyword.other.sample.synexp');
    expect(scopeOf(t, '100')).toBe('constant.numeric.synexp');
    expect(scopeOf(t, 'imgs')).toBe('keyword.other.sample.synexp');
    expect(scopeOf(t, ',')).toBe('punctuation.separator.comma.synexp');
    expect(scopeOf(t, 'pretrain')).toBe('keyword.control.stage.synexp');
    expect(scopeOf(t, 'M')).toBe('keyword.other.unit.synexp');
  });

  it('scopes every unit suffix the checker knows, and marks unknown ones', async () => {
    const t = await tokenize('image 112px, yaw ~ U(-30°, 45deg), finetune casia 10%, sample 2K ids, pitch ~ 1e-3, roll ~ 10kb');
    for (const unit of ['px', '°', 'deg', '%', 'K']) expect(scopeOf(t, unit)).toBe('keyword.other.unit.synexp');
    expect(scopeOf(t, '-30')).toBe('constant.numeric.synexp');
    expect(scopeOf(t, '1e-3')).toBe('constant.numeric.synexp');
    expect(scopesOf(t, 'kb')).toEqual(['source.synexp', 'constant.numeric.synexp', 'invalid.illegal.unit.synexp']);
  });

  it('scopes distributions, ~ and parameters', async () => {
    const t = await tokenize('yaw ~ mix(0.6 U(-90,90), 0.2 N(0,2), 0.2 0), pitch ~ normal(0, 30), scale ~ uniform(1, 1.2), tx ~ Q(1)');
    expect(scopeOf(t, 'yaw')).toBe('variable.parameter.synexp');
    expect(scopeOf(t, '~')).toBe('keyword.operator.distributed.synexp');
    for (const d of ['mix', 'U', 'N', 'normal', 'uniform']) expect(scopeOf(t, d)).toBe('support.function.distribution.synexp');
    expect(scopesOf(t, 'U')).toContain('meta.distribution.synexp');
    expect(scopeOf(t, '(')).toBe('punctuation.section.parens.begin.synexp');
    expect(scopeOf(t, ')')).toBe('punctuation.section.parens.end.synexp');
    // An unknown distribution is still a call, so the checker's "did you mean" has something to point at.
    expect(scopeOf(t, 'Q')).toBe('entity.name.function.synexp');
    for (const p of ['pitch', 'scale', 'tx']) expect(scopeOf(t, p)).toBe('variable.parameter.synexp');
  });

  it('scopes every numeric rendering parameter the language knows, specular included', async () => {
    const names = Object.keys(NUMERIC_PARAMS);
    expect(names).toContain('specular');
    const t = await tokenize(names.map((n) => `${n} ~ 1`).join(', '));
    for (const n of names) expect(scopeOf(t, n)).toBe('variable.parameter.synexp');
  });

  it('tells the noise parameter from the noise background', async () => {
    const t = await tokenize('noise ~ 0.1, background ~ noise, illumination ~ prior, blur ~ 1');
    expect(scopeOf(t, 'noise', 0)).toBe('variable.parameter.synexp');
    expect(scopeOf(t, 'noise', 1)).toBe('support.constant.choice.synexp');
    expect(scopeOf(t, 'background')).toBe('variable.parameter.synexp');
    expect(scopeOf(t, 'prior')).toBe('support.constant.choice.synexp');
  });

  it('scopes strings, escapes and settings', async () => {
    const t = await tokenize('model "model2017-1_face12_nomouth.h5", image 112px, seed 1988, dims shape 80 color 80 expression 30, center facebox, background ~ folder "bg\\"s/"');
    expect(scopesOf(t, 'model2017-1_face12_nomouth.h5')).toEqual(['source.synexp', 'string.quoted.double.synexp']);
    expect(scopeOf(t, '\\"')).toBe('constant.character.escape.synexp');
    for (const s of ['model', 'image', 'seed', 'dims', 'center']) expect(scopeOf(t, s)).toBe('support.type.setting.synexp');
    for (const part of ['shape', 'color', 'expression']) expect(scopeOf(t, part)).toBe('variable.parameter.synexp');
    expect(scopeOf(t, 'facebox')).toBe('support.constant.choice.synexp');
    expect(scopeOf(t, 'folder')).toBe('support.constant.choice.synexp');
    const m = await tokenize('maps depth, normal');
    expect(scopeOf(m, 'maps')).toBe('support.type.setting.synexp');
    for (const c of ['depth', 'normal']) expect(scopeOf(m, c)).toBe('support.constant.choice.synexp');
  });

  it('ends an unterminated string at the end of its line', async () => {
    const t = await tokenize('model "unclosed.h5\nseed 7');
    expect(scopesOf(t, 'unclosed.h5')).toContain('string.quoted.double.synexp');
    expect(scopeOf(t, 'seed')).toBe('support.type.setting.synexp');
    expect(scopeOf(t, '7')).toBe('constant.numeric.synexp');
    expect(t.balanced).toBe(true);
  });

  it('scopes stage options, networks, losses and datasets', async () => {
    const t = await tokenize('pretrain 1M with nn4-small, triplet, epochs 10, batch 32, lr 0.01, optimizer sgd, margin 0.3\neval lfw, ijba, multipie, heldout with flip');
    expect(scopeOf(t, 'with')).toBe('keyword.other.with.synexp');
    expect(scopeOf(t, 'nn4-small')).toBe('support.constant.network.synexp');
    expect(scopeOf(t, 'triplet')).toBe('support.constant.loss.synexp');
    expect(scopeOf(t, 'sgd')).toBe('support.constant.optimizer.synexp');
    for (const o of ['epochs', 'batch', 'lr', 'optimizer', 'margin', 'flip']) expect(scopeOf(t, o)).toBe('entity.other.attribute-name.option.synexp');
    expect(scopeOf(t, 'eval')).toBe('keyword.control.stage.synexp');
    for (const d of ['lfw', 'ijba', 'multipie']) expect(scopeOf(t, d)).toBe('support.constant.dataset.synexp');
    expect(scopeOf(t, 'heldout')).toBe('variable.other.synexp');
  });

  it('scopes schedules, warmup, momentum, weight decay, augmentation and the logit scale; scale ~ is still the pose parameter', async () => {
    const t = await tokenize('scale ~ U(1, 1.2)\npretrain with arcface, scale 16, schedule step(8, 12), warmup 1, optimizer sgd, momentum 0.9, weight-decay 5e-4, augment flip\nfinetune casia 10% with schedule cosine');
    expect(scopeOf(t, 'scale')).toBe('variable.parameter.synexp');
    for (const o of ['schedule', 'warmup', 'momentum', 'weight-decay', 'augment']) expect(scopeOf(t, o)).toBe('entity.other.attribute-name.option.synexp');
    expect(scopeOf(t, 'scale', 1)).toBe('entity.other.attribute-name.option.synexp');
    expect(scopeOf(t, 'step')).toBe('support.function.schedule.synexp');
    expect(scopesOf(t, '12')).toEqual(expect.arrayContaining(['meta.schedule.synexp', 'constant.numeric.synexp']));
    expect(scopeOf(t, 'cosine')).toBe('support.constant.schedule.synexp');
    expect(scopeOf(t, '5e-4')).toBe('constant.numeric.synexp');
    expect(t.balanced).toBe(true);
  });

  it('keeps hyphenated names whole, as the lexer does', async () => {
    const t = await tokenize('experiments ~ 1, sample-x ~ 2, syn-1m ~ 3, x-ray ~ 4');
    for (const n of ['experiments', 'sample-x', 'syn-1m', 'x-ray']) expect(scopeOf(t, n)).toBe('variable.other.synexp');
  });

  it('scopes imports, blocks, extends and their names', async () => {
    const t = await tokenize('import seed-study\nimport "../lib/more.synexp"\nexperiment narrow extends base { yaw ~ U(-30, 30) }\nseed 5');
    expect(scopeOf(t, 'import')).toBe('keyword.control.import.synexp');
    expect(scopeOf(t, 'seed-study')).toBe('entity.name.namespace.synexp');
    expect(scopesOf(t, '../lib/more.synexp')).toContain('string.quoted.double.synexp');
    expect(scopeOf(t, 'experiment')).toBe('keyword.declaration.block.synexp');
    expect(scopeOf(t, 'narrow')).toBe('entity.name.type.block.synexp');
    expect(scopeOf(t, 'extends')).toBe('keyword.other.extends.synexp');
    expect(scopeOf(t, 'base')).toBe('entity.other.inherited-class.synexp');
    expect(scopeOf(t, '{')).toBe('punctuation.section.block.begin.synexp');
    expect(scopesOf(t, 'yaw')).toContain('meta.block.body.synexp');
    expect(scopeOf(t, '}')).toBe('punctuation.section.block.end.synexp');
    // After the block closes, top-level clauses are outside it.
    expect(scopesOf(t, 'seed')).toEqual(['source.synexp', 'support.type.setting.synexp']);
    expect(t.balanced).toBe(true);
  });

  it('tells sweep braces from block braces, on one line or several', async () => {
    const text = [
      'testset heldout',
      '{',
      '  sample 100 ids x 10 imgs, yaw ~ U(-90, 90)',
      '}',
      'preset p {',
      '  finetune casia {10%, 50%, 100%}',
      '  yaw ~ {',
      '    U(-30, 30),',
      '    U(-90, 90)',
      '  }',
      '}',
      'epochs {1, 2}',
    ].join('\n');
    const t = await tokenize(text);
    expect(scopeOf(t, 'testset')).toBe('keyword.declaration.block.synexp');
    expect(scopeOf(t, 'heldout')).toBe('entity.name.type.block.synexp');
    expect(scopeOf(t, '{', 0)).toBe('punctuation.section.block.begin.synexp');
    expect(scopeOf(t, '{', 1)).toBe('punctuation.section.block.begin.synexp');
    expect(scopeOf(t, '{', 2)).toBe('punctuation.section.sweep.begin.synexp');
    expect(scopeOf(t, '{', 3)).toBe('punctuation.section.sweep.begin.synexp');
    expect(scopesOf(t, 'U', 2)).toEqual(expect.arrayContaining(['meta.block.body.synexp', 'meta.sweep.synexp']));
    expect(scopeOf(t, '}', 2)).toBe('punctuation.section.sweep.end.synexp');
    expect(scopeOf(t, '}', 3)).toBe('punctuation.section.block.end.synexp');
    // The last line's sweep is at the top level.
    expect(scopesOf(t, '{', 4)).toEqual(['source.synexp', 'meta.sweep.synexp', 'punctuation.section.sweep.begin.synexp']);
    expect(t.balanced).toBe(true);
  });

  it('marks characters the lexer rejects', async () => {
    const t = await tokenize('seed 1988 @ ;');
    expect(scopeOf(t, '@')).toBe('invalid.illegal.character.synexp');
    expect(scopeOf(t, ';')).toBe('invalid.illegal.character.synexp');
  });
});

// The Chevrotain lexer is the reference: every token it finds must start and end on TextMate token
// boundaries and get the matching kind of scope.
const lexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });

const KEYWORD_SCOPE: Record<string, string> = {
  Experiment: 'keyword.declaration.block.synexp',
  Preset: 'keyword.declaration.block.synexp',
  Testset: 'keyword.declaration.block.synexp',
  Import: 'keyword.control.import.synexp',
  Extends: 'keyword.other.extends.synexp',
  With: 'keyword.other.with.synexp',
  Sample: 'keyword.control.sample.synexp',
  Pretrain: 'keyword.control.stage.synexp',
  Train: 'keyword.control.stage.synexp',
  Finetune: 'keyword.control.stage.synexp',
  Eval: 'keyword.control.stage.synexp',
  Ids: 'keyword.other.sample.synexp',
  Imgs: 'keyword.other.sample.synexp',
  X: 'keyword.other.sample.synexp',
};

function expectedScope(type: string): (scopes: readonly string[]) => boolean {
  const inner = (s: readonly string[]) => s[s.length - 1] ?? '';
  const keyword = KEYWORD_SCOPE[type];
  if (keyword) return (s) => inner(s) === keyword;
  switch (type) {
    case 'Comment':
      return (s) => s.includes('comment.line.number-sign.synexp');
    case 'StringLit':
    case 'UnterminatedString':
      return (s) => s.includes('string.quoted.double.synexp');
    case 'NumberLit':
      return (s) => s.includes('constant.numeric.synexp');
    case 'Identifier':
      return (s) => /^(variable|support|entity)\./.test(inner(s));
    case 'Tilde':
      return (s) => inner(s) === 'keyword.operator.distributed.synexp';
    case 'Comma':
      return (s) => inner(s) === 'punctuation.separator.comma.synexp';
    case 'LParen':
      return (s) => inner(s) === 'punctuation.section.parens.begin.synexp';
    case 'RParen':
      return (s) => inner(s) === 'punctuation.section.parens.end.synexp';
    // An unbalanced brace may be read as the other kind, or as stray; it is never anything else.
    case 'LBrace':
    case 'RBrace':
      return (s) => /^(punctuation\.section\.(block|sweep)|invalid\.illegal)/.test(inner(s));
    default:
      throw new Error(`no expectation for lexer token ${type}`);
  }
}

/** Disagreements between the lexer and the TextMate grammar on `text` (empty when they agree). */
function disagreements(text: string, tm: Tokenized): string[] {
  const problems: string[] = [];
  const lexed = lexer.tokenize(text);
  const starts = new Set(tm.tokens.map((t) => t.start));
  const ends = new Set(tm.tokens.map((t) => t.end));
  const covering = (from: number, to: number): TmToken[] => tm.tokens.filter((t) => t.start < to && t.end > from);
  const tokens: IToken[] = [...lexed.tokens, ...((lexed.groups.comments ?? []) as IToken[])];
  for (const tok of tokens) {
    if (tok.tokenType.name === 'Newline') continue;
    const from = tok.startOffset;
    const to = tok.startOffset + tok.image.length;
    const where = `'${tok.image}' (${tok.tokenType.name}) at ${from} in ${JSON.stringify(text)}`;
    if (!starts.has(from) || !ends.has(to)) {
      problems.push(`${where}: TextMate tokens do not start and end with it`);
      continue;
    }
    const ok = expectedScope(tok.tokenType.name);
    const pieces = covering(from, to);
    // A number's unit is its own TextMate token; a name must be a single one.
    if (tok.tokenType.name === 'Identifier' && pieces.length !== 1) problems.push(`${where}: split into ${pieces.length} tokens`);
    for (const p of pieces) if (!ok(p.scopes)) problems.push(`${where}: scoped ${p.scopes.join(' ')}`);
  }
  for (const e of lexed.errors) {
    for (const p of covering(e.offset, e.offset + e.length)) {
      if (!p.scopes.some((s) => s.startsWith('invalid.illegal'))) problems.push(`lexer error at ${e.offset} in ${JSON.stringify(text)}: scoped ${p.scopes.join(' ')}`);
    }
  }
  return problems;
}

function synexpFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return synexpFiles(p);
    return n.endsWith('.synexp') ? [p] : [];
  });
}

const BRIEF_EXAMPLE = `# The seed study's headline
import seed-study
sample 10k ids x 100 imgs, yaw ~ mix(0.6 U(-90,90), 0.2 N(0,2), 0.2 0), pretrain 1M with nn4-small, triplet, epochs 10
finetune casia {10%, 50%, 100%}
eval lfw, ijba, heldout
illumination ~ prior, background ~ folder "backgrounds/"
model "model2017-1_face12_nomouth.h5", image 112px, seed 1988, dims shape 80 color 80 expression 30
experiment narrow extends base { yaw ~ U(-30, 30) }
testset heldout { sample 100 ids x 10 imgs, yaw ~ U(-90, 90) }
`;

describe('the TextMate grammar agrees with the lexer', () => {
  const files = [...synexpFiles(path.join(ROOT, 'experiments')), ...synexpFiles(path.join(ROOT, 'lib', 'presets'))];

  it('finds the repository examples', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [path.relative(ROOT, f), f]))('tokenizes %s without invalid tokens and closes every block', async (_, file) => {
    const text = readFileSync(file, 'utf8');
    const tm = await tokenize(text);
    expect(tm.tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid'))).map((t) => `${t.line}: ${t.text}`)).toEqual([]);
    expect(tm.balanced).toBe(true);
    expect(disagreements(text, tm)).toEqual([]);
  });

  it('on the language example', async () => {
    const tm = await tokenize(BRIEF_EXAMPLE);
    expect(tm.tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid')))).toEqual([]);
    expect(tm.balanced).toBe(true);
    expect(disagreements(BRIEF_EXAMPLE, tm)).toEqual([]);
  });

  it('on random token soup, glued and spaced', async () => {
    // Fragments chosen to probe the lexer's edges: keywords inside names, units, signs, exponents.
    const fragments = [
      ...ALL_TOKENS.map((t) => t.name).filter((n) => n in KEYWORD_SCOPE).map((n) => n.toLowerCase()),
      'images', 'x', 'nn4-small', 'syn-1m', 'x-ray', 'experiments', 'sample-x', 'U', 'N', 'mix', 'noise', 'yaw', 'seed',
      'casia', 'heldout', '_a1', '10k', '1M', '2K', '10%', '112px', '45deg', '30°', '-90', '+1.5', '.5', '1.', '1e-3',
      '1e', '10kb', '5x', '"s"', '"a\\"b"', '"open', '#c', '~', ',', '(', ')', '{', '}', '@', '-', ';', '$',
    ];
    const gap = fc.constantFrom(' ', ' ', '\t', '', '\n');
    const soup = fc.array(fc.tuple(fc.constantFrom(...fragments), gap), { minLength: 1, maxLength: 14 }).map((parts) =>
      parts.map(([f, g]) => (f.startsWith('#') || f.startsWith('"open') ? `${f}\n` : f + g)).join(''),
    );
    await fc.assert(
      fc.asyncProperty(soup, async (text) => {
        expect(disagreements(text, await tokenize(text))).toEqual([]);
      }),
      { numRuns: 300, seed: 1988 },
    );
  });

  it('covers every keyword token of the parser', () => {
    // A new keyword in src/lang/tokens.ts must get a scope here (and in the grammar).
    const keywordTokens = ALL_TOKENS.filter((t) => t.LONGER_ALT !== undefined).map((t) => t.name);
    expect(keywordTokens.sort()).toEqual(Object.keys(KEYWORD_SCOPE).sort());
  });
});
