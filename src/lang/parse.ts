import type { CstNode, IRecognitionException, IToken } from 'chevrotain';
import type { Range } from '../diag/index.js';
import { makeDiagnostic, type Diagnostic } from '../diag/index.js';
import type { Block, Clause, Comment, ImportDecl, SynexpFile } from './ast.js';
import { AstBuilder } from './build.js';
import { parser } from './parser.js';
import { positionAt, safeTokenRange, tokenRange } from './positions.js';
import { lexer } from './tokens.js';

/** What the parser returns: an AST (possibly partial) and diagnostics. It never throws. */
export interface ParseResult {
  readonly ast: SynexpFile;
  readonly diagnostics: Diagnostic[];
}

const TOKEN_TEXT: Record<string, string> = {
  RParen: "')'",
  LParen: "'('",
  RBrace: "'}'",
  LBrace: "'{'",
  Comma: "','",
  Tilde: "'~'",
  Ids: "'ids'",
  Imgs: "'imgs'",
  X: "'x'",
  Identifier: 'a name',
  NumberLit: 'a number',
  StringLit: 'a string',
  EOF: 'end of file',
  Newline: 'a new line',
};

const RULE_TEXT: Record<string, string> = {
  value: 'a value (a number, a name, a string, a distribution or a {sweep})',
  atom: 'a value (a number, a name, a string or a distribution)',
  arg: 'an argument',
  clause: 'a clause',
  block: "an experiment's body",
  optionItem: "an option name after 'with'",
  importDecl: "a preset name or a quoted path after 'import'",
};

function shown(t: IToken): string {
  if (t.tokenType.name === 'EOF') return 'the end of the file';
  if (t.tokenType.name === 'Newline') return 'the end of the line';
  return `'${t.image}'`;
}

function describe(err: IRecognitionException): { message: string; hint?: string } {
  const found = shown(err.token);
  const expectedTok = /-->\s*(\w+)\s*<--/.exec(err.message)?.[1];
  if (err.name === 'MismatchedTokenException' && expectedTok) {
    const want = TOKEN_TEXT[expectedTok] ?? expectedTok;
    const hint =
      expectedTok === 'Ids'
        ? "write the count of identities as `sample 10k ids` (and images per identity as `x 100 imgs`)"
        : expectedTok === 'Imgs'
          ? 'write images per identity as `x 100 imgs`'
          : expectedTok === 'RParen'
            ? 'close the distribution with )'
            : undefined;
    return { message: `expected ${want} but found ${found}`, ...(hint ? { hint } : {}) };
  }
  const rule = err.context.ruleStack[err.context.ruleStack.length - 1] ?? '';
  const want = RULE_TEXT[rule] ?? 'something else';
  return { message: `expected ${want} but found ${found}` };
}

/**
 * Parses `.synexp` text. One run reports every independent error (the parser recovers and goes
 * on); checking and planning should be skipped when any error here is present.
 */
