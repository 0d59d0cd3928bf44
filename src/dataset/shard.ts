import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A synthetic dataset shard on disk, the format render nodes write and train/eval nodes read:
 *
 *   shard.json        ShardHeader
 *   images.u8         count × size × size × 3 bytes, RGB, row-major, image after image
 *   labels.jsonl      one ImageLabel per line, in image order (what was drawn for that image)
 *   identities.jsonl  one IdentityLabel per identity (what was drawn once for the identity)
 *   depth.f32         only with map `depth`: count × size × size float32 (little-endian), mm
 *   normals.u8        only with map `normal`: count × size × size × 3 bytes, encoded normals
 *
 * Raw bytes rather than PNGs so training reads a batch with one positioned read and no decoding.
 * An identity's shape and colour coefficients are stored once, not with each of its images: at
 * 199/199 dims they are ~5 KB of JSON, which would otherwise be most of every label.
 */
export interface ShardHeader {
  readonly format: 'synx-shard';
  readonly version: 2;
  readonly size: number;
  readonly channels: 3;
  readonly count: number;
  readonly firstId: number;
  readonly ids: number;
  readonly imgsPerId: number;
  /** The per-pixel maps stored beside the images, in SHARD_MAPS order; empty when none. */
  readonly maps: readonly ShardMap[];
}

/**
 * Per-pixel maps a shard can hold. `depth`: distance from the camera along its optical axis, mm,
 * 0 where no face. `normal`: the surface normal in camera space (x right, y up, z towards the
 * camera) encoded as bytes (n + 1) / 2 · 255, as standard normal maps are; (0, 0, 0) where no face.
 */
export type ShardMap = 'depth' | 'normal';
export const SHARD_MAPS: readonly ShardMap[] = ['depth', 'normal'];

/** The per-image pose, drawn for each image (degrees; a focal-length factor; pixels). */
export interface Pose {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
  readonly scale: number;
  readonly tx: number;
  readonly ty: number;
}

/** A 2D landmark in pixel coordinates (origin top-left, y down). */
export interface Landmark {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly visible: boolean;
}

/** The further values drawn per image (6 significant digits). */
export interface ImageExtra {
  /** 27 shading coefficients (see render/sh.ts). */
  readonly sh: readonly number[];
  readonly gain: readonly number[];
  readonly contrast: number;
  readonly offset: readonly number[];
  readonly noise: number;
  readonly blur: number;
  /**
   * Expression coefficients: units of the PCA std, or blendshape activations in [0, 1] for a
   * model with an expression prior (the built-in one).
   */
  readonly expression: readonly number[];
  /** Per-image colour coefficients (0 at per-identity components), for models that have some. */
  readonly color?: readonly number[];
  /** The highlight's strength, for renders with `specular ~` (see render/sh.ts specularLight). */
  readonly specular?: number;
}

/** Everything drawn for one image (its identity's draws are in IdentityLabel). */
export interface ImageLabel extends Pose {
  /** Global identity index (the class label). */
  readonly id: number;
  /** Sample index within the identity. */
  readonly sample: number;
  readonly illumination: string;
  readonly background: string;
  readonly landmarks: readonly Landmark[];
  readonly extra?: ImageExtra;
}

/** Everything drawn once per identity: the face, as coefficients of the model. */
export interface IdentityLabel {
  readonly id: number;
  /** The morphable model the coefficients belong to (`builtin:…` or the BFM file). */
  readonly model: string;
  /** Shape and colour coefficients, units of the PCA std (6 significant digits). */
  readonly shape: readonly number[];
  readonly color: readonly number[];
}

/** Every sampled parameter of one image: its own label and its identity's (when the shard has it). */
export interface ImageParameters extends ImageLabel {
  readonly identity?: IdentityLabel;
}

/** The maps of one image, as ShardWriter takes them and ShardReader returns them. */
export interface ImageMaps {
  /** size × size, mm along the optical axis; 0 where no face. */
  readonly depth?: Float32Array;
  /** size × size × 3 encoded normals (see ShardMap). */
  readonly normal?: Uint8Array;
}

