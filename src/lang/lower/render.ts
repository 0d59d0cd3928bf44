// The render clauses of a declaration (`sample`, parameters with `~`, and the settings image,
// model, dims, center, maps, seed) as one RenderSpec with the reference generator's defaults.
// Clauses may come from different files (a preset's, an imported base's): each is read in its own.
import type { ChoiceDist, Dist, ModelRef, RenderMap } from '../../params/index.js';
import type { SampleClause, SettingClause } from '../ast.js';
import type { Located } from '../resolve.js';
import { CHOICE_PARAMS, NUMERIC_PARAMS, isChoiceParam, isNumericParam, RENDER_DEFAULTS, RENDER_MAPS, TESTSET_FIRST_ID, type RenderSpec } from '../spec.js';
import { checkScale, choiceDist, dist, warnAngle, warnNoHighlight } from './distributions.js';
import type { Lowering, Reader } from './values.js';

const CENTER = ['none', 'facebox', 'landmarks', 'arcface'];

/** What to render, or undefined when nothing is sampled (or the sample clause is wrong). */
export function lowerRender(lw: Lowering, clauses: ReadonlyMap<string, Located>, testset: boolean): RenderSpec | undefined {
  const sampleLoc = clauses.get('sample');
  if (!sampleLoc) return undefined;
  const sample = sampleLoc.clause as SampleClause;
  const rs = lw.in(sampleLoc.file);
  const ids = rs.count(sample.ids, 'the number of identities');
  const imgs = sample.imgs ? rs.count(sample.imgs, 'the number of images per identity') : undefined;
  const pose: Record<string, Dist> = { ...RENDER_DEFAULTS.pose };
  const coeffs: Record<string, Dist> = { ...RENDER_DEFAULTS.coeffs };
  const post: Record<string, Dist> = { ...RENDER_DEFAULTS.post };
  let illumination: ChoiceDist = RENDER_DEFAULTS.illumination;
  let background: ChoiceDist = RENDER_DEFAULTS.background;
  let size: number = RENDER_DEFAULTS.size;
  let model: ModelRef = { kind: 'builtin' };
  let dims: { shape: number; color: number; expression: number } = { ...RENDER_DEFAULTS.dims };
  let center: RenderSpec['center'] = RENDER_DEFAULTS.center;
  let maps: RenderMap[] = [];
  let specular: Dist | undefined;
  for (const { clause: c, file } of clauses.values()) {
    const r = lw.in(file);
    if (c.type === 'param') {
      if (isNumericParam(c.name)) {
        const d = dist(r, c.value, c.name);
        if (d && checkScale(r, d, c.name, c.value.range)) {
          warnAngle(r, d, c.name, c.value.range);
          warnNoHighlight(r, d, c.name, c.value.range);
          const group = NUMERIC_PARAMS[c.name]!.group;
          if (group === 'shading') specular = d;
          else (group === 'pose' ? pose : group === 'coeffs' ? coeffs : post)[c.name] = d;
        }
      } else if (isChoiceParam(c.name)) {
        const d = choiceDist(r, c.value, c.name);
        if (d) {
          if (c.name === 'illumination') illumination = d;
          else background = d;
        }
      }
    } else if (c.type === 'setting') {
      if (c.name === 'image') size = imageSize(r, c) ?? size;
      else if (c.name === 'model') model = modelRef(r, c) ?? model;
      else if (c.name === 'dims') dims = readDims(r, c, dims);
      else if (c.name === 'center') {
        const v = r.single(c);
        const n = v && r.nameOf(v, 'centring', CENTER);
        if (n) center = n as RenderSpec['center'];
      } else if (c.name === 'maps') maps = readMaps(r, c);
    }
  }
  if (ids === undefined || (sample.imgs && imgs === undefined)) return undefined;
  return {
    model,
    seed: lowerSeed(lw, clauses) ?? RENDER_DEFAULTS.seed,
    firstId: testset ? TESTSET_FIRST_ID : 0,
    ids,
    imgsPerId: imgs ?? 0,
    size,
    dims,
    pose: pose as RenderSpec['pose'],
    coeffs: coeffs as RenderSpec['coeffs'],
    illumination,
    background,
    post: post as RenderSpec['post'],
    center,
    // Only when asked for: renders without maps keep the fingerprints they always had.
    ...(maps.length > 0 ? { maps } : {}),
    // Likewise only when it adds a highlight: `specular ~ 0` renders (and caches) as no clause.
    ...(specular && !(specular.type === 'const' && specular.value === 0) ? { specular } : {}),
  };
}

