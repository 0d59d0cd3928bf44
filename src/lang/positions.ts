import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Position, Range } from '../diag/index.js';

/**
 * Chevrotain gives tokens inserted during error recovery (and EOF) NaN or -1 offsets. Every range
 * in synx goes through here: such a token is placed at the end of the previous real token, so an
 * error like "missing ')'" points just after the last thing the user wrote.
 */
export function isRealToken(t: IToken): boolean {
  return Number.isFinite(t.startOffset) && t.startOffset >= 0 && !t.isInsertedInRecovery;
}

export function tokenStart(t: IToken): Position {
  return { line: t.startLine ?? 1, column: t.startColumn ?? 1, offset: t.startOffset };
}

export function tokenEnd(t: IToken): Position {
  const endOffset = t.endOffset ?? t.startOffset + t.image.length - 1;
  return {
    line: t.endLine ?? t.startLine ?? 1,
    column: (t.endColumn ?? (t.startColumn ?? 1) + t.image.length - 1) + 1,
    offset: endOffset + 1,
  };
}

export function tokenRange(t: IToken): Range {
  return { start: tokenStart(t), end: tokenEnd(t) };
}

/** The range of a token, or for a recovered token the point after `previous` (or file start). */
export function safeTokenRange(t: IToken | undefined, previous: IToken | undefined): Range {
  if (t && isRealToken(t)) return tokenRange(t);
  if (previous && isRealToken(previous)) {
    const end = tokenEnd(previous);
    return { start: end, end };
  }
  const start = { line: 1, column: 1, offset: 0 };
  return { start, end: start };
}

/** Every real token under a CST node, in source order. */
export function tokensOf(node: CstElement): IToken[] {
  const out: IToken[] = [];
  const walk = (el: CstElement) => {
    if ('image' in el) {
      if (isRealToken(el)) out.push(el);
      return;
    }
    for (const list of Object.values((el as CstNode).children)) {
      for (const child of list ?? []) walk(child);
    }
  };
  walk(node);
  return out.sort((a, b) => a.startOffset - b.startOffset);
}

/** From the first to the last real token under `node`; `fallback` when it has none. */
export function nodeRange(node: CstElement, fallback: Range): Range {
  // Chevrotain tracks node locations; they are missing (NaN) only around recovered tokens.
  const loc = (node as CstNode).location;
  if (loc && Number.isFinite(loc.startOffset) && Number.isFinite(loc.endOffset) && loc.endLine !== undefined) {
    return {
      start: { line: loc.startLine ?? 1, column: loc.startColumn ?? 1, offset: loc.startOffset },
      end: { line: loc.endLine ?? 1, column: (loc.endColumn ?? 0) + 1, offset: (loc.endOffset ?? loc.startOffset) + 1 },
    };
  }
  let first: IToken | undefined;
  let last: IToken | undefined;
  // Walks without collecting or sorting: ranges are taken for every AST node, so this is hot.
  const walk = (el: CstElement) => {
    if ('image' in el) {
      if (!isRealToken(el)) return;
      if (!first || el.startOffset < first.startOffset) first = el;
      if (!last || el.startOffset > last.startOffset) last = el;
      return;
    }
    const children = (el as CstNode).children;
    for (const key in children) {
      const list = children[key];
      if (list) for (let i = 0; i < list.length; i++) walk(list[i]!);
    }
  };
  walk(node);
  if (!first || !last) return fallback;
  return { start: tokenStart(first), end: tokenEnd(last) };
}

export function spanRanges(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}

/** Line and column of an offset in `text` (for lexer errors, which give only offsets). */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset };
}