export const SHARD_HEADER = 'shard.json';
export const SHARD_IMAGE_FILE = 'images.u8';
export const SHARD_LABELS = 'labels.jsonl';
export const SHARD_IDENTITIES = 'identities.jsonl';
/** The file of each map inside a shard. */
export const SHARD_MAP_FILES: Readonly<Record<ShardMap, string>> = { depth: 'depth.f32', normal: 'normals.u8' };

/** Bytes of one image's map of each kind. */
function mapBytes(map: ShardMap, size: number): number {
  return map === 'depth' ? size * size * 4 : size * size * 3;
}

/** Streams images into a shard folder; `close` writes the header last, so a shard with a header is whole. */
export class ShardWriter {
  private readonly images: WriteStream;
  private readonly labels: WriteStream;
  private readonly identities: WriteStream;
  private readonly mapStreams = new Map<ShardMap, WriteStream>();
  private readonly maps: readonly ShardMap[];
  private count = 0;

  constructor(
    readonly dir: string,
    private readonly header: Omit<ShardHeader, 'count' | 'format' | 'version' | 'channels' | 'maps'> & { readonly maps?: readonly ShardMap[] },
  ) {
    this.maps = SHARD_MAPS.filter((m) => header.maps?.includes(m));
    this.images = createWriteStream(path.join(dir, SHARD_IMAGE_FILE));
    this.labels = createWriteStream(path.join(dir, SHARD_LABELS));
    this.identities = createWriteStream(path.join(dir, SHARD_IDENTITIES));
    for (const m of this.maps) this.mapStreams.set(m, createWriteStream(path.join(dir, SHARD_MAP_FILES[m])));
  }

  /** Records an identity's draws (once per identity, in any order relative to its images). */
  async writeIdentity(identity: IdentityLabel): Promise<void> {
    if (!this.identities.write(`${JSON.stringify(identity)}\n`)) await drain(this.identities);
  }

  /** Appends one image (size × size × 3 RGB bytes), its label and its maps. Resolves once buffered. */
  async write(rgb: Uint8Array, label: ImageLabel, maps: ImageMaps = {}): Promise<void> {
    const size = this.header.size;
    const expected = size * size * 3;
    if (rgb.length !== expected) {
      throw new Error(`ShardWriter: image has ${rgb.length} bytes, expected ${expected}`);
    }
    const planes: [WriteStream, Uint8Array][] = [
      [this.images, rgb],
      [this.labels, Buffer.from(`${JSON.stringify(label)}\n`)],
    ];
    for (const m of this.maps) {
      const data = m === 'depth' ? maps.depth : maps.normal;
      if (!data) throw new Error(`ShardWriter: image ${this.count} has no ${m} map, which the shard declares`);
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (bytes.length !== mapBytes(m, size)) throw new Error(`ShardWriter: ${m} map has ${bytes.length} bytes, expected ${mapBytes(m, size)}`);
      planes.push([this.mapStreams.get(m)!, bytes]);
    }
    this.count++;
    const full = planes.filter(([s, b]) => !s.write(b)).map(([s]) => s);
    await Promise.all(full.map(drain));
  }

  async close(): Promise<ShardHeader> {
    await Promise.all([this.images, this.labels, this.identities, ...this.mapStreams.values()].map(endStream));
    const header: ShardHeader = {
      format: 'synx-shard',
      version: 2,
      channels: 3,
      count: this.count,
      size: this.header.size,
      firstId: this.header.firstId,
      ids: this.header.ids,
      imgsPerId: this.header.imgsPerId,
      maps: this.maps,
    };
    await writeFile(path.join(this.dir, SHARD_HEADER), `${JSON.stringify(header, null, 2)}\n`);
    return header;
  }
}

