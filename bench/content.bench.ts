import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContentDigester } from '../dist/plan/index.js';
import type { Bench } from './harness.js';

// Content keys (issue 14): what it costs to digest a 10,000-image dataset folder at plan time,
// cold (every file read and hashed) and warm (answered by the state file's size/mtime/ctime/inode).
const bench: Bench = {
  name: 'content digests',
  async run() {
    const root = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-content-'));
    try {
      const data = path.join(root, 'faces');
      // 10,000 images of ~12 KB (a 112 px JPEG), 100 identities.
      const bytes = Buffer.alloc(12 * 1024);
      for (let id = 0; id < 100; id++) {
        mkdirSync(path.join(data, `id${id}`), { recursive: true });
        for (let i = 0; i < 100; i++) {
          bytes.writeUInt32LE(id * 100 + i, 0);
          writeFileSync(path.join(data, `id${id}`, `img${i}.jpg`), bytes);
        }
      }
      const state = path.join(root, 'state');
      const t0 = performance.now();
      const cold = new ContentDigester(state);
      const d = cold.digest(data);
      cold.save();
      const coldSeconds = (performance.now() - t0) / 1000;
      let warmSeconds = Infinity;
      for (let k = 0; k < 3; k++) {
        const t1 = performance.now();
        const warm = new ContentDigester(state);
        if (warm.digest(data) !== d || warm.stats.hashed !== 0) throw new Error('warm digest re-hashed or differed');
        warmSeconds = Math.min(warmSeconds, (performance.now() - t1) / 1000);
      }
      return [
        { name: 'digest a 10,000-image folder (120 MB), cold', value: coldSeconds, unit: 's' },
        { name: 'digest it again, warm (state file: no file read)', value: warmSeconds, unit: 's', target: '< 0.5 s' },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
