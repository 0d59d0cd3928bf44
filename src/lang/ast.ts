import type { Range } from '../diag/index.js';

/** A number as written: `10k` is { value: 10000, unit: '', raw: '10k' }; `10%` keeps unit '%'. */
export interface NumberValue {
  readonly type: 'number';
  readonly value: number;
  /** The unit after scaling suffixes are applied: '', '%', 'px', 'deg'; or an unknown suffix as written. */
  readonly unit: string;
  readonly raw: string;
  readonly range: Range;
}

export interface StringValue {
  readonly type: 'string';
  readonly value: string;
  readonly raw: string;
  readonly range: Range;
}

/** A bare name, optionally with a string argument: `casia`, `noise`, `prior "folder"`. */
export interface NameValue {
  readonly type: 'name';
  readonly name: string;
  readonly arg?: StringValue;
  readonly range: Range;
}

/** `U(-90, 90)`, `mix(0.6 U(-90,90), 0.2 N(0,2), 0.2 0)`. */
export interface CallValue {
  readonly type: 'call';
  readonly name: string;
  readonly nameRange: Range;
  readonly args: readonly CallArg[];
  readonly range: Range;
}

/** A call argument; mixtures write a weight before the component. */
export interface CallArg {
  readonly weight?: Value;
  readonly value: Value;
  readonly range: Range;
}

/** `{10%, 50%, 100%}`: one experiment per item. */
export interface SweepValue {
  readonly type: 'sweep';
  readonly items: readonly Value[];
  readonly range: Range;
}

/** Stands where the parser recovered from an error; checking skips it silently. */
export interface ErrorValue {
  readonly type: 'error';
  readonly range: Range;
}

export type Value = NumberValue | StringValue | NameValue | CallValue | SweepValue | ErrorValue;

export interface SampleClause {
  readonly type: 'sample';
  readonly ids: Value;
  readonly imgs?: Value;
  readonly range: Range;
  readonly keywordRange: Range;
}

export type StageName = 'pretrain' | 'train' | 'finetune' | 'eval';

export interface StageOption {
  readonly name: string;
  readonly nameRange: Range;
  readonly value?: Value;
  readonly range: Range;
}

export interface StageClause {
  readonly type: 'stage';
  readonly stage: StageName;
  readonly keywordRange: Range;
  readonly args: readonly Value[];
  readonly options: readonly StageOption[];
  readonly range: Range;
}

/** `yaw ~ U(-90, 90)` */
export interface ParamClause {
  readonly type: 'param';
  readonly name: string;
  readonly nameRange: Range;
  readonly value: Value;
  readonly range: Range;
}

/** `seed 1988`, `image 112px`, `model "bfm.h5"`, `dims shape 80 color 80 expression 30` */
export interface SettingClause {
  readonly type: 'setting';
  readonly name: string;
  readonly nameRange: Range;
  readonly values: readonly Value[];
  readonly range: Range;
}

export type Clause = SampleClause | StageClause | ParamClause | SettingClause;

export type BlockKind = 'experiment' | 'preset' | 'testset';

export interface Block {
  readonly type: 'block';
  readonly kind: BlockKind;
  readonly name: string;
  readonly nameRange: Range;
  readonly base?: { readonly name: string; readonly range: Range };
  readonly clauses: readonly Clause[];
  readonly range: Range;
}

export interface ImportDecl {
  readonly type: 'import';
  /** A library preset name (`seed-study`) or a path relative to the file (`"./common.synexp"`). */
  readonly target: string;
  readonly isPath: boolean;
  readonly range: Range;
}

export interface Comment {
  readonly text: string;
  readonly range: Range;
}

/** A whole `.synexp` file. Items keep source order (the formatter needs it). */
export interface SynexpFile {
  readonly file: string;
  readonly items: readonly (ImportDecl | Block | Clause)[];
  readonly comments: readonly Comment[];
}