function drain(s: WriteStream): Promise<void> {
  return new Promise((r) => s.once('drain', () => r()));
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
  if (header.format !== 'synx-shard' || header.version !== 2) {
    throw new Error(`${file}: not a synx shard of version 2 (written by another synx version; render it again)`);
  }
  return header;
}

function readJsonLines<T>(file: string): Promise<T[]> {
  return readFile(file, 'utf8').then((text) =>
    text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as T),
  );
}

/** The per-image labels, in image order (without the identities' coefficients: see readShardParameters). */
export function readShardLabels(dir: string): Promise<ImageLabel[]> {
  return readJsonLines<ImageLabel>(path.join(dir, SHARD_LABELS));
}

/** The identities' draws by identity index (empty for a shard written without them). */
export async function readShardIdentities(dir: string): Promise<Map<number, IdentityLabel>> {
  const file = path.join(dir, SHARD_IDENTITIES);
  if (!existsSync(file)) return new Map();
  return new Map((await readJsonLines<IdentityLabel>(file)).map((i) => [i.id, i]));
}

/**
 * Every sampled parameter of every image, in image order: each label with its identity's draws
 * attached (the same object for every image of an identity, so this costs one record per identity).
 */
export async function readShardParameters(dir: string): Promise<ImageParameters[]> {
  const [labels, identities] = await Promise.all([readShardLabels(dir), readShardIdentities(dir)]);
  return labels.map((l) => {
    const identity = identities.get(l.id);
    return identity ? { ...l, identity } : l;
  });
}

/** Random access to a shard's images and maps without loading it whole. */
export class ShardReader {
  readonly header: ShardHeader;
  readonly imageBytes: number;

  constructor(readonly dir: string) {
    this.header = readShardHeader(dir);
    this.imageBytes = this.header.size * this.header.size * 3;
  }

  private async readPlane(file: string, per: number, start: number, n: number): Promise<Uint8Array> {
    if (start < 0 || n < 0 || start + n > this.header.count) {
      throw new RangeError(`shard ${this.dir}: images ${start}..${start + n} out of 0..${this.header.count}`);
    }
    const out = new Uint8Array(n * per);
    const fh = await open(path.join(this.dir, file), 'r');
    try {
      await fh.read(out, 0, out.length, start * per);
    } finally {
      await fh.close();
    }
    return out;
  }

  /** Reads images [start, start + n) into one buffer (n × size × size × 3). */
  readRange(start: number, n: number): Promise<Uint8Array> {
    return this.readPlane(SHARD_IMAGE_FILE, this.imageBytes, start, n);
  }

  async readImage(index: number): Promise<Uint8Array> {
    return this.readRange(index, 1);
  }

  /** Whether the shard holds this map. */
  has(map: ShardMap): boolean {
    return this.header.maps.includes(map);
  }

  /** The maps of image `index` that the shard holds. */
  async readMaps(index: number): Promise<ImageMaps> {
    const size = this.header.size;
    const out: { depth?: Float32Array; normal?: Uint8Array } = {};
    if (this.has('depth')) {
      const bytes = await this.readPlane(SHARD_MAP_FILES.depth, mapBytes('depth', size), index, 1);
      // readPlane returns a fresh buffer at offset 0, so the view is aligned; the file is
      // little-endian, as is every machine Node runs synx on.
      out.depth = new Float32Array(bytes.buffer, bytes.byteOffset, size * size);
    }
    if (this.has('normal')) out.normal = await this.readPlane(SHARD_MAP_FILES.normal, mapBytes('normal', size), index, 1);
    return out;
  }

  /** All images at once (count × size × size × 3); fine for shards of a few thousand images. */
  readAll(): Uint8Array {
    return new Uint8Array(readFileSync(path.join(this.dir, SHARD_IMAGE_FILE)));
  }

  labels(): Promise<ImageLabel[]> {
    return readShardLabels(this.dir);
  }

  identities(): Promise<Map<number, IdentityLabel>> {
    return readShardIdentities(this.dir);
  }

  parameters(): Promise<ImageParameters[]> {
    return readShardParameters(this.dir);
  }
}
