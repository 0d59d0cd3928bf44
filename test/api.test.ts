import { describe, expect, it } from 'vitest';
import * as synx from '../src/index.js';

describe('the public API', () => {
  it('checks, plans and formats from code as the CLI does', () => {
    const text = 'sample 100 ids x 2 imgs, pretrain, finetune casia {10%, 50%}, eval lfw';
    expect(synx.check(text, 'a.synexp').diagnostics).toEqual([]);
    const { config } = synx.loadConfig('/nonexistent-synx-api-root', {});
    const plan = synx.compileText(text, 'a.synexp', config).plan!;
    expect(plan.experiments.map((e) => e.name)).toEqual(['a[finetune=10%]', 'a[finetune=50%]']);
    expect(synx.toMermaid(plan).startsWith('flowchart LR')).toBe(true);
    expect(synx.format(synx.parse('seed 3,image 64px', 'b.synexp').ast)).toBe('seed 3\nimage 64px\n');
  });

  it('exposes the metrics', () => {
    // 20 pairs, perfectly separated: every protocol number is at its best.
    const pairs = Array.from({ length: 20 }, (_, i) => ({ same: i % 2 === 0, score: i % 2 === 0 ? 0.9 : 0.1 }));
    const m = synx.verificationMetrics(pairs);
    expect(m.auc).toBe(1);
    expect(m.accuracy).toBe(1);
    expect(m.tar_at_far['1e-1']).toBe(1);
  });
});
