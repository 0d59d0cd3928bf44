// Loads grammar/synexp.tmLanguage.json into vscode-textmate, the engine VS Code uses, so the tests
// see the same tokens an editor would.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import oniguruma from 'vscode-oniguruma';
import vsctm from 'vscode-textmate';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The TextMate grammar under test. */
export const GRAMMAR_FILE = path.join(ROOT, 'grammar', 'synexp.tmLanguage.json');

/** One TextMate token, with offsets into the whole text (not the line). */
export interface TmToken {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

/** What tokenizing a text gives: its tokens and whether every region opened was closed. */
export interface Tokenized {
  readonly tokens: readonly TmToken[];
  readonly balanced: boolean;
}

let grammarPromise: Promise<vsctm.IGrammar> | undefined;

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === 'source.synexp' ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_FILE, 'utf8'), GRAMMAR_FILE) : null,
  });
  const grammar = await registry.loadGrammar('source.synexp');
  if (!grammar) throw new Error(`cannot load ${GRAMMAR_FILE}`);
  return grammar;
}

/** The synexp grammar, loaded once per test file (the wasm start-up is the slow part). */
export function synexpGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= loadGrammar();
  return grammarPromise;
}

/** Tokenizes a whole text line by line, as an editor does. */
export async function tokenize(text: string): Promise<Tokenized> {
  const grammar = await synexpGrammar();
  const tokens: TmToken[] = [];
  let state = vsctm.INITIAL;
  let offset = 0;
  text.split('\n').forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    if (result.stoppedEarly) throw new Error(`tokenizing stopped early on line ${index + 1}`);
    for (const t of result.tokens) {
      const end = Math.min(t.endIndex, line.length);
      if (end <= t.startIndex) continue;
      tokens.push({ line: index + 1, start: offset + t.startIndex, end: offset + end, text: line.slice(t.startIndex, end), scopes: t.scopes });
    }
    state = result.ruleStack;
    offset += line.length + 1;
  });
  return { tokens, balanced: state.depth === vsctm.INITIAL.depth };
}
