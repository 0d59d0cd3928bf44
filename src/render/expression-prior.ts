import type { Rng } from '../rng/index.js';

/**
 * A prior over blendshape activations in [0, 1] (ARKit-style, as in ICT-FaceKit), used by models
 * whose expression block is a set of blendshapes rather than a Gaussian PCA block.
 *
 * One image's expression: an intensity t = min(1, |x|) with x drawn from the experiment's
 * `expression` distribution (so `expression ~ 0` is neutral and a wider distribution gives stronger
 * expressions), one archetype drawn by weight (neutral, smile, surprise, …) whose activations are
 * scaled by t, plus sparse noise: each blendshape (or left/right pair, which then moves together
 * with a small asymmetry) is switched on with probability `noise.rate` at U(0, noise.max) · t.
 * Activations are clipped to [0, 1], and each `caps` entry [a, b] caps a by b (mouthClose alone
 * pushes the lips through each other: it is only meaningful while the jaw is open).
 */
export interface ExpressionPrior {
  readonly kind: 'blendshape-archetypes';
  readonly archetypes: readonly { readonly name: string; readonly weight: number; readonly shapes: Readonly<Record<string, number>> }[];
  readonly noise: { readonly rate: number; readonly max: number };
  readonly caps: readonly (readonly [string, string])[];
}

/** The prior of synx's built-in (ICT-derived) model; activations at full intensity (t = 1). */
export const ICT_EXPRESSION_PRIOR: ExpressionPrior = {
  kind: 'blendshape-archetypes',
  archetypes: [
    { name: 'neutral', weight: 0.25, shapes: {} },
    { name: 'smile', weight: 0.18, shapes: { mouthSmile_L: 0.8, mouthSmile_R: 0.8, cheekSquint_L: 0.4, cheekSquint_R: 0.4, eyeSquint_L: 0.2, eyeSquint_R: 0.2, mouthDimple_L: 0.2, mouthDimple_R: 0.2 } },
    { name: 'open smile', weight: 0.08, shapes: { mouthSmile_L: 0.8, mouthSmile_R: 0.8, jawOpen: 0.3, cheekSquint_L: 0.5, cheekSquint_R: 0.5, mouthUpperUp_L: 0.2, mouthUpperUp_R: 0.2 } },
    { name: 'surprise', weight: 0.08, shapes: { browInnerUp_L: 0.8, browInnerUp_R: 0.8, browOuterUp_L: 0.8, browOuterUp_R: 0.8, eyeWide_L: 0.6, eyeWide_R: 0.6, jawOpen: 0.45 } },
    { name: 'frown', weight: 0.07, shapes: { browDown_L: 0.7, browDown_R: 0.7, noseSneer_L: 0.3, noseSneer_R: 0.3, mouthFrown_L: 0.4, mouthFrown_R: 0.4, eyeSquint_L: 0.3, eyeSquint_R: 0.3, mouthPress_L: 0.3, mouthPress_R: 0.3 } },
    { name: 'sad', weight: 0.07, shapes: { browInnerUp_L: 0.6, browInnerUp_R: 0.6, mouthFrown_L: 0.6, mouthFrown_R: 0.6, mouthShrugLower: 0.3 } },
    { name: 'blink', weight: 0.07, shapes: { eyeBlink_L: 1, eyeBlink_R: 1 } },
    { name: 'talk', weight: 0.1, shapes: { jawOpen: 0.35, mouthLowerDown_L: 0.2, mouthLowerDown_R: 0.2, mouthFunnel: 0.1, mouthClose: 0.05 } },
    { name: 'pucker', weight: 0.04, shapes: { mouthPucker: 0.8, mouthFunnel: 0.2 } },
    { name: 'disgust', weight: 0.06, shapes: { noseSneer_L: 0.7, noseSneer_R: 0.7, mouthUpperUp_L: 0.5, mouthUpperUp_R: 0.5, browDown_L: 0.3, browDown_R: 0.3 } },
  ],
  noise: { rate: 0.06, max: 0.25 },
  caps: [['mouthClose', 'jawOpen']],
};

