// The language stage: text → tokens → CST → AST (+ diagnostics), checking, formatting.
export { parse } from './parse.js';
export type { ParseResult } from './parse.js';
export type * as Ast from './ast.js';
export { parser as synexpParser } from './parser.js';
export { ALL_TOKENS } from './tokens.js';
