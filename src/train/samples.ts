import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { NodeInput } from '../node/index.js';
import { NodeFailure } from '../node/index.js';
import { isDataManifestDir, loadManifestImages, readDataManifest, type DataManifest } from '../data/index.js';
import { fitImage } from '../image/index.js';
import { isShard, readShardLabels, SHARD_IMAGE_FILE, ShardReader, type ImageLabel } from '../dataset/index.js';

/** One image of a training or test set: where it is, its class and its pose. */
export interface Sample {
  /** Index of the source (shard or data manifest) in `ImageSet.sources`. */
  readonly source: number;
  /** Index of the image in that source. */
  readonly index: number;
  /** Class index, 0..classes-1, over all sources. */
  readonly label: number;
  readonly yaw: number;
  readonly pitch: number;
}

/** A shard's images brought to one input size, filled in as they are first asked for. */
interface Fitted {
  readonly size: number;
  readonly data: Uint8Array;
  /** 1 where `data` holds the image already. */
  readonly done: Uint8Array;
}

type Source = { kind: 'shard'; reader: ShardReader; labels: ImageLabel[]; cache?: Uint8Array; fitted?: Fitted } | { kind: 'data'; manifest: DataManifest };

/** Shards up to this size are read whole once; larger ones image by image. */
const WHOLE_SHARD_BYTES = 256 * 2 ** 20;

/** The images of a node's inputs (render shards and data manifests), loadable at one size. */
export class ImageSet {
  readonly samples: Sample[] = [];
  private readonly sources: Source[] = [];
  private nClasses = 0;

  /** Builds the set from the inputs of the given roles; identities are distinct per source. */
  static async fromInputs(inputs: readonly NodeInput[], role: NodeInput['role']): Promise<ImageSet> {
    const set = new ImageSet(inputs.filter((i) => i.role === role).map((i) => i.dir));
    await set.load();
    return set;
  }

  private constructor(private readonly dirs: readonly string[]) {}

  /** Identities over all sources (class labels are 0..classes-1). */
  get classes(): number {
    return this.nClasses;
  }

  private async load(): Promise<void> {
    const classOf = new Map<string, number>();
    const cls = (key: string) => {
      let c = classOf.get(key);
      if (c === undefined) classOf.set(key, (c = classOf.size));
      return c;
    };
    for (const [s, dir] of this.dirs.entries()) {
      if (isShard(dir)) {
        const reader = new ShardReader(dir);
        const labels = await readShardLabels(dir);
        if (labels.length !== reader.header.count) {
          throw new NodeFailure(`shard ${dir}: ${labels.length} labels for ${reader.header.count} images`, 'rerun the render node that wrote it', 'SX5004');
        }
        this.sources.push({ kind: 'shard', reader, labels });
        labels.forEach((l, i) => this.samples.push({ source: s, index: i, label: cls(`shard:${l.id}`), yaw: l.yaw, pitch: l.pitch }));
      } else if (isDataManifestDir(dir)) {
        const manifest = readDataManifest(dir);
        this.sources.push({ kind: 'data', manifest });
        manifest.images.forEach((im, i) =>
          this.samples.push({ source: s, index: i, label: cls(`data${s}:${im.identity}`), yaw: im.yaw ?? 0, pitch: 0 }),
        );
      } else {
        throw new NodeFailure(`input ${dir} is neither a synx shard nor a data node output`, 'feed render or data nodes into train and eval', 'SX5004');
      }
    }
    this.nClasses = classOf.size;
  }

  /** The data manifest of source `s`, if it is one (eval reads pairs and templates from it). */
  manifest(s: number): DataManifest | undefined {
    const src = this.sources[s];
    return src?.kind === 'data' ? src.manifest : undefined;
  }

  /** Shard labels of source `s`, if it is a shard. */
  shardLabels(s: number): readonly ImageLabel[] | undefined {
    const src = this.sources[s];
    return src?.kind === 'shard' ? src.labels : undefined;
  }

  /** Loads samples `which` (indices into `samples`) as size × size RGB, NHWC in one buffer. */
  async images(which: readonly number[], size: number): Promise<Uint8Array> {
    const per = size * size * 3;
    const out = new Uint8Array(which.length * per);
    // Group by source so data images decode in parallel and shards are read once.
    const bySource = new Map<number, { k: number; index: number }[]>();
    which.forEach((w, k) => {
      const s = this.samples[w]!;
      const list = bySource.get(s.source) ?? [];
      list.push({ k, index: s.index });
      bySource.set(s.source, list);
    });
    for (const [s, list] of bySource) {
      const src = this.sources[s]!;
      if (src.kind === 'data') {
        const buf = await loadManifestImages(src.manifest, list.map((l) => l.index), size);
        list.forEach((l, j) => out.set(buf.subarray(j * per, (j + 1) * per), l.k * per));
        continue;
      }
      const r = src.reader;
      const n = r.imageBytes;
      const sz = r.header.size;
      if (src.cache === undefined && r.header.count * n <= WHOLE_SHARD_BYTES) src.cache = r.readAll();
      // Training asks for every image once an epoch at the same size: a shard read whole keeps
      // its images at that size too (the last size asked for), so each is resized once a run,
      // not once an epoch. fitImage is deterministic, so the kept bytes are the ones it would
      // give again.
      if (src.cache && sz !== size && src.fitted?.size !== size && r.header.count * per <= WHOLE_SHARD_BYTES) {
        src.fitted = { size, data: new Uint8Array(r.header.count * per), done: new Uint8Array(r.header.count) };
      }
      const fitted = src.fitted?.size === size ? src.fitted : undefined;
      let fd: number | undefined;
      try {
        for (const l of list) {
          if (fitted) {
            const at = l.index * per;
            if (fitted.done[l.index] === 0) {
              fitted.data.set(fitImage({ width: sz, height: sz, data: src.cache!.subarray(l.index * n, (l.index + 1) * n) }, size), at);
              fitted.done[l.index] = 1;
            }
            out.set(fitted.data.subarray(at, at + per), l.k * per);
            continue;
          }
          let img: Uint8Array;
          if (src.cache) img = src.cache.subarray(l.index * n, (l.index + 1) * n);
          else {
            fd ??= openSync(path.join(r.dir, SHARD_IMAGE_FILE), 'r');
            img = new Uint8Array(n);
            readSync(fd, img, 0, n, l.index * n);
          }
          out.set(sz === size ? img : fitImage({ width: sz, height: sz, data: img }, size), l.k * per);
        }
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    }
    return out;
  }
}