/**
 * What `sampleBlendshapes` needs of a prior and a list of names, worked out once per pair (the
 * name look-ups and the left/right pairing cost more than the draws themselves): each archetype's
 * (index, activation) entries, the noise decisions in drawing order (a blendshape and its mate, or
 * -1), and the caps as index pairs (-1: the capping blendshape is not in the list).
 */
interface PriorLayout {
  readonly total: number;
  readonly archetypes: readonly { readonly weight: number; readonly at: Int32Array; readonly value: Float64Array }[];
  readonly decisions: Int32Array;
  readonly caps: Int32Array;
}

const layouts = new WeakMap<ExpressionPrior, Map<string, PriorLayout>>();

function layoutOf(prior: ExpressionPrior, names: readonly string[]): PriorLayout {
  const key = names.join('\n');
  let byNames = layouts.get(prior);
  if (!byNames) layouts.set(prior, (byNames = new Map()));
  const hit = byNames.get(key);
  if (hit) return hit;
  const index = new Map(names.map((n, i) => [n, i]));
  let total = 0;
  for (const a of prior.archetypes) total += a.weight;
  const archetypes = prior.archetypes.map((a) => {
    const entries = Object.entries(a.shapes).flatMap(([name, v]) => {
      const i = index.get(name);
      return i === undefined ? [] : [[i, v] as const];
    });
    return { weight: a.weight, at: Int32Array.from(entries, (e) => e[0]), value: Float64Array.from(entries, (e) => e[1]) };
  });
  // One decision per blendshape or left/right pair (pairs move together), in name order.
  const decisions: number[] = [];
  const done = new Set<number>();
  for (let i = 0; i < names.length; i++) {
    if (done.has(i)) continue;
    const name = names[i]!;
    const mate = /_L$/.test(name) ? index.get(name.replace(/_L$/, '_R')) : /_R$/.test(name) ? index.get(name.replace(/_R$/, '_L')) : undefined;
    done.add(i);
    if (mate !== undefined) done.add(mate);
    decisions.push(i, mate ?? -1);
  }
  const caps: number[] = [];
  for (const [a, b] of prior.caps) {
    const ia = index.get(a);
    if (ia !== undefined) caps.push(ia, index.get(b) ?? -1);
  }
  const layout: PriorLayout = { total, archetypes, decisions: Int32Array.from(decisions), caps: Int32Array.from(caps) };
  byNames.set(key, layout);
  return layout;
}

/**
 * Draws the first `names.length` activations (the model's blendshape order; `dims expression K`
 * keeps the first K) for intensity draw `x`. Deterministic in `rng`; every value is in [0, 1].
 */
export function sampleBlendshapes(prior: ExpressionPrior, names: readonly string[], x: number, rng: Rng): Float64Array {
  const w = new Float64Array(names.length);
  const t = Math.min(1, Math.abs(x));
  if (!(t > 0) || names.length === 0) return w;
  const layout = layoutOf(prior, names);
  let u = rng.uniform() * layout.total;
  let chosen = layout.archetypes[layout.archetypes.length - 1]!;
  for (const a of layout.archetypes) {
    u -= a.weight;
    if (u < 0) {
      chosen = a;
      break;
    }
  }
  for (let k = 0; k < chosen.at.length; k++) w[chosen.at[k]!] = chosen.value[k]! * t;
  // Sparse noise, one decision per blendshape or left/right pair (pairs move together).
  const d = layout.decisions;
  for (let k = 0; k < d.length; k += 2) {
    const i = d[k]!;
    const mate = d[k + 1]!;
    const on = rng.uniform() < prior.noise.rate;
    const a = rng.uniform() * prior.noise.max * t;
    const asym = rng.uniform();
    if (!on) continue;
    w[i] = w[i]! + a * (0.8 + 0.4 * asym);
    if (mate >= 0) w[mate] = w[mate]! + a * (1.2 - 0.4 * asym);
  }
  for (let i = 0; i < w.length; i++) w[i] = Math.min(1, Math.max(0, w[i]!));
  const caps = layout.caps;
  for (let k = 0; k < caps.length; k += 2) {
    const ia = caps[k]!;
    const ib = caps[k + 1]!;
    w[ia] = Math.min(w[ia]!, ib < 0 ? 0 : w[ib]!);
  }
  return w;
}
