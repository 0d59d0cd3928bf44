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

/**
 * Bytes all the image caches of one ImageSet may hold together, by default. Training asks for
 * every image once an epoch at the network's input size; 1 GiB keeps about 28k images of 112 px
 * (39k of 96 px), e.g. all of the quickstart's and most of a CASIA 10% fine-tuning set, and
 * bounds memory whatever the data set's size: images beyond it are read and decoded every epoch.
 */
export const IMAGE_CACHE_BYTES = 2 ** 30;

/** How an ImageSet is built beyond its inputs. */
export interface ImageSetOptions {
  /** Bytes all its caches may hold together (default IMAGE_CACHE_BYTES). */
  readonly cacheBytes?: number;
}

/** What an ImageSet's caches hold against their budget, in bytes. */
export interface ImageCacheUse {
  readonly budget: number;
  /** Taken from the budget (a source kept whole is taken at once, before its images are in). */
  readonly reserved: number;
  /** Pixel bytes actually held (kept images and whole-read shards); at most `reserved`. */
  readonly held: number;
}

/**
 * A source's images at one input size, exactly as `images` returns them, kept as they are first
 * asked for. `whole`: the bytes of all of them were taken from the budget at once (they fitted);
 * otherwise each kept image takes its own, while the budget lasts.
 */
interface Kept {
  readonly size: number;
  readonly per: number;
  readonly whole: boolean;
  readonly images: (Uint8Array | undefined)[];
  count: number;
}

/** `raw`: a shard read whole, to fill its kept images faster; dropped once they are all in. */
type Source = { kind: 'shard'; reader: ShardReader; labels: ImageLabel[]; raw?: Uint8Array; kept?: Kept } | { kind: 'data'; manifest: DataManifest; kept?: Kept };

/** Bytes taken and given back by an ImageSet's caches; never more than `limit` taken. */
class CacheBudget {
  used = 0;
  constructor(readonly limit: number) {}

  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** The images of a node's inputs (render shards and data manifests), loadable at one size. */
export class ImageSet {
  readonly samples: Sample[] = [];
  private readonly sources: Source[] = [];
  private nClasses = 0;

  /** Builds the set from the inputs of the given roles; identities are distinct per source. */
  static async fromInputs(inputs: readonly NodeInput[], role: NodeInput['role'], opts: ImageSetOptions = {}): Promise<ImageSet> {
    const set = new ImageSet(
      inputs.filter((i) => i.role === role).map((i) => i.dir),
      new CacheBudget(opts.cacheBytes ?? IMAGE_CACHE_BYTES),
    );
    await set.load();
    return set;
  }

  private constructor(
    private readonly dirs: readonly string[],
    private readonly budget: CacheBudget,
  ) {}

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

  /** What the caches hold now (tests check the budget with it). */
  get cacheUse(): ImageCacheUse {
    let held = 0;
    for (const src of this.sources) {
      if (src.kind === 'shard' && src.raw) held += src.raw.length;
      if (src.kept) held += src.kept.count * src.kept.per;
    }
    return { budget: this.budget.limit, reserved: this.budget.used, held };
  }

  /**
   * The kept images of `src` at `size`. Only the last size asked for is kept (training asks for one
   * size all run), so another size gives the old one's bytes back first. The budget goes to
   * sources and images in the order they are first asked for, and nothing is evicted to make room
   * for later ones: training reads every image once an epoch in a seeded order, where evicting the
   * least recently used would throw out each image just before it is asked for again, whereas
   * keeping the first ones serves them every epoch. Same asks, same images kept.
   */
  private keptAt(src: Source, size: number): Kept {
    if (src.kept?.size === size) return src.kept;
    if (src.kept) this.budget.give(src.kept.whole ? src.kept.images.length * src.kept.per : src.kept.count * src.kept.per);
    const count = src.kind === 'shard' ? src.reader.header.count : src.manifest.images.length;
    const per = size * size * 3;
    return (src.kept = { size, per, whole: this.budget.take(count * per), images: new Array<Uint8Array | undefined>(count), count: 0 });
  }

  /** Keeps `img` (which the caller hands over) as image `index` of `kept`, if the budget allows. */
  private keep(src: Source, kept: Kept, index: number, img: Uint8Array): void {
    // A request for another size may have replaced `kept` while this one decoded.
    if (src.kept !== kept || kept.images[index] !== undefined) return;
    if (!kept.whole && !this.budget.take(kept.per)) return;
    kept.images[index] = img;
    kept.count++;
  }

  /**
   * Loads samples `which` (indices into `samples`) as size × size RGB, NHWC in one buffer. Images
   * come from the caches when kept there (the bytes the uncached path gives: fitImage and the
   * decoder are deterministic), else they are read or decoded, and kept while the budget lasts.
   */
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
      const kept = this.keptAt(src, size);
      const missing: { k: number; index: number }[] = [];
      for (const l of list) {
        const img = kept.images[l.index];
        if (img) out.set(img, l.k * per);
        else missing.push(l);
      }
      if (missing.length === 0) continue;
      if (src.kind === 'data') {
        const indices = [...new Set(missing.map((l) => l.index))];
        const buf = await loadManifestImages(src.manifest, indices, size);
        const at = new Map(indices.map((index, j) => [index, j * per]));
        for (const l of missing) out.set(buf.subarray(at.get(l.index)!, at.get(l.index)! + per), l.k * per);
        for (const [j, index] of indices.entries()) this.keep(src, kept, index, buf.slice(j * per, (j + 1) * per));
        continue;
      }
      const r = src.reader;
      const n = r.imageBytes;
      const sz = r.header.size;
      // One read of the whole shard fills its kept images faster than a read per image; it is
      // made only when the kept images were all given room, so it is dropped (below) once they
      // are all in, after the first epoch. The raw bytes are copied where kept, so that dropping
      // it frees them.
      if (src.raw === undefined && kept.whole && this.budget.take(r.header.count * n)) src.raw = r.readAll();
      let fd: number | undefined;
      try {
        for (const l of missing) {
          const have = kept.images[l.index];
          if (have) {
            out.set(have, l.k * per);
            continue;
          }
          let img: Uint8Array;
          if (src.raw) img = sz === size ? src.raw.slice(l.index * n, (l.index + 1) * n) : src.raw.subarray(l.index * n, (l.index + 1) * n);
          else {
            fd ??= openSync(path.join(r.dir, SHARD_IMAGE_FILE), 'r');
            img = new Uint8Array(n);
            readSync(fd, img, 0, n, l.index * n);
          }
          const fitted = sz === size ? img : fitImage({ width: sz, height: sz, data: img }, size);
          out.set(fitted, l.k * per);
          this.keep(src, kept, l.index, fitted);
        }
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      // Also when another size replaced the kept images with ones that did not all fit.
      if (src.raw && (kept.count === kept.images.length || !kept.whole)) {
        this.budget.give(src.raw.length);
        src.raw = undefined;
      }
    }
    return out;
  }
}
