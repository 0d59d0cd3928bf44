import { readShardLabels, ShardReader } from '../dataset/index.js';
import type { Cache } from '../exec/index.js';
import type { PlanNodeOf } from '../plan/index.js';
import { FaceRenderer, prepareRender, skinToneOf } from '../render/index.js';
import type { AuditImage } from './audit.js';

/**
 * The first `limit` images of a render node (whole identities, so identity pairs exist): from its
 * cache entry when `synx run` computed it, else rendered here exactly as a run would render them.
 */
export async function renderNodeImages(node: PlanNodeOf<'render'>, cache: Cache | undefined, limit: number): Promise<{ images: AuditImage[]; source: string }> {
  const p = node.params;
  const ids = Math.min(p.ids, Math.max(2, Math.ceil(limit / p.imgsPerId)));
  const images: AuditImage[] = [];
  // Each identity's skin-tone draw (a pure function of seed and id), where the model has one.
  const setup = await prepareRender(p, undefined, 1);
  const tone = (id: number) => {
    const t = skinToneOf(setup, id);
    return t === undefined ? {} : { skinTone: t };
  };
  if (cache && cache.check(node.fingerprint).state === 'ok') {
    const dir = cache.outDir(node.fingerprint);
    const reader = new ShardReader(dir);
    const labels = await readShardLabels(dir);
    const n = Math.min(labels.length, ids * p.imgsPerId);
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      images.push({ rgb: await reader.readImage(i), size: reader.header.size, id: l.id, yaw: l.yaw, pitch: l.pitch, landmarks: l.landmarks, ...tone(l.id) });
    }
    return { images, source: 'cache' };
  }
  const r = new FaceRenderer(setup);
  for (let id = p.firstId; id < p.firstId + ids; id++) {
    for (let s = 0; s < p.imgsPerId; s++) {
      const img = r.render(id, s);
      images.push({ rgb: img.rgb, size: p.size, id, yaw: img.label.yaw, pitch: img.label.pitch, landmarks: img.label.landmarks, ...tone(id) });
    }
  }
  return { images, source: 'rendered now (not in the cache)' };
}

