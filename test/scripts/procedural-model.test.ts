import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProceduralModel } from '../../scripts/gen-procedural-model.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-procedural-model-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// `model procedural` is generated, not edited: the shipped files must be what the generator writes
// today (they had drifted by one quantisation step in 243 bytes, and the header named a script
// that no longer exists), and two runs must give the same bytes.
describe('scripts/gen-procedural-model.ts', () => {
  it('writes exactly the shipped lib/models/procedural-face.*, byte for byte, run after run', () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    generateProceduralModel(a);
    generateProceduralModel(b);
    const shipped = path.resolve(here, '../../lib/models');
    for (const f of ['procedural-face.json', 'procedural-face.bin.gz']) {
      expect(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))), `${f}: two runs differ`).toBe(true);
      const same = readFileSync(path.join(a, f)).equals(readFileSync(path.join(shipped, f)));
      expect(same, `lib/models/${f} differs from the generator's output: run npx tsx scripts/gen-procedural-model.ts`).toBe(true);
    }
    expect(JSON.parse(readFileSync(path.join(a, 'procedural-face.json'), 'utf8')).note).toContain('scripts/gen-procedural-model.ts');
  }, 120_000);
});
