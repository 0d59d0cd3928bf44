import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import path from 'node:path';
import type { Ajv2020 as Ajv2020Class, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Node as YamlNode } from 'yaml';
import { closest, FILE_START, makeDiagnostic, type Diagnostic, type Range } from '../diag/index.js';
import type { DatasetConfig, ProjectConfig, RendererSetting } from './config.js';
import { CONFIG_SCHEMA } from './schema.js';

export const CONFIG_FILE = 'synx.yaml';

/** Finds synx.yaml in `start` or the nearest folder above it; undefined when there is none. */
export function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface LoadedConfig {
  readonly config: ProjectConfig;
  readonly diagnostics: readonly Diagnostic[];
  /** The synx.yaml read, if any. */
  readonly file?: string;
}

const require = createRequire(import.meta.url);

/** The yaml package, loaded when there is a synx.yaml to read (not at every start of the CLI). */
const yaml = (): typeof import('yaml') => require('yaml') as typeof import('yaml');

let validator: ValidateFunction | undefined;

/**
 * The validator of synx.yaml's data, compiled on first use: a run of `synx check` in a folder
 * without synx.yaml never loads ajv. `validateSchema: false` skips checking CONFIG_SCHEMA against
 * JSON Schema's meta-schema, four fifths of the compile time (about 200 ms at every start); the
 * tests check the schema against the meta-schema instead (test/config/schema.test.ts).
 */
function validateConfigData(): ValidateFunction {
  if (validator === undefined) {
    const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Class };
    validator = new Ajv2020({ allErrors: true, strict: false, validateSchema: false }).compile(CONFIG_SCHEMA);
  }
  return validator;
}

function defaults(root: string): ProjectConfig {
  const cores = Math.max(1, cpus().length);
  return {
    root,
    cache: path.join(root, '.synx', 'cache'),
    runs: path.join(root, '.synx', 'runs'),
    datasets: {},
    backend: 'wasm',
    jobs: cores,
    cpus: cores,
    gpus: 0,
    threads: cores,
    executor: 'local',
    renderer: 'auto',
    slurm: {},
    scale: 1,
  };
}

/**
 * Loads the project configuration for files under `start`: synx.yaml (validated against the JSON
 * Schema in `schema.ts`) over defaults, then SYNX_CACHE from the environment. Never throws on a
 * bad file: problems come back as diagnostics naming the line.
 */
