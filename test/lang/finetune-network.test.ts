import { describe, expect, it } from 'vitest';
import { compileText, type TrainParams } from '../../src/plan/index.js';
import { testConfig } from '../data/fixtures.js';

describe('finetune after pretrain', () => {
  it('inherits the pretrain\'s network, input and embedding when it names none', () => {
    const config = testConfig('/nonexistent', { casia: { format: 'folder', path: '/data/casia' } });
    const { plan, diagnostics } = compileText('sample 10 ids x 10 imgs, pretrain 100 with small, embedding 64, finetune casia 100% with epochs 1\n', 'a.synexp', config);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const trains = plan!.nodes.filter((n) => n.kind === 'train').map((n) => n.params as unknown as TrainParams);
    expect(trains.map((t) => [t.role, t.network, t.input, t.embedding])).toEqual([
      ['pretrain', 'small', trains[0]!.input, 64],
      ['finetune', 'small', trains[0]!.input, 64],
    ]);
  });
});
