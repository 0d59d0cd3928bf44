// An alternative colour model for `model builtin`, built in memory from the shipped one (lib/models
// is not touched): used by bench/realism-ablate.ts and bench/realism-curve-sheet.ts for "the curve"
// in docs/realism.md.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_MODEL_NAME, builtinModelDir } from '../src/render/index.js';
import type { MorphableModel } from '../src/render/index.js';

/** The shipped built-in model's colour component names, in order. */
export function builtinColourNames(): string[] {
  const header = JSON.parse(readFileSync(path.join(builtinModelDir(), `${BUILTIN_MODEL_NAME}.json`), 'utf8')) as { blocks: { color: string[] } };
  return header.blocks.color;
}

/** `NAME=V,NAME=V` → the colour components whose names start with NAME, each with V. */
function componentValues(spec: string | undefined, names: readonly string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const item of (spec ?? '').split(',').filter(Boolean)) {
    const [prefix, v] = item.split('=');
    const hits = names.flatMap((n, j) => (n.startsWith(prefix!.trim()) ? [j] : []));
    if (!hits.length || v === undefined || Number.isNaN(Number(v))) throw new Error(`--boost/--shift ${item}: want NAME=NUMBER, NAME the start of a colour component's name (${names.join('; ')})`);
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