export function loadConfig(start: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = findConfigFile(start);
  const root = file ? path.dirname(file) : path.resolve(start);
  const base = defaults(root);
  const envDiagnostics: Diagnostic[] = [];
  const envScale = env.SYNX_SCALE === undefined || env.SYNX_SCALE === '' ? undefined : Number(env.SYNX_SCALE);
  if (envScale !== undefined && !(envScale > 0 && envScale <= 1)) {
    envDiagnostics.push(
      makeDiagnostic('SX4001', 'SYNX_SCALE', FILE_START, `SYNX_SCALE must be a number above 0 and at most 1, not '${env.SYNX_SCALE}'`, {
        hint: 'e.g. SYNX_SCALE=0.1 shrinks every experiment to a tenth; unset it to run at full size',
      }),
    );
  }
  const withEnv = (c: ProjectConfig): ProjectConfig => ({
    ...c,
    ...(env.SYNX_CACHE ? { cache: path.resolve(env.SYNX_CACHE) } : {}),
    ...(envScale !== undefined && envDiagnostics.length === 0 ? { scale: envScale } : {}),
  });
  if (!file) return { config: withEnv(base), diagnostics: envDiagnostics };

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      config: withEnv(base),
      file,
      diagnostics: [
        makeDiagnostic('SX4002', file, FILE_START, `cannot read ${CONFIG_FILE}: ${(e as Error).message}`),
      ],
    };
  }
  const binary = firstBinaryOffset(text);
  if (binary >= 0) {
    const line = text.slice(0, binary).split('\n').length;
    return {
      config: withEnv(base),
      file,
      diagnostics: [
        makeDiagnostic('SX4002', file, { start: { line, column: 1, offset: binary }, end: { line, column: 1, offset: binary } }, `${CONFIG_FILE} is not a text file: it holds binary bytes (the first on line ${line})`, {
          hint: `${CONFIG_FILE} is YAML text; see "Configuration" in the README`,
        }),
      ],
    };
  }
  const { LineCounter, parseDocument, visit, isScalar, YAMLParseError } = yaml();
  const lineCounter = new LineCounter();
  // The yaml library's own duplicate-key check compares each key with every earlier one
  // (quadratic: 49 s for 80,000 datasets); keys are checked here with a set instead.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length === 0) {
    visit(doc, {
      Map(_key, map) {
        const seen = new Set<unknown>();
        for (const pair of map.items) {
          const k = isScalar(pair.key) ? pair.key.value : pair.key;
          if (seen.has(k)) {
            const range = isScalar(pair.key) ? pair.key.range : undefined;
            doc.errors.push(new YAMLParseError(range ? [range[0], range[1]] : [0, 0], 'DUPLICATE_KEY', 'Map keys must be unique'));
          }
          seen.add(k);
        }
      },
    });
  }
  const rangeOf = (offsets: readonly number[] | undefined): Range => rangeIn(lineCounter, offsets);
  if (doc.errors.length > 0) {
    return {
      config: withEnv(base),
      file,
      diagnostics: doc.errors.map((err) =>
        makeDiagnostic('SX4001', file, rangeOf(err.pos), `invalid YAML: ${shortText(err.message.split('\n')[0] ?? '')}`),
      ),
    };
  }
  const data: unknown = doc.toJS() ?? {};
  const validate = validateConfigData();
  if (!validate(data)) {
    const diagnostics = (validate.errors ?? []).map((err) => {
      const node = nodeAt(doc.contents, pointerKeys(err.instancePath));
      return makeDiagnostic(
        'SX4001',
        file,
        rangeOf(node?.range ? [node.range[0], node.range[1]] : undefined),
        shortText(`${keyPath(err.instancePath)} ${describeSchemaError(err)}`),
        { hint: schemaHint(err) },
      );
    });
    return { config: withEnv(base), file, diagnostics };
  }
  const raw = data as {
    cache?: string;
    runs?: string;
    backend?: string;
    jobs?: number;
    cpus?: number;
    gpus?: number;
    threads?: number;
    executor?: 'local' | 'slurm';
    renderer?: RendererSetting;
    slurm?: Record<string, unknown>;
    scale?: number;
    imageCache?: string;
    datasets?: Record<string, DatasetConfig>;
  };
  const datasets: Record<string, DatasetConfig> = {};
  for (const [name, ds] of Object.entries(raw.datasets ?? {})) {
    datasets[name] = {
      ...ds,
      path: path.resolve(root, ds.path),
      ...(ds.pairs !== undefined ? { pairs: path.resolve(root, ds.pairs) } : {}),
      ...(ds.metadata !== undefined ? { metadata: path.resolve(root, ds.metadata) } : {}),
    };
  }
  const config: ProjectConfig = {
    ...base,
    ...(raw.cache !== undefined ? { cache: path.resolve(root, raw.cache) } : {}),
    ...(raw.runs !== undefined ? { runs: path.resolve(root, raw.runs) } : {}),
    ...(raw.backend !== undefined ? { backend: raw.backend } : {}),
    ...(raw.jobs !== undefined ? { jobs: raw.jobs } : {}),
    ...(raw.cpus !== undefined ? { cpus: raw.cpus } : {}),
    ...(raw.gpus !== undefined ? { gpus: raw.gpus } : {}),
    ...(raw.threads !== undefined ? { threads: raw.threads } : {}),
    ...(raw.executor !== undefined ? { executor: raw.executor } : {}),
    ...(raw.renderer !== undefined ? { renderer: raw.renderer } : {}),
    ...(raw.slurm !== undefined ? { slurm: raw.slurm } : {}),
    ...(raw.scale !== undefined ? { scale: raw.scale } : {}),
    ...(raw.imageCache !== undefined ? { imageCache: sizeBytes(raw.imageCache) } : {}),
    datasets,
  };
  return { config: withEnv(config), file, diagnostics: envDiagnostics };
}

/**
 * The offset of the first byte that text never holds (NUL, other control characters, bytes that
 * are not UTF-8), or -1: a binary file saved as synx.yaml is refused in one line instead of its
 * bytes being quoted back in YAML errors.
 */
function firstBinaryOffset(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.search(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/);
}

/** A message that quotes the file, cut to a printable line of at most 200 characters. */
function shortText(message: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = message.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}

/** The keys of a JSON pointer (`/datasets/lfw` → ['datasets', 'lfw']), its escapes undone. */
function pointerKeys(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A line and column range of byte offsets [start, end] in text counted by `lineCounter`. */
function rangeIn(lineCounter: { linePos(offset: number): { line: number; col: number } }, offsets: readonly number[] | undefined): Range {
  const [s = 0, e = s] = offsets ?? [];
  const a = lineCounter.linePos(s);
  const b = lineCounter.linePos(e);
  return { start: { line: a.line, column: a.col, offset: s }, end: { line: b.line, column: b.col, offset: e } };
}

/** A JSON pointer as the keys a user wrote: `/datasets/lfw/format` → `datasets.lfw.format`. */
function keyPath(pointer: string): string {
  return pointer === '' ? 'synx.yaml' : pointerKeys(pointer).join('.');
}

/** The schema node that validates the value at `pointer` (properties, then additionalProperties or items). */
function schemaAt(pointer: string): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = CONFIG_SCHEMA as unknown as Record<string, unknown>;
  for (const key of pointerKeys(pointer)) {
    const props = node?.properties as Record<string, Record<string, unknown>> | undefined;
    const extra: unknown = node?.additionalProperties;
    node = props && Object.hasOwn(props, key) ? props[key] : typeof extra === 'object' && extra !== null ? (extra as Record<string, unknown>) : (node?.items as Record<string, unknown> | undefined);
  }
  return node;
}

