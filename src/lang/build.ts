import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Range } from '../diag/index.js';
import type {
  Block,
  BlockKind,
  CallArg,
  Clause,
  ImportDecl,
  StageName,
  StageOption,
  Value,
} from './ast.js';
import { nodeRange, safeTokenRange, spanRanges, tokenRange, isRealToken } from './positions.js';

const EMPTY: Range = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

const SCALE: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6 };

/** Splits `10k` into 10000 and '', `10%` into 10 and '%', `45°` into 45 and 'deg'. */
export function parseNumber(raw: string): { value: number; unit: string } {
  const m = /^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)(.*)$/.exec(raw);
  const num = Number(m?.[1] ?? raw);
  const suffix = m?.[2] ?? '';
  if (suffix in SCALE) return { value: num * SCALE[suffix]!, unit: '' };
  if (suffix === '°') return { value: num, unit: 'deg' };
  return { value: num, unit: suffix };
}

function unquote(raw: string): string {
  const body = raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw.slice(1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

function nodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []) as CstNode[];
}

function toks(node: CstNode, key: string): IToken[] {
  return (node.children[key] ?? []) as IToken[];
}

function firstTok(node: CstNode, ...keys: string[]): IToken | undefined {
  for (const k of keys) {
    const t = toks(node, k)[0];
    if (t && isRealToken(t)) return t;
  }
  return undefined;
}

/** Turns the CST into the AST, tolerating the holes error recovery leaves. */
export class AstBuilder {
  constructor(private readonly fallback: Range = EMPTY) {}

  range(node: CstElement | undefined): Range {
    return node ? nodeRange(node, this.fallback) : this.fallback;
  }

  value(node: CstNode | undefined): Value {
    if (!node) return { type: 'error', range: this.fallback };
    const sweep = nodes(node, 'sweep')[0];
    if (sweep) return this.sweep(sweep);
    const atom = nodes(node, 'atom')[0];
    if (atom) return this.atom(atom);
    return { type: 'error', range: this.range(node) };
  }

  sweep(node: CstNode): Value {
    return {
      type: 'sweep',
      items: nodes(node, 'atom').map((a) => this.atom(a)),
      range: this.range(node),
    };
  }

  atom(node: CstNode): Value {
    const range = this.range(node);
    const num = firstTok(node, 'NumberLit');
    if (num) return { type: 'number', ...parseNumber(num.image), raw: num.image, range };
    const str = firstTok(node, 'StringLit', 'UnterminatedString');
    if (str) return { type: 'string', value: unquote(str.image), raw: str.image, range };
    const call = nodes(node, 'call')[0];
    if (call) return this.call(call);
    const named = nodes(node, 'namedChoice')[0];
    if (named) {
      const id = firstTok(named, 'Identifier');
      if (!id) return { type: 'error', range };
      const argTok = firstTok(named, 'StringLit');
      return {
        type: 'name',
        name: id.image,
        ...(argTok
          ? { arg: { type: 'string', value: unquote(argTok.image), raw: argTok.image, range: tokenRange(argTok) } }
          : {}),
        range: this.range(named),
      };
    }
    return { type: 'error', range };
  }

  call(node: CstNode): Value {
    const id = firstTok(node, 'Identifier');
    const range = this.range(node);
    if (!id) return { type: 'error', range };
    const args: CallArg[] = nodes(node, 'arg').map((a) => {
      const first = this.value(nodes(a, 'value')[0]);
      const weighted = nodes(a, 'weighted')[0];
      return weighted
        ? { weight: first, value: this.value(weighted), range: this.range(a) }
        : { value: first, range: this.range(a) };
    });
    return { type: 'call', name: id.image, nameRange: tokenRange(id), args, range };
  }

  clause(node: CstNode): Clause | undefined {
    const [kind, inner] = Object.entries(node.children)[0] ?? [];
    const sub = (inner?.[0] as CstNode | undefined) ?? undefined;
    if (!kind || !sub) return undefined;
    const range = this.range(sub);
    switch (kind) {
      case 'sampleClause': {
        const kw = firstTok(sub, 'Sample');
        const imgs = nodes(sub, 'imgs')[0];
        return {
          type: 'sample',
          ids: this.value(nodes(sub, 'ids')[0]),
          ...(imgs ? { imgs: this.value(imgs) } : {}),
          range,
          keywordRange: kw ? tokenRange(kw) : range,
        };
      }
      case 'stageClause': {
        const kw = firstTok(sub, 'Pretrain', 'Train', 'Finetune', 'Eval');
        if (!kw) return undefined;
        const options: StageOption[] = nodes(sub, 'optionItem').flatMap((o) => {
          const id = firstTok(o, 'Identifier');
          if (!id) return [];
          const v = nodes(o, 'value')[0];
          return [{ name: id.image, nameRange: tokenRange(id), ...(v ? { value: this.value(v) } : {}), range: this.range(o) }];
        });
        return {
          type: 'stage',
          stage: kw.image as StageName,
          keywordRange: tokenRange(kw),
          args: nodes(sub, 'args').map((v) => this.value(v)),
          options,
          range,
        };
      }
      case 'paramClause': {
        const id = firstTok(sub, 'Identifier');
        if (!id) return undefined;
        return { type: 'param', name: id.image, nameRange: tokenRange(id), value: this.value(nodes(sub, 'value')[0]), range };
      }
      case 'settingClause': {
        const id = firstTok(sub, 'Identifier');
        if (!id) return undefined;
        const values: Value[] = [
          ...nodes(sub, 'value').map((v) => this.value(v)),
          ...toks(sub, 'word')
            .filter(isRealToken)
            .map((t): Value => ({ type: 'name', name: t.image, range: tokenRange(t) })),
        ].sort((a, b) => a.range.start.offset - b.range.start.offset);
        return { type: 'setting', name: id.image, nameRange: tokenRange(id), values, range };
      }
      default:
        return undefined;
    }
  }

  block(node: CstNode): Block | undefined {
    const kw = firstTok(node, 'Experiment', 'Preset', 'Testset');
    const names = toks(node, 'name').filter(isRealToken);
    const base = toks(node, 'base').filter(isRealToken)[0];
    if (!kw) return undefined;
    const nameTok = names[0];
    const clauses = nodes(node, 'clause')
      .map((c) => this.clause(c))
      .filter((c): c is Clause => c !== undefined);
    return {
      type: 'block',
      kind: kw.image as BlockKind,
      name: nameTok?.image ?? '',
      nameRange: safeTokenRange(nameTok, kw),
      ...(base ? { base: { name: base.image, range: tokenRange(base) } } : {}),
      clauses,
      range: this.range(node),
    };
  }

  importDecl(node: CstNode): ImportDecl | undefined {
    const str = firstTok(node, 'StringLit');
    const id = firstTok(node, 'Identifier');
    const kw = firstTok(node, 'Import');
    if (!str && !id) return undefined;
    const range = kw ? spanRanges(tokenRange(kw), tokenRange((str ?? id)!)) : this.range(node);
    return str
      ? { type: 'import', target: unquote(str.image), isPath: true, range }
      : { type: 'import', target: id!.image, isPath: false, range };
  }
}
