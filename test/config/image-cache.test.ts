import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { IMAGE_CACHE_BYTES, ImageSet } from '../../src/train/index.js';
import { imageSetOptions } from '../../src/train/kind.js';

function projectWith(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-image-cache-'));
  writeFileSync(path.join(dir, 'synx.yaml'), yaml);
  return dir;
}

describe('imageCache in synx.yaml', () => {
  it('sets one train node’s image cache budget, in powers of 1024 like Slurm’s --mem', async () => {
    for (const [text, bytes] of [['4G', 4 * 2 ** 30], ['512M', 512 * 2 ** 20], ['0K', 0], ['1T', 2 ** 40]] as const) {
      const { config, diagnostics } = loadConfig(projectWith(`jobs: 1\nimageCache: ${text}\n`), {});
      expect(diagnostics, text).toEqual([]);
      expect(config.imageCache, text).toBe(bytes);
      expect(imageSetOptions(config), text).toEqual({ cacheBytes: bytes });
    }
    // The training images' ImageSet takes it as its budget; without the key, the default.
    const set = await ImageSet.fromInputs([], 'data', imageSetOptions(loadConfig(projectWith('imageCache: 3M\n'), {}).config));
    expect(set.cacheUse.budget).toBe(3 * 2 ** 20);
    const plain = loadConfig(projectWith('jobs: 1\n'), {}).config;
    expect(plain.imageCache).toBeUndefined();
    expect((await ImageSet.fromInputs([], 'data', imageSetOptions(plain))).cacheUse.budget).toBe(IMAGE_CACHE_BYTES);
  });

  it('refuses a size without a unit or with another, naming the line', () => {
    for (const bad of ['4', '4GB', '-1G', 'lots', '1.5G']) {
      const { diagnostics } = loadConfig(projectWith(`jobs: 1\nimageCache: ${bad}\n`), {});
      expect(diagnostics.length, bad).toBeGreaterThan(0);
      expect(diagnostics[0]!.message, bad).toBe('imageCache must be a size such as 4G: digits, then K, M, G or T');
      expect(diagnostics[0]!.range.start.line, bad).toBe(2);
    }
  });

  it('says the same of a Slurm job’s mem, whose unit Slurm reads as megabytes when absent', () => {
    const { diagnostics } = loadConfig(projectWith('slurm:\n  resources:\n    train: { mem: 16GB }\n'), {});
    expect(diagnostics.map((d) => d.message)).toEqual(['slurm.resources.train.mem must be a size such as 4G: digits, then K, M, G or T (none: megabytes, as Slurm reads it)']);
  });
});