/** Keys a dataset entry takes, for an unknown top-level key that belongs under `datasets.NAME`. */
const DATASET_KEYS = new Set(Object.keys(((CONFIG_SCHEMA.properties.datasets as { additionalProperties: { properties: object } }).additionalProperties.properties)));

/** The hint of a schema error: the key meant, where a key belongs, or where the keys are listed. */
function schemaHint(err: ErrorObject): string {
  const readme = 'see "Configuration" in the README for every key of synx.yaml';
  if (err.keyword !== 'additionalProperties') return readme;
  const key = (err.params as { additionalProperty: string }).additionalProperty;
  const known = Object.keys((schemaAt(err.instancePath)?.properties as object | undefined) ?? {});
  const guess = closest(key, known);
  if (guess !== undefined) return `did you mean '${guess}'? (${readme})`;
  if (err.instancePath === '' && DATASET_KEYS.has(key)) return `${key} is a dataset's key: write it under datasets.NAME (e.g. datasets.mylfw.${key})`;
  return known.length > 0 ? `the keys here are ${known.join(', ')}` : readme;
}

function describeSchemaError(err: ErrorObject): string {
  if (err.keyword === 'additionalProperties') {
    return `has an unknown key '${(err.params as { additionalProperty: string }).additionalProperty}'`;
  }
  // Sizes (slurm.resources.*.mem, imageCache): the same words for a wrong pattern and for a bare number.
  const size = err.instancePath.endsWith('/mem') ? 'K, M, G or T (none: megabytes, as Slurm reads it)' : err.instancePath === '/imageCache' ? 'K, M, G or T' : undefined;
  if (size && (err.keyword === 'pattern' || err.keyword === 'type')) return `must be a size such as 4G: digits, then ${size}`;
  const p = err.params as { type?: string; limit?: number };
  if (err.keyword === 'type') {
    const words: Record<string, string> = { integer: 'a whole number', number: 'a number', string: 'text (in quotes if it looks like a number)', object: 'a mapping of keys (key: value lines, indented)', array: 'a list ([a, b] or "- item" lines)', boolean: 'true or false' };
    if (words[p.type ?? '']) return `must be ${words[p.type!]}`;
  }
  if (err.keyword === 'required') return `needs the key '${(err.params as { missingProperty: string }).missingProperty}'`;
  if (err.keyword === 'minimum') return `must be at least ${p.limit}`;
  if (err.keyword === 'exclusiveMinimum') return `must be above ${p.limit}`;
  if (err.keyword === 'maximum') return `must be at most ${p.limit}`;
  if (err.keyword === 'exclusiveMaximum') return `must be below ${p.limit}`;
  if (err.keyword === 'enum') {
    return `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return err.message ?? 'is invalid';
}

/**
 * Where key `keys` (e.g. ['datasets', 'lfw', 'path']: its value, or the deepest of them that the
 * file has) is written in the synx.yaml at `file`, for a diagnostic about it found after loading
 * (a dataset folder that does not exist); undefined when the file cannot be read or parsed.
 */
export function configKeyRange(file: string, keys: readonly string[]): Range | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) return undefined;
  let found: YamlNode | undefined;
  for (let n = keys.length; n > 0 && !found?.range; n--) found = nodeAt(doc.contents, keys.slice(0, n));
  return found?.range ? rangeIn(lineCounter, [found.range[0], found.range[1]]) : undefined;
}

/** The YAML node at a path of keys (a schema error's pointer, or a key's in configKeyRange). */
function nodeAt(root: unknown, keys: readonly string[]): YamlNode | undefined {
  const { isMap, isSeq } = yaml();
  let node = root as YamlNode | undefined;
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      node = (pair?.value ?? pair?.key) as YamlNode | undefined;
    } else if (isSeq(node)) {
      node = node.items[Number(key)] as YamlNode | undefined;
    } else {
      return node;
    }
  }
  return node;
}

/** A size the schema admits (digits and K, M, G or T, powers of 1024, as Slurm's --mem) in bytes. */
function sizeBytes(size: string): number {
  const unit = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[size.slice(-1) as 'K' | 'M' | 'G' | 'T'];
  return Number(size.slice(0, -1)) * unit;
}
