import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ShardReader, readShardLabels, type ImageLabel } from '../dataset/index.js';
import { CAMERA } from './camera.js';
import { encodePng } from './png.js';
import { shadingToEnv } from './sh.js';

const RAD = Math.PI / 180;

function rps(label: ImageLabel, size: number): unknown {
  const e = (label.extra ?? {}) as Record<string, unknown>;
  const nums = (k: string, fallback: number[]) => (Array.isArray(e[k]) ? (e[k] as number[]) : fallback);
  return {
    pose: { scaling: 1.0, translation: [0, 0, -CAMERA.distanceMm], roll: label.roll * RAD, yaw: label.yaw * RAD, pitch: label.pitch * RAD },
    view: { translation: [0, 0, 0], pitch: 0, yaw: 0, roll: 0 },
    camera: {
      focalLength: CAMERA.focalMm * label.scale,
      sensorSize: [CAMERA.sensorMm, CAMERA.sensorMm],
      near: CAMERA.near,
      far: 1000000,
      principalPoint: [(2 * label.tx) / size, (-2 * label.ty) / size],
      orthographic: false,
    },
    environmentMap: { coefficients: shadingToEnv(nums('sh', new Array<number>(27).fill(0))) },
    directionalLight: { ambient: [0, 0, 0], diffuse: [0, 0, 0], specular: [0, 0, 0], direction: [0, 0, 1], shininess: 10 },
    momo: { shape: nums('shape', []), color: nums('color', []), expression: nums('expression', []), modelURI: String(e.model ?? '') },
    imageSize: { height: size, width: size },
    colorTransform: { gain: nums('gain', [1, 1, 1]), colorContrast: typeof e.contrast === 'number' ? e.contrast : 1, offset: nums('offset', [0, 0, 0]) },
    version: 'V4.0',
  };
}

const csvCell = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Writes a shard in the reference generator's layout, for other tools: `img/<id>/<id>_<n>.png`,
 * `rps/<id>/<id>_<n>.rps` (scalismo-faces V4 render parameters: radians, mm, NDC principal point),
 * `landmarks/<id>/<id>_<n>.tlms` (`name visible x y` per line) and `parameters.csv`. Written into a
 * temporary folder beside `outDir` and renamed into place, so nothing half-written is left.
 */
export async function exportReferenceLayout(shardDir: string, outDir: string): Promise<number> {
  const reader = new ShardReader(shardDir);
  const labels = await readShardLabels(shardDir);
  const size = reader.header.size;
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const rows = ['id,sample,yaw,pitch,roll,scale,tx,ty,illumination,background'];
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      const name = `${l.id}_${l.sample}`;
      for (const sub of ['img', 'rps', 'landmarks']) mkdirSync(path.join(tmp, sub, String(l.id)), { recursive: true });
      const rgb = await reader.readImage(i);
      writeFileSync(path.join(tmp, 'img', String(l.id), `${name}.png`), encodePng(rgb, size, size));
      writeFileSync(path.join(tmp, 'rps', String(l.id), `${name}.rps`), `${JSON.stringify(rps(l, size), null, 2)}\n`);
      const tlms = l.landmarks.map((m) => `${m.name} ${m.visible ? 1 : 0} ${m.x} ${m.y}`).join('\n');
      writeFileSync(path.join(tmp, 'landmarks', String(l.id), `${name}.tlms`), `${tlms}\n`);
      rows.push([l.id, l.sample, l.yaw, l.pitch, l.roll, l.scale, l.tx, l.ty, l.illumination, l.background].map(csvCell).join(','));
    }
    writeFileSync(path.join(tmp, 'parameters.csv'), `${rows.join('\n')}\n`);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return labels.length;
}
