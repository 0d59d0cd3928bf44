import { describe, expect, it } from 'vitest';
import { applySimilarity, ARCFACE_TEMPLATE_112, fivePointsOfLabel, umeyama, type Point } from '../../src/arcface/index.js';
import { NodeFailure } from '../../src/node/index.js';
import { FaceRenderer, prepareRender } from '../../src/render/index.js';
import { baseParams } from './fixtures.js';

const c = (value: number) => ({ type: 'const' as const, value });

describe('center arcface', () => {
  const render = async (center: 'none' | 'arcface', yaw: number, roll: number) => {
    const params = baseParams({ size: 112, center, dims: { shape: 20, color: 20, expression: 0 }, pose: { ...baseParams().pose, yaw: c(yaw), roll: c(roll), scale: c(0.8) } });
    return new FaceRenderer(await prepareRender(params)).render(3, 0);
  };
  const dist = (p: Point, q: Point) => Math.hypot(p[0] - q[0], p[1] - q[1]);

  it('puts the labelled 5 points where Umeyama sends the unaligned render\'s points, and on the template within 3 px frontal, 8 px at yaw 20', async () => {
    // The template written out by hand (insightface arcface_dst, +0.5 for pixel centres at 112 px),
    // not through arcfaceTemplate, so the check does not lean on the code it checks.
    const template: Point[] = [[38.7946, 52.1963], [74.0318, 52.0014], [56.5252, 72.2366], [42.0493, 92.8655], [71.2299, 92.7041]];
    expect(ARCFACE_TEMPLATE_112.map(([x, y]) => [x + 0.5, y + 0.5])).toEqual(template);
    for (const [yaw, roll, bound] of [[0, 0, 3], [0, 20, 3], [20, 10, 8]] as const) {
      const plain = fivePointsOfLabel((await render('none', yaw, roll)).label.landmarks)!;
      const aligned = fivePointsOfLabel((await render('arcface', yaw, roll)).label.landmarks)!;
      // The same head rendered without alignment, moved by the least-squares similarity onto the
      // template, gives the aligned render's points (labels are rounded to 1e-4 px; float32 screen
      // coordinates leave ~1e-3 px).
      const m = umeyama(plain, template);
      plain.forEach((p, i) => expect(dist(applySimilarity(m, p), aligned[i]!)).toBeLessThan(0.01));
      const worst = Math.max(...aligned.map((p, i) => dist(p, template[i]!)));
      expect(worst).toBeLessThan(bound);
      // Roll is undone: the eyes level within 1 px.
      if (yaw === 0) expect(Math.abs(aligned[0]![1] - aligned[1]![1])).toBeLessThan(1);
    }
  }, 60_000);

  it('is refused, naming the landmarks, for a model without the five points', async () => {
    const params = baseParams({ size: 112, center: 'arcface' });
    const model = await (await import('../../src/render/index.js')).loadBuiltinModel();
    const bare = { ...model, landmarks: model.landmarks.filter((l) => !l.name.includes('pupil')) };
    await expect(prepareRender(params, bare)).rejects.toThrow(NodeFailure);
    await expect(prepareRender(params, bare)).rejects.toThrow(/center arcface needs the model's landmarks .*pupil/);
  }, 60_000);
});