/** `seed N`: the declaration's seed, or undefined when it has none (or a wrong one, reported). */
export function lowerSeed(lw: Lowering, clauses: ReadonlyMap<string, Located>): number | undefined {
  const loc = clauses.get('seed');
  // `seed ~ ...` is a parameter clause under the same key, reported as misspelt by the rules.
  if (loc?.clause.type !== 'setting') return undefined;
  const r = lw.in(loc.file);
  const v = r.single(loc.clause);
  if (!v) return undefined;
  const n = r.number(v, 'seed', [''], 'a seed is a whole number, e.g. seed 1988');
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) {
    r.report('SX2010', r.picked(v).range, `seed must be a whole number from 0 to 4294967295, not ${r.text(r.picked(v))}`);
    return undefined;
  }
  return n;
}

/** `image 112px`: the side of the square images. */
function imageSize(r: Reader, c: SettingClause): number | undefined {
  const v = r.single(c);
  const n = v && r.number(v, 'image size', ['px', ''], 'write the image size in pixels, e.g. image 112px');
  if (n === undefined || n === null) return undefined;
  if (!Number.isInteger(n) || n < 16 || n > 1024) {
    r.report('SX2010', v!.range, `image size ${n}px must be a whole number from 16 to 1024`);
    return undefined;
  }
  return n;
}

/** `model builtin | procedural | "file.h5"`: the face model to render. */
function modelRef(r: Reader, c: SettingClause): ModelRef | undefined {
  const v = r.single(c);
  const m = v && r.picked(v);
  if (m && m.type === 'string') {
    if (!/\.(h5|hdf5)$/i.test(m.value)) r.report('SX2101', m.range, `'${m.value}' does not look like a Basel Face Model file (.h5)`);
    return { kind: 'bfm', path: r.resolvePath(m.value) };
  }
  if (m && m.type === 'name' && m.name === 'builtin') return { kind: 'builtin' };
  if (m && m.type === 'name' && m.name === 'procedural') return { kind: 'procedural' };
  if (m && m.type !== 'error') r.report('SX2010', m.range, `model is 'builtin', 'procedural' or the path of a BFM 2017 file in quotes, not '${r.text(m)}'`, 'e.g. model "model2017-1_face12_nomouth.h5"');
  return undefined;
}

/** `dims shape 80 color 80 expression 30`: how many components of each part of the model to use. */
function readDims(r: Reader, c: SettingClause, current: { shape: number; color: number; expression: number }) {
  const out = { ...current };
  const parts = ['shape', 'color', 'expression'] as const;
  const vals = c.values;
  if (vals.length === 0 || vals.length % 2 !== 0) {
    r.report('SX2010', c.range, 'dims takes pairs of a part and a number of components', 'e.g. dims shape 80 color 80 expression 30');
    return out;
  }
  for (let i = 0; i < vals.length; i += 2) {
    const part = r.nameOf(vals[i]!, 'model part', parts);
    const nv = r.picked(vals[i + 1]!);
    const n = r.number(nv, 'a number of components', [''], 'e.g. dims shape 80');
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
      r.report('SX2005', nv.range, `a number of components must be a whole number, 0 or more`);
      continue;
    }
    if (part && n !== undefined) out[part as (typeof parts)[number]] = n;
  }
  return out;
}

/** `maps depth, normal`: the maps asked for, in the order a shard stores them. */
function readMaps(r: Reader, c: SettingClause): RenderMap[] {
  if (c.values.length === 0) {
    r.report('SX2010', c.range, `maps needs at least one of ${RENDER_MAPS.join(', ')}`, 'e.g. maps depth, normal');
    return [];
  }
  const asked = new Set<string>();
  for (const v of c.values) {
    const n = r.nameOf(v, 'map', RENDER_MAPS);
    if (n === undefined) continue;
    if (asked.has(n)) r.report('SX2101', r.picked(v).range, `map '${n}' is listed twice`, 'list each map once');
    asked.add(n);
  }
  return RENDER_MAPS.filter((m) => asked.has(m));
}
