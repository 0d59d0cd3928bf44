import { readShardIdentities, readShardLabels, ShardReader } from '../dataset/index.js';
import type { Cache } from '../exec/index.js';
import type { PlanNodeOf } from '../plan/index.js';
import { FaceRenderer, modelColorNames, prepareRender, skinToneIndex, skinToneOf } from '../render/index.js';
import type { AuditImage } from './audit.js';

/** `{ skinTone }` when the identity has one (see `skinToneOf`), else nothing. */
const toned = (t: number | undefined) => (t === undefined ? {} : { skinTone: t });

/**
 * The first `limit` images of a render node (whole identities, so identity pairs exist): from its
 * cache entry when `synx run` computed it, else rendered here exactly as a run would render them.
 * Each image carries its identity's skin-tone draw where the model has one.
 */
export async function renderNodeImages(node: PlanNodeOf<'render'>, cache: Cache | undefined, limit: number): Promise<{ images: AuditImage[]; source: string }> {
  const p = node.params;
  const ids = Math.min(p.ids, Math.max(2, Math.ceil(limit / p.imgsPerId)));
  const images: AuditImage[] = [];
  if (cache && cache.check(node.fingerprint).state === 'ok') {
    const dir = cache.outDir(node.fingerprint);
    const reader = new ShardReader(dir);
    const labels = await readShardLabels(dir);
    // The tone as the run recorded it (identities.jsonl): no model or folder is loaded for it.
    const j = skinToneIndex(modelColorNames(p.model), p.dims.color);
    const identities = j === undefined ? new Map() : await readShardIdentities(dir);
    const n = Math.min(labels.length, ids * p.imgsPerId);
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      images.push({ rgb: await reader.readImage(i), size: reader.header.size, id: l.id, yaw: l.yaw, pitch: l.pitch, landmarks: l.landmarks, ...toned(identities.get(l.id)?.color[j!]) });
    }
    return { images, source: 'cache' };
  }
  const setup = await prepareRender(p, undefined, 1);
  const r = new FaceRenderer(setup);
  for (let id = p.firstId; id < p.firstId + ids; id++) {
    for (let s = 0; s < p.imgsPerId; s++) {
      const img = r.render(id, s);
      images.push({ rgb: img.rgb, size: p.size, id, yaw: img.label.yaw, pitch: img.label.pitch, landmarks: img.label.landmarks, ...toned(skinToneOf(setup, id)) });
    }
  }
  return { images, source: 'rendered now (not in the cache)' };
}
