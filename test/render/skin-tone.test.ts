import { describe, expect, it } from 'vitest';
import { modelColorNames, prepareRender, sampleIdentity, skinToneIndex, skinToneOf, SKIN_TONE_COMPONENT } from '../../src/render/index.js';
import { baseParams } from './fixtures.js';

describe('skinToneOf', () => {
  it("is the built-in model's melanin draw for the identity, and undefined where the render has no such component", async () => {
    const builtin = await prepareRender(baseParams({ ids: 4, imgsPerId: 1, dims: { shape: 0, color: 64, expression: 0 } }));
    const j = builtin.model.colorNames!.indexOf(SKIN_TONE_COMPONENT);
    expect(j).toBeGreaterThanOrEqual(0);
    for (let id = 0; id < 4; id++) {
      const t = skinToneOf(builtin, id)!;
      expect(t).toBe(sampleIdentity(builtin, id).color[j]);
      expect(t).not.toBe(0);
    }
    // Different identities, different draws.
    expect(new Set([0, 1, 2, 3].map((id) => skinToneOf(builtin, id))).size).toBe(4);
    // `dims color 0` leaves the component out; the procedural model has none.
    const noColour = await prepareRender(baseParams({ ids: 4, imgsPerId: 1, dims: { shape: 0, color: 0, expression: 0 } }));
    expect(skinToneOf(noColour, 0)).toBeUndefined();
    const procedural = await prepareRender(baseParams({ ids: 4, imgsPerId: 1, dims: { shape: 0, color: 64, expression: 0 }, model: { kind: 'procedural' } }));
    expect(procedural.model.colorNames?.includes(SKIN_TONE_COMPONENT) ?? false).toBe(false);
    expect(skinToneOf(procedural, 0)).toBeUndefined();
  });

  it("reads the colour names from the model file's header alone, as the decoded model has them", async () => {
    const builtin = await prepareRender(baseParams());
    expect(modelColorNames({ kind: 'builtin' })).toEqual(builtin.model.colorNames);
    const procedural = await prepareRender(baseParams({ model: { kind: 'procedural' } }));
    expect(modelColorNames({ kind: 'procedural' })).toEqual(procedural.model.colorNames);
    expect(modelColorNames({ kind: 'bfm', path: '/nowhere/model.h5' })).toBeUndefined();
    const j = builtin.model.colorNames!.indexOf(SKIN_TONE_COMPONENT);
    expect(skinToneIndex(modelColorNames({ kind: 'builtin' }), j + 1)).toBe(j);
    expect(skinToneIndex(modelColorNames({ kind: 'builtin' }), j)).toBeUndefined();
    expect(skinToneIndex(undefined, 64)).toBeUndefined();
  });
});
