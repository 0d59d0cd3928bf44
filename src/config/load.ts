import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import path from 'node:path';
import type { Ajv2020 as Ajv2020Class, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Node as YamlNode } from 'yaml';
import { FILE_START, makeDiagnostic, type Diagnostic, type Range } from '../diag/index.js';
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
  const rangeOf = (offsets: readonly number[] | undefined): Range => {
    const [s = 0, e = s] = offsets ?? [];
    const a = lineCounter.linePos(s);
    const b = lineCounter.linePos(e);
    return {
      start: { line: a.line, column: a.col, offset: s },
      end: { line: b.line, column: b.col, offset: e },
    };
  };
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
      const node = nodeAt(doc.contents, err.instancePath);
      return makeDiagnostic(
        'SX4001',
        file,
        rangeOf(node?.range ? [node.range[0], node.range[1]] : undefined),
        shortText(`${err.instancePath || '(top level)'} ${describeSchemaError(err)}`),
        { hint: 'see "Configuration" in the README for every key of synx.yaml' },
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

function describeSchemaError(err: ErrorObject): string {
  if (err.keyword === 'additionalProperties') {
    return `has an unknown key '${(err.params as { additionalProperty: string }).additionalProperty}'`;
  }
  // Sizes (slurm.resources.*.mem, imageCache): the same words for a wrong pattern and for a bare number.
  const size = err.instancePath.endsWith('/mem') ? 'K, M, G or T (none: megabytes, as Slurm reads it)' : err.instancePath === '/imageCache' ? 'K, M, G or T' : undefined;
  if (size && (err.keyword === 'pattern' || err.keyword === 'type')) return `must be a size such as 4G: digits, then ${size}`;
  if (err.keyword === 'enum') {
    return `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return err.message ?? 'is invalid';
}

/** The YAML node at a JSON pointer, for the range of a schema error. */
function nodeAt(root: unknown, pointer: string): YamlNode | undefined {
  const { isMap, isSeq } = yaml();
  let node = root as YamlNode | undefined;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
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
