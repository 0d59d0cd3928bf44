import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

/**
 * A PNG file around filtered scanlines `raw` (each row led by its filter byte): signature, IHDR
 * with the given bit depth and colour type (2 RGB, 0 grey), one zlib IDAT, IEND.
 */
function pngFile(width: number, height: number, bitDepth: number, colourType: number, raw: Buffer, level: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Encodes RGB bytes (width × height × 3) as an 8-bit PNG with node:zlib (no filtering: fast). */
export function encodePng(rgb: Uint8Array, width: number, height: number, level = 6): Buffer {
  if (rgb.length !== width * height * 3) throw new Error(`encodePng: ${rgb.length} bytes for ${width}×${height} RGB`);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  return pngFile(width, height, 8, 2, raw, level);
}

/**
 * Encodes 16-bit grey values (width × height) as a 16-bit greyscale PNG, as depth maps are
 * commonly stored (samples are big-endian in PNG).
 */
export function encodePngGray16(values: Uint16Array, width: number, height: number, level = 6): Buffer {
  if (values.length !== width * height) throw new Error(`encodePngGray16: ${values.length} values for ${width}×${height}`);
  const row = width * 2 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.writeUInt16BE(values[y * width + x]!, y * row + 1 + 2 * x);
  }
  return pngFile(width, height, 16, 0, raw, level);
}
