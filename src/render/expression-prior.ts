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
 * Draws the first `names.length` activations (the model's blendshape order; `dims expression K`
 * keeps the first K) for intensity draw `x`. Deterministic in `rng`; every value is in [0, 1].
 */
export function sampleBlendshapes(prior: ExpressionPrior, names: readonly string[], x: number, rng: Rng): Float64Array {
  const w = new Float64Array(names.length);
  const t = Math.min(1, Math.abs(x));
  if (!(t > 0) || names.length === 0) return w;
  const index = new Map(names.map((n, i) => [n, i]));
  let total = 0;
  for (const a of prior.archetypes) total += a.weight;
  let u = rng.uniform() * total;
  let chosen = prior.archetypes[prior.archetypes.length - 1]!;
  for (const a of prior.archetypes) {
    u -= a.weight;
    if (u < 0) {
      chosen = a;
      break;
    }
  }
  for (const [name, v] of Object.entries(chosen.shapes)) {
    const i = index.get(name);
    if (i !== undefined) w[i] = v * t;
  }
  // Sparse noise, one decision per blendshape or left/right pair (pairs move together).
  const done = new Set<number>();
  for (let i = 0; i < names.length; i++) {
    if (done.has(i)) continue;
    const name = names[i]!;
    const mate = /_L$/.test(name) ? index.get(name.replace(/_L$/, '_R')) : /_R$/.test(name) ? index.get(name.replace(/_R$/, '_L')) : undefined;
    done.add(i);
    if (mate !== undefined) done.add(mate);
    const on = rng.uniform() < prior.noise.rate;
    const a = rng.uniform() * prior.noise.max * t;
    const asym = rng.uniform();
    if (!on) continue;
    w[i] = w[i]! + a * (0.8 + 0.4 * asym);
    if (mate !== undefined) w[mate] = w[mate]! + a * (1.2 - 0.4 * asym);
  }
  for (let i = 0; i < w.length; i++) w[i] = Math.min(1, Math.max(0, w[i]!));
  for (const [a, b] of prior.caps) {
    const ia = index.get(a);
    if (ia === undefined) continue;
    const ib = index.get(b);
    w[ia] = Math.min(w[ia]!, ib === undefined ? 0 : w[ib]!);
  }
  return w;
}
