/**
 * The reference generator's pinhole camera: focal length 50 mm, sensor 15 × 15 mm, the face's
 * origin at z = -1000 mm, looking down -z with +y up and +x to the image right. `scale` multiplies
 * the focal length; tx/ty move the principal point in pixels (+x right, +y down).
 *
 * Pose sign convention (right-handed rotations, applied yaw, then pitch, then roll):
 *  - yaw  > 0 turns the head towards the subject's own left: the nose moves to the image right;
 *  - pitch > 0 tips the head down: the nose moves down in the image;
 *  - roll > 0 turns the head counter-clockwise in the image.
 */
export const CAMERA = {
  focalMm: 50,
  sensorMm: 15,
  distanceMm: 1000,
  near: 10,
} as const;

/** Focal length in pixels for an image of `size` pixels and a scale factor. */
export function focalPixels(size: number, scale: number): number {
  return (scale * CAMERA.focalMm * size) / CAMERA.sensorMm;
}

/** Row-major 3×3 rotation R = Rz(roll) · Rx(pitch) · Ry(yaw), angles in degrees. */
export function poseRotation(yawDeg: number, pitchDeg: number, rollDeg: number): Float64Array {
  const d = Math.PI / 180;
  const cy = Math.cos(yawDeg * d);
  const sy = Math.sin(yawDeg * d);
  const cp = Math.cos(pitchDeg * d);
  const sp = Math.sin(pitchDeg * d);
  const cr = Math.cos(rollDeg * d);
  const sr = Math.sin(rollDeg * d);
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
  const rz = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  return mul3(rz, mul3(rx, ry));
}

function mul3(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const o = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      o[3 * i + j] = a[3 * i]! * b[j]! + a[3 * i + 1]! * b[3 + j]! + a[3 * i + 2]! * b[6 + j]!;
    }
  }
  return o;
}
