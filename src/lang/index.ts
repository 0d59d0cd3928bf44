// The language stage: text → tokens → CST → AST (+ diagnostics) → resolved, checked experiments.
export { parse } from './parse.js';
export type { ParseResult } from './parse.js';
export type * as Ast from './ast.js';
export { parser as synexpParser } from './parser.js';
export { ALL_TOKENS } from './tokens.js';
export { check, MAX_SWEEP } from './check.js';
export type { CheckOptions, CheckResult } from './check.js';
export { resolve, fsHost, LIB_PRESETS, clauseKey } from './resolve.js';
export type { Resolution, ResolvedDecl, SourceHost, Located } from './resolve.js';
export { lowerExperiment, sweepAxes } from './lower/index.js';
export type { Axis, Pick, LowerContext } from './lower/index.js';
export { TESTSET_FIRST_ID, RENDER_DEFAULTS, TRAIN_DEFAULTS, TRAIN_OPTION_DEFAULTS, BENCHMARKS, NUMERIC_PARAMS, CHOICE_PARAMS, SETTINGS } from './spec.js';
export type { ExperimentSpec, RenderSpec, TrainSpec, EvalSpec, NetworkSpec } from './spec.js';
export { format, formatValue, formatClause } from './format.js';
