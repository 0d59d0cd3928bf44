import type { Block, CallArg, Clause, Comment, ImportDecl, StageClause, SynexpFile, Value } from './ast.js';
import { SETTING_NAMES } from './parser.js';

type Item = ImportDecl | Block | Clause;

const INDENT = '  ';

/** One value in canonical form: `U(-90, 90)`, `{10%, 50%}`, `prior "folder"`. */
export function formatValue(v: Value): string {
  switch (v.type) {
    case 'number':
      return v.raw;
    case 'string':
      return v.raw;
    case 'name':
      return v.arg ? `${v.name} ${v.arg.raw}` : v.name;
    case 'call':
      return `${v.name}(${v.args.map(formatArg).join(', ')})`;
    case 'sweep':
      return `{${v.items.map(formatValue).join(', ')}}`;
    case 'error':
      return '';
  }
}

function formatArg(a: CallArg): string {
  return a.weight ? `${formatValue(a.weight)} ${formatValue(a.value)}` : formatValue(a.value);
}

/** Whether `eval a, b` can be written with commas and still parse to the same arguments. */
function commaList(c: StageClause): boolean {
  return c.args.slice(1).every((a) => a.type === 'name' && !a.arg && !SETTING_NAMES.has(a.name));
}

export function formatClause(c: Clause): string {
  switch (c.type) {
    case 'sample':
      return `sample ${formatValue(c.ids)} ids${c.imgs ? ` x ${formatValue(c.imgs)} imgs` : ''}`;
    case 'stage': {
      const sep = c.stage === 'eval' && commaList(c) ? ', ' : ' ';
      const args = c.args.map(formatValue).join(sep);
      const opts = c.options.map((o) => (o.value ? `${o.name} ${formatValue(o.value)}` : o.name)).join(', ');
      return [c.stage, args, opts ? `with ${opts}` : ''].filter(Boolean).join(' ');
    }
    case 'param':
      return `${c.name} ~ ${formatValue(c.value)}`;
    case 'setting':
      // `maps` is the one setting that lists names with commas (`maps depth, normal`).
      if (c.name === 'maps' && c.values.every((v) => v.type === 'name' && !v.arg && !SETTING_NAMES.has(v.name))) return `maps ${c.values.map(formatValue).join(', ')}`;
      return [c.name, ...c.values.map(formatValue)].join(' ');
  }
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

interface Element {
  readonly kind: 'item' | 'comment';
  readonly item?: Item;
  readonly comment?: Comment;
  readonly startLine: number;
  readonly endLine: number;
  readonly offset: number;
}

/**
 * Prints a file in the one canonical layout: one clause per line, two-space indentation in
 * blocks, `, ` inside lists, one blank line between blocks, comments kept where they were (own
 * line, or at the end of the clause's line). Only for files without syntax errors. Idempotent, and
 * never changes meaning (both are property-tested).
 */
export function format(ast: SynexpFile): string {
  const inBlock = (c: Comment, b: Block) => c.range.start.offset > b.range.start.offset && c.range.start.offset < b.range.end.offset;
  const blocks = ast.items.filter((i): i is Block => i.type === 'block');
  const topComments = ast.comments.filter((c) => !blocks.some((b) => inBlock(c, b)));
  const out: string[] = [];
  emit(out, ast.items, topComments, '', ast, true);
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function elements(items: readonly Item[], comments: readonly Comment[]): Element[] {
  const els: Element[] = [
    ...items.map((item) => ({ kind: 'item' as const, item, startLine: item.range.start.line, endLine: item.range.end.line, offset: item.range.start.offset })),
    ...comments.map((comment) => ({ kind: 'comment' as const, comment, startLine: comment.range.start.line, endLine: comment.range.start.line, offset: comment.range.start.offset })),
  ];
  return els.sort((a, b) => a.offset - b.offset);
}

function emit(out: string[], items: readonly Item[], comments: readonly Comment[], indent: string, ast: SynexpFile, top: boolean): void {
  const els = elements(items, comments);
  let prev: Element | undefined;
  for (let i = 0; i < els.length; i++) {
    const el = els[i]!;
    // A comment on the line where the previous clause ends stays at the end of that line.
    if (el.kind === 'comment' && prev?.kind === 'item' && prev.item!.type !== 'block' && el.startLine === prev.endLine) {
      out[out.length - 1] += `  ${el.comment!.text.trimEnd()}`;
      continue;
    }
    if (prev) {
      const blank = el.startLine - prev.endLine > 1;
      const aroundBlock = top && ((el.kind === 'item' && el.item!.type === 'block') || (prev.kind === 'item' && prev.item!.type === 'block'));
      if (blank || aroundBlock) out.push('');
    }
    if (el.kind === 'comment') {
      out.push(`${indent}${el.comment!.text.trimEnd()}`);
    } else {
      const item = el.item!;
      if (item.type === 'import') {
        out.push(`${indent}import ${item.isPath ? quote(item.target) : item.target}`);
      } else if (item.type === 'block') {
        const head = `${indent}${item.kind} ${item.name}${item.base ? ` extends ${item.base.name}` : ''}`;
        const inner = ast.comments.filter((c) => c.range.start.offset > item.range.start.offset && c.range.start.offset < item.range.end.offset);
        if (item.clauses.length === 0 && inner.length === 0) {
          out.push(`${head} {}`);
        } else {
          out.push(`${head} {`);
          // A comment on the `{` line belongs to the head.
          const headLine = item.range.start.line;
          const headComments = inner.filter((c) => c.range.start.line === headLine);
          if (headComments.length > 0) out[out.length - 1] += `  ${headComments.map((c) => c.text.trimEnd()).join(' ')}`;
          emit(out, item.clauses, inner.filter((c) => c.range.start.line !== headLine), indent + INDENT, ast, false);
          out.push(`${indent}}`);
        }
      } else {
        out.push(`${indent}${formatClause(item)}`);
      }
    }
    prev = el;
  }
}
