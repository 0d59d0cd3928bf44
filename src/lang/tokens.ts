import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

/** Identifiers may contain hyphens (`nn4-small`, `syn-1m`) but not start with a digit or hyphen. */
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_-]*/ });

function keyword(name: string, pattern: RegExp): TokenType {
  return createToken({ name, pattern, longer_alt: Identifier });
}

export const Experiment = keyword('Experiment', /experiment/);
export const Preset = keyword('Preset', /preset/);
export const Testset = keyword('Testset', /testset/);
export const Import = keyword('Import', /import/);
export const Extends = keyword('Extends', /extends/);
export const With = keyword('With', /with/);
export const Sample = keyword('Sample', /sample/);
export const Pretrain = keyword('Pretrain', /pretrain/);
export const Finetune = keyword('Finetune', /finetune/);
export const Train = keyword('Train', /train/);
export const Eval = keyword('Eval', /eval/);
export const Ids = keyword('Ids', /ids/);
export const Imgs = keyword('Imgs', /images|imgs/);
export const X = keyword('X', /x/);

/**
 * A number with an optional unit suffix written against it: `10k`, `1M`, `10%`, `112px`, `-90`,
 * `1e-3`, `45deg`. Any letters after the digits belong to the token, so `10kb` is one token whose
 * unknown unit the checker reports, instead of a confusing parse error.
 */
export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?:[A-Za-z%°]+)?/,
});
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n]|\\.)*"/ });
/** A string missing its closing quote, kept as a token so the parser can say exactly that. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n]|\\.)*/ });
export const Tilde = createToken({ name: 'Tilde', pattern: /~/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, line_breaks: true });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: 'comments' });
export const Whitespace = createToken({ name: 'Whitespace', pattern: /[ \t\r]+/, group: Lexer.SKIPPED });

export const ALL_TOKENS: TokenType[] = [
  Whitespace,
  Comment,
  Newline,
  StringLit,
  UnterminatedString,
  NumberLit,
  Experiment,
  Preset,
  Testset,
  Import,
  Extends,
  With,
  Sample,
  Pretrain,
  Finetune,
  Train,
  Eval,
  Ids,
  Imgs,
  X,
  Identifier,
  Tilde,
  Comma,
  LParen,
  RParen,
  LBrace,
  RBrace,
];

/** One lexer for the process: building it is the expensive part. */
export const lexer = new Lexer(ALL_TOKENS, { ensureOptimizations: false, positionTracking: 'full' });
