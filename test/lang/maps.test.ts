import { describe, expect, it } from 'vitest';
import { format, parse } from '../../src/lang/index.js';
import { compileText, type RenderParams } from '../../src/plan/index.js';
import { testConfig } from '../data/fixtures.js';

const plan = (text: string) => {
  const r = compileText(text, 'maps.synexp', testConfig('/tmp/synx-maps-lang'), { cwd: '/tmp' });
  expect(r.diagnostics).toEqual([]);
  return r.plan!;
};
const renders = (text: string) => plan(text).nodes.filter((n) => n.kind === 'render');

describe('maps', () => {
  it('formats as a comma list, from either spelling, idempotently', () => {
    for (const src of ['maps depth normal\n', 'maps depth,normal\n', 'maps  depth ,  normal\n']) {
      const once = format(parse(src, 'x.synexp').ast);
      expect(once).toBe('maps depth, normal\n');
      expect(format(parse(once, 'x.synexp').ast)).toBe(once);
    }
  });

  it('ends the list at a clause that is not a lone name', () => {
    const r = parse('sample 10 ids\nmaps depth, seed 3, yaw ~ 0\n', 'x.synexp');
    expect(r.diagnostics).toEqual([]);
    const settings = r.ast.items.filter((i) => i.type === 'setting').map((i) => (i.type === 'setting' ? [i.name, i.values.length] : []));
    expect(settings).toEqual([['maps', 1], ['seed', 1]]);
  });

  it('puts the maps in RenderParams in storage order, for training and test sets', () => {
    const nodes = renders(`experiment a {
  sample 4 ids x 2 imgs
  maps normal, depth
  pretrain with small
  eval held
}
testset held {
  sample 2 ids x 2 imgs
  maps normal
}
`);
    expect(nodes.map((n) => (n.params as unknown as RenderParams).maps)).toEqual([['depth', 'normal'], ['normal']]);
  });

  it('leaves RenderParams (and so the fingerprint) of renders without maps as they were', () => {
    const without = renders('experiment a {\n  sample 4 ids x 2 imgs\n}\n');
    expect(Object.keys(without[0]!.params as object)).not.toContain('maps');
    const both = renders('experiment a {\n  sample 4 ids x 2 imgs\n}\nexperiment b {\n  sample 4 ids x 2 imgs\n  maps depth\n}\n');
    expect(both).toHaveLength(2);
    expect(both[0]!.fingerprint).toBe(without[0]!.fingerprint);
    expect(both[1]!.fingerprint).not.toBe(without[0]!.fingerprint);
  });
});
