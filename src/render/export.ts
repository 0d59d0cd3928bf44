import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ShardReader, type ImageParameters } from '../dataset/index.js';
import { CAMERA } from './camera.js';
import { encodePng, encodePngGray16 } from './png.js';
import { shadingToEnv } from './sh.js';
import { csvRow } from '../util/index.js';

const RAD = Math.PI / 180;

function rps(label: ImageParameters, size: number): unknown {
  const e = label.extra;
  const id = label.identity;
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
    environmentMap: { coefficients: shadingToEnv(e?.sh ?? new Array<number>(27).fill(0)) },
    directionalLight: { ambient: [0, 0, 0], diffuse: [0, 0, 0], specular: [0, 0, 0], direction: [0, 0, 1], shininess: 10 },
    momo: { shape: id?.shape ?? [], color: id?.color ?? [], expression: e?.expression ?? [], modelURI: id?.model ?? '' },
    imageSize: { height: size, width: size },
    colorTransform: { gain: e?.gain ?? [1, 1, 1], colorContrast: e?.contrast ?? 1, offset: e?.offset ?? [0, 0, 0] },
    version: 'V4.0',
  };
}


/** Depth in mm (float) to the 16-bit PNG convention: whole millimetres, 0 = no surface. */
function depthMm(depth: Float32Array): Uint16Array {
  const out = new Uint16Array(depth.length);
  for (let i = 0; i < depth.length; i++) out[i] = Math.min(65535, Math.max(0, Math.round(depth[i]!)));
  return out;
}

/**
 * Writes shards in the reference generator's layout, for other tools: `img/<id>/<id>_<n>.png`,
 * `rps/<id>/<id>_<n>.rps` (scalismo-faces V4 render parameters: radians, mm, NDC principal point,
 * the identity's shape and colour coefficients), `landmarks/<id>/<id>_<n>.tlms` (`name visible x y`
 * per line) and `parameters.csv`; for shards with maps also `depth/<id>/<id>_<n>.png` (16-bit grey,
 * whole mm along the optical axis, 0 = background) and `normal/<id>/<id>_<n>.png` (camera-space
 * normals as RGB, see ShardMap). Several shards of one set go into one folder (identity indices
 * are global, so they never collide). Written into a temporary folder beside `outDir` and renamed
 * into place, replacing what was there, so nothing half-written is left. Returns the image count.
 */
export async function exportReferenceLayout(shardDirs: string | readonly string[], outDir: string): Promise<number> {
  const dirs = typeof shardDirs === 'string' ? [shardDirs] : shardDirs;
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  let count = 0;
  try {
    mkdirSync(tmp, { recursive: true });
    const rows = ['id,sample,yaw,pitch,roll,scale,tx,ty,illumination,background'];
    for (const dir of dirs) {
      const reader = new ShardReader(dir);
      const labels = await reader.parameters();
      const size = reader.header.size;
      const maps = reader.header.maps;
      const folders = ['img', 'rps', 'landmarks', ...maps];
      for (let i = 0; i < labels.length; i++) {
        const l = labels[i]!;
        const name = `${l.id}_${l.sample}`;
        const file = (sub: string, ext: string) => path.join(tmp, sub, String(l.id), `${name}.${ext}`);
        for (const sub of folders) mkdirSync(path.join(tmp, sub, String(l.id)), { recursive: true });
        const rgb = await reader.readImage(i);
        writeFileSync(file('img', 'png'), encodePng(rgb, size, size));
        writeFileSync(file('rps', 'rps'), `${JSON.stringify(rps(l, size), null, 2)}\n`);
        const tlms = l.landmarks.map((m) => `${m.name} ${m.visible ? 1 : 0} ${m.x} ${m.y}`).join('\n');
        writeFileSync(file('landmarks', 'tlms'), `${tlms}\n`);
        if (maps.length > 0) {
          const m = await reader.readMaps(i);
          if (m.depth) writeFileSync(file('depth', 'png'), encodePngGray16(depthMm(m.depth), size, size));
          if (m.normal) writeFileSync(file('normal', 'png'), encodePng(m.normal, size, size));
        }
        rows.push(csvRow([l.id, l.sample, l.yaw, l.pitch, l.roll, l.scale, l.tx, l.ty, l.illumination, l.background]));
      }
      count += labels.length;
    }
    writeFileSync(path.join(tmp, 'parameters.csv'), `${rows.join('\n')}\n`);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return count;
}
