import { describe, expect, it } from 'vitest';
import { auditImages, type AuditImage } from '../../src/audit/index.js';
import { detectFaces } from '../../src/faceapi/index.js';
import { FaceRenderer, loadModel, prepareRender } from '../../src/render/index.js';
import { RENDER_DEFAULTS } from '../../src/lang/index.js';
import type { RenderParams } from '../../src/plan/index.js';

describe('auditImages', () => {
  it("hands each detected face's descriptor to `described` with its image's index: the descriptor face-api gives the padded image", async () => {
    const params: RenderParams = {
      ...RENDER_DEFAULTS,
      model: { kind: 'builtin' },
      firstId: 0,
      ids: 2,
      imgsPerId: 2,
      size: 112,
      pose: { ...RENDER_DEFAULTS.pose, yaw: { type: 'uniform', lo: -20, hi: 20 }, pitch: { type: 'const', value: 0 } },
    };
    const renderer = new FaceRenderer(await prepareRender(params, await loadModel(params.model)));
    const images: AuditImage[] = [];
    for (let id = 0; id < 2; id++) {
      for (let s = 0; s < 2; s++) {
        const r = renderer.render(id, s);
        images.push({ rgb: r.rgb, size: 112, id, yaw: r.label.yaw, landmarks: r.label.landmarks });
      }
    }
    // A blank image finds no face: its index must not be reported.
    images.push({ rgb: new Uint8Array(112 * 112 * 3).fill(128), size: 112, id: 2, yaw: 0, landmarks: [] });

    const got = new Map<number, Float32Array>();
    const a = await auditImages(images, { described: (k, d) => got.set(k, d) });
    const detected = Object.values(a.detection).reduce((s, b) => s + b.detected, 0);
    expect(got.size).toBe(detected);
    expect(got.has(images.length - 1)).toBe(false);
    expect(got.size).toBeGreaterThanOrEqual(3);
    for (const [k, d] of got) {
      const [face] = await detectFaces({ data: images[k]!.rgb, width: 112, height: 112 }, { pad: 3 });
      expect(Array.from(d)).toEqual(Array.from(face!.descriptor!));
    }
  }, 120_000);
});
