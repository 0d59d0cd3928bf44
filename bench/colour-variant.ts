// Alternative colour models for `model builtin`, built in memory (lib/models is not touched): from
// the shipped one (bench/realism-ablate.ts and bench/realism-curve-sheet.ts, "the curve" in
// docs/realism.md), or by the colour generator with other settings (bench/realism-profile.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { builtinModelHeader } from '../src/render/index.js';
import type { MorphableModel } from '../src/render/index.js';
import { buildIctColourModel, colorPriorOf, COLOUR_SETTINGS, type ColourSettings } from '../scripts/ict/colour.js';
import { parseObj, triangulate } from '../scripts/ict/obj.js';
import { BenchInputError } from './bench-args.js';

/** The shipped built-in model's colour component names, in order. */
export function builtinColourNames(): string[] {
  return [...builtinModelHeader().blocks.color];
}

/** `NAME=V,NAME=V` → the colour components whose names start with NAME, each with V. */
function componentValues(spec: string | undefined, names: readonly string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const item of (spec ?? '').split(',').filter(Boolean)) {
    const [prefix, v] = item.split('=');
    const hits = names.flatMap((n, j) => (n.startsWith(prefix!.trim()) ? [j] : []));
    if (!hits.length || v === undefined || Number.isNaN(Number(v))) throw new BenchInputError(`--boost/--shift ${item}: want NAME=NUMBER, NAME the start of a colour component's name (${names.join('; ')})`);
    for (const j of hits) out.set(j, Number(v));
  }
  return out;
}

/**
 * A copy of `m` whose colour block has the spreads of the components named in `boost` multiplied
 * (`"skin texture=3"`: the components are linear, so this is the scripts/ict field built 3 times as
 * strong) and the means moved by the components named in `shift` (`"scalp hair cover=1"`: +1 sd
 * along the component for every identity, spread kept). `m` itself is not changed.
 */
export function colourVariant(m: MorphableModel, names: readonly string[], boostSpec?: string, shiftSpec?: string): MorphableModel {
  const boost = componentValues(boostSpec, names);
  const shift = componentValues(shiftSpec, names);
  if (!boost.size && !shift.size) return m;
  const c = m.color;
  const stride = c.stride ?? c.mean.length;
  const variance = Float32Array.from(c.variance, (v, j) => v * (boost.get(j) ?? 1) ** 2);
  const mean = Float32Array.from(c.mean);
  for (const [j, d] of shift) {
    const w = d * Math.sqrt(c.variance[j]!);
    for (let i = 0; i < mean.length; i++) mean[i]! += w * c.basis[j * stride + i]!;
  }
  return { ...m, color: { ...c, mean, variance } };
}

/** `NAME=V,…` settings of scripts/ict/colour.ts (numbers, or `r/g/b` for a colour) over COLOUR_SETTINGS. */
export function colourSettingsFromSpec(spec: string): ColourSettings {
  const out: Record<string, unknown> = { ...COLOUR_SETTINGS };
  for (const item of spec.split(',').filter(Boolean)) {
    const [key, v] = item.split('=');
    const old = (COLOUR_SETTINGS as unknown as Record<string, unknown>)[key!.trim()];
    const value = v?.split('/').map(Number);
    if (old === undefined || !value || value.some(Number.isNaN) || (Array.isArray(old) ? old.length : 1) !== value.length) {
      throw new BenchInputError(`--settings ${item}: want NAME=NUMBER or NAME=A/B[/C], NAME one of ${Object.keys(COLOUR_SETTINGS).join(', ')}`);
    }
    out[key!.trim()] = Array.isArray(old) ? value : value[0];
  }
  return out as unknown as ColourSettings;
}

/**
 * A copy of `m` (the built-in model) whose colour block is the one scripts/ict/colour.ts builds
 * with `settings`, from the ICT-FaceKit mesh beside the repository (../shared/reference): the
 * model's colour as the generator would ship it with other settings (before the generator's 1/4096
 * quantisation of the fields, which is far below an 8-bit level).
 */
export function colourFromGenerator(m: MorphableModel, settings: ColourSettings): MorphableModel {
  const dir = path.join(import.meta.dirname, '..', '..', 'shared', 'reference', 'ict-facekit', 'FaceXModel');
  const obj = parseObj(readFileSync(path.join(dir, 'generic_neutral_mesh.obj'), 'utf8'), 'generic_neutral_mesh.obj');
  const built = buildIctColourModel({ neutral: obj.vertices, triangles: triangulate(obj.faces), vertexIndices: JSON.parse(readFileSync(path.join(dir, 'vertex_indices.json'), 'utf8')) }, settings);
  // The model keeps a subset of the toolkit's vertices (face and head all, the interior simplified;
  // scripts/ict/build.ts), in order and at their exact positions: match them walking both lists.
  const kept = new Int32Array(m.vertexCount);
  const sm = m.shape.mean;
  for (let i = 0, u = 0; i < m.vertexCount; i++, u++) {
    while (u < obj.vertices.length / 3 && !(Math.abs(10 * obj.vertices[3 * u]! - sm[3 * i]!) < 1e-3 && Math.abs(10 * obj.vertices[3 * u + 2]! - sm[3 * i + 2]!) < 1e-3)) u++;
    if (u >= obj.vertices.length / 3) throw new Error(`colourFromGenerator: model vertex ${i} is not a toolkit vertex`);
    kept[i] = u;
  }
  const n3 = m.color.mean.length;
  const sub = (f: Float32Array) => Float32Array.from({ length: n3 }, (_, j) => f[3 * kept[Math.floor(j / 3)]! + (j % 3)]!);
  const names = builtinColourNames();
  // The model's component order: identity components first, then per-image ones (as build.ts).
  const ordered = [...built.components.filter((c) => c.per === 'identity'), ...built.components.filter((c) => c.per === 'image')];
  if (ordered.map((c) => c.name).join(';') !== names.join(';')) throw new Error('colourFromGenerator: the generator\'s colour components differ from the shipped model\'s');
  const basis = new Float32Array(ordered.length * n3);
  const variance = new Float32Array(ordered.length);
  ordered.forEach((comp, j) => {
    const c = { field: sub(comp.field) };
    let s = 0;
    for (let i = 0; i < n3; i++) s += c.field[i]! * c.field[i]!;
    variance[j] = s;
    const norm = Math.sqrt(s) || 1;
    for (let i = 0; i < n3; i++) basis[j * n3 + i] = c.field[i]! / norm;
  });
  // The variant's priors replace the shipped model's: with `beardRectified=0` the beard is normal again.
  const { colorPrior: _shipped, ...base } = m;
  return { ...base, color: { mean: sub(built.mean), basis, variance, components: ordered.length }, ...colorPriorOf(ordered) };
}
