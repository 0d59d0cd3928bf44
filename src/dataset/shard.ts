import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A synthetic dataset shard on disk, the format render nodes write and train/eval nodes read:
 *
 *   shard.json    ShardHeader
 *   images.u8     count × size × size × 3 bytes, RGB, row-major, image after image
 *   labels.jsonl  one ImageLabel per line, in image order
 *
 * Raw bytes rather than PNGs so training reads a batch with one positioned read and no decoding.
 */
export interface ShardHeader {
  readonly format: 'synx-shard';
  readonly version: 1;
  readonly size: number;
  readonly channels: 3;
  readonly count: number;
  readonly firstId: number;
  readonly ids: number;
  readonly imgsPerId: number;
}

/** A 2D landmark in pixel coordinates (origin top-left, y down). */
export interface Landmark {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly visible: boolean;
}

/** Everything sampled for one image: the labels training and evaluation read. */
export interface ImageLabel {
  /** Global identity index (the class label). */
  readonly id: number;
  /** Sample index within the identity. */
  readonly sample: number;
  /** Degrees. */
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
  readonly scale: number;
  readonly tx: number;
  readonly ty: number;
  readonly illumination: string;
  readonly background: string;
  readonly landmarks: readonly Landmark[];
  /** Any further sampled values (SH coefficients, colour transform, …). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export const SHARD_HEADER = 'shard.json';
export const SHARD_IMAGES = 'images.u8';
export const SHARD_LABELS = 'labels.jsonl';

/** Streams images into a shard folder; `close` writes the header last, so a shard with a header is whole. */
export class ShardWriter {
  private readonly images: WriteStream;
  private readonly labels: WriteStream;
  private count = 0;

  constructor(
    readonly dir: string,
    private readonly header: Omit<ShardHeader, 'count' | 'format' | 'version' | 'channels'>,
  ) {
    this.images = createWriteStream(path.join(dir, SHARD_IMAGES));
    this.labels = createWriteStream(path.join(dir, SHARD_LABELS));
  }

  /** Appends one image (size × size × 3 RGB bytes) and its label. Resolves once buffered. */
  async write(rgb: Uint8Array, label: ImageLabel): Promise<void> {
    const expected = this.header.size * this.header.size * 3;
    if (rgb.length !== expected) {
      throw new Error(`ShardWriter: image has ${rgb.length} bytes, expected ${expected}`);
    }
    this.count++;
    const okImages = this.images.write(rgb);
    const okLabels = this.labels.write(`${JSON.stringify(label)}\n`);
    if (!okImages) await new Promise<void>((r) => this.images.once('drain', () => r()));
    if (!okLabels) await new Promise<void>((r) => this.labels.once('drain', () => r()));
  }

  async close(): Promise<ShardHeader> {
    await Promise.all([endStream(this.images), endStream(this.labels)]);
    const header: ShardHeader = {
      format: 'synx-shard',
      version: 1,
      channels: 3,
      count: this.count,
      ...this.header,
    };
    await writeFile(path.join(this.dir, SHARD_HEADER), `${JSON.stringify(header, null, 2)}\n`);
    return header;
  }
}

function endStream(s: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.end(() => resolve());
  });
}

export function isShard(dir: string): boolean {
  return existsSync(path.join(dir, SHARD_HEADER));
}

/** Reads a shard's header; throws an Error naming the folder when it is not a whole shard. */
export function readShardHeader(dir: string): ShardHeader {
  const file = path.join(dir, SHARD_HEADER);
  let header: ShardHeader;
  try {
    header = JSON.parse(readFileSync(file, 'utf8')) as ShardHeader;
  } catch (e) {
    throw new Error(`${file}: not a synx shard (${(e as Error).message})`);
  }
  if (header.format !== 'synx-shard' || header.version !== 1) {
    throw new Error(`${file}: not a synx shard of version 1`);
  }
  return header;
}

export async function readShardLabels(dir: string): Promise<ImageLabel[]> {
  const text = await readFile(path.join(dir, SHARD_LABELS), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as ImageLabel);
}

/** Random access to a shard's images without loading it whole. */
export class ShardReader {
  readonly header: ShardHeader;
  readonly imageBytes: number;

  constructor(readonly dir: string) {
    this.header = readShardHeader(dir);
    this.imageBytes = this.header.size * this.header.size * 3;
  }

  /** Reads images [start, start + n) into one buffer (n × size × size × 3). */
  async readRange(start: number, n: number): Promise<Uint8Array> {
    if (start < 0 || n < 0 || start + n > this.header.count) {
      throw new RangeError(`shard ${this.dir}: images ${start}..${start + n} out of 0..${this.header.count}`);
    }
    const out = new Uint8Array(n * this.imageBytes);
    const fh = await open(path.join(this.dir, SHARD_IMAGES), 'r');
    try {
      await fh.read(out, 0, out.length, start * this.imageBytes);
    } finally {
      await fh.close();
    }
    return out;
  }

  async readImage(index: number): Promise<Uint8Array> {
    return this.readRange(index, 1);
  }

  /** All images at once (count × size × size × 3); fine for shards of a few thousand images. */
  readAll(): Uint8Array {
    return new Uint8Array(readFileSync(path.join(this.dir, SHARD_IMAGES)));
  }
}