export function parse(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = lexer.tokenize(text);
  for (const e of lexed.errors) {
    const start = positionAt(text, e.offset);
    const end = positionAt(text, e.offset + Math.max(1, e.length));
    // Shown escaped when not printable, and cut short: the file may not be text at all.
    const raw = text.slice(e.offset, e.offset + Math.min(20, Math.max(1, e.length)));
    // eslint-disable-next-line no-control-regex
    const ch = raw.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + (e.length > 20 ? '…' : '');
    diagnostics.push(
      makeDiagnostic('SX1001', file, { start, end }, `unexpected character${ch.length > 1 ? 's' : ''} '${ch}'`, {
        hint: 'a synexp file holds names, numbers with units (10k, 10%, 112px), "strings", ~, commas, ( ) and { }; comments start with #',
      }),
    );
  }
  for (const t of lexed.tokens) {
    if (t.tokenType.name === 'UnterminatedString') {
      diagnostics.push(
        makeDiagnostic('SX1003', file, tokenRange(t), 'unterminated string', { hint: 'close the string with " on the same line' }),
      );
    }
  }
  // The parser descends once per open bracket; a file nested deeper than any experiment needs
  // (`mix(1 mix(1 …` 300 deep) would overflow the stack, so it is refused here, before parsing.
  const tooDeep = firstTooDeep(lexed.tokens);
  if (tooDeep !== undefined) {
    diagnostics.push(
      makeDiagnostic('SX1002', file, tokenRange(tooDeep), `brackets nested more than ${MAX_NESTING} deep`, {
        hint: `nest distributions, mixtures and sweeps at most ${MAX_NESTING} levels deep`,
      }),
    );
    return { ast: { file, items: [], comments: [] }, diagnostics };
  }
  // The grammar's top level is a loop over items; a token that can start no item stops Chevrotain
  // there ("not all input parsed"). Report it, skip to the next line, and parse on, so one run
  // reports every independent error.
  const builder = new AstBuilder();
  const items: (ImportDecl | Block | Clause)[] = [];
  const separators: number[] = [];
  const tokens = lexed.tokens;
  let from = 0;
  let lastErrorLine = -1;
  while (from < tokens.length) {
    parser.input = tokens.slice(from);
    const cst = parser.file();
    collectItems(cst, builder, items);
    let resumeAt = tokens.length;
    for (const err of parser.errors) {
      const tok = err.token;
      if (tok.tokenType.name === 'UnterminatedString') continue;
      const range = safeTokenRange(tok, (err as { previousToken?: IToken }).previousToken);
      const expectedEof = /-->\s*EOF\s*<--/.test(err.message);
      if (err.name === 'NotAllInputParsedException' || expectedEof) {
        if (err.name === 'NotAllInputParsedException') {
          const idx = tokens.indexOf(tok);
          let next = idx + 1;
          while (next < tokens.length && tokens[next]!.tokenType.name !== 'Newline') next++;
          resumeAt = Math.max(next, idx + 1);
        }
        if (range.start.line === lastErrorLine) continue;
        diagnostics.push(
          makeDiagnostic('SX1002', file, range, `unexpected ${shown(tok)}`, {
            hint: 'a clause starts with sample, pretrain, train, finetune, eval, a setting (seed, image, model, dims, center) or NAME ~ VALUE; blocks start with experiment, preset or testset',
          }),
        );
      } else {
        if (range.start.line === lastErrorLine && err.name !== 'MismatchedTokenException') continue;
        const { message, hint } = describe(err);
        diagnostics.push(makeDiagnostic('SX1002', file, range, message, hint ? { hint } : {}));
      }
      lastErrorLine = range.start.line;
    }
    from = resumeAt;
  }
  items.sort((a, b) => a.range.start.offset - b.range.start.offset);
  for (const t of tokens) {
    const n = t.tokenType.name;
    if (n === 'Comma' || n === 'Newline' || n === 'LBrace') separators.push(t.startOffset);
  }

  // Clauses written one after another with nothing between them parse, but are almost always a
  // forgotten comma: say so.
  checkSeparated(items, separators, file, diagnostics);
  for (const item of items) {
    if (item.type === 'block') checkSeparated(item.clauses, separators, file, diagnostics);
  }

  // One syntax error per line is enough: the rest of a broken line is usually fallout.
  const seenLines = new Set<number>();
  const deduped = diagnostics.filter((d) => {
    if (d.code !== 'SX1002') return true;
    if (seenLines.has(d.range.start.line)) return false;
    seenLines.add(d.range.start.line);
    return true;
  });
  diagnostics.length = 0;
  diagnostics.push(...deduped);

  const comments: Comment[] = ((lexed.groups.comments ?? []) as IToken[]).map((t) => ({
    text: t.image,
    range: tokenRange(t),
  }));
  return { ast: { file, items, comments }, diagnostics };
}

function collectItems(node: CstNode, builder: AstBuilder, items: (ImportDecl | Block | Clause)[]): void {
  for (const n of (node.children.importDecl ?? []) as CstNode[]) {
    const d = builder.importDecl(n);
    if (d) items.push(d);
  }
  for (const n of (node.children.block ?? []) as CstNode[]) {
    const b = builder.block(n);
    if (b) items.push(b);
  }
  for (const n of (node.children.clause ?? []) as CstNode[]) {
    const c = builder.clause(n);
    if (c) items.push(c);
  }
}


/** The deepest nesting of ( and { a file may have: far beyond any real experiment, far below the stack. */
export const MAX_NESTING = 64;

/** The first opening bracket that nests deeper than MAX_NESTING, if any. */
function firstTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    const n = t.tokenType.name;
    if (n === 'LParen' || n === 'LBrace') {
      if (++depth > MAX_NESTING) return t;
    } else if (n === 'RParen' || n === 'RBrace') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** Whether a sorted list holds a value in [lo, hi): binary search, as files may hold 100,000s of clauses. */
function anyIn(sorted: readonly number[], lo: number, hi: number): boolean {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m]! < lo) a = m + 1;
    else b = m;
  }
  return a < sorted.length && sorted[a]! < hi;
}

function checkSeparated(
  items: readonly { range: { start: { offset: number }; end: { offset: number } } }[],
  separators: readonly number[],
  file: string,
  diagnostics: Diagnostic[],
): void {
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1]!;
    const next = items[i]!;
    const from = prev.range.end.offset;
    const to = next.range.start.offset;
    if (from > to) continue;
    if (!anyIn(separators, from - 1, to)) {
      diagnostics.push(
        makeDiagnostic('SX1002', file, (next as { range: Range }).range, 'missing separator before this clause', {
          hint: 'separate clauses with a comma or a new line',
        }),
      );
    }
  }
}
