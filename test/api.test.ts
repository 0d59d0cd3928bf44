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
    const m = synx.verificationMetrics([
      { same: true, score: 0.9 },
      { same: false, score: 0.1 },
    ]);
    expect(m.auc).toBe(1);
  });
});
