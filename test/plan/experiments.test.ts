import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { compileFile, viewNodes, type Plan, type TrainParams } from '../../src/plan/index.js';
import { synx } from '../cli/cli-io.js';
import { expectGolden } from '../helpers/golden.js';

// Golden DAG shapes of the shipped experiment files: which nodes exist, what feeds what, which
// experiments share them. A change to the language or planner that reshapes a study shows here.
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { config } = loadConfig('/nonexistent-synx-test-root', {});

function synexpFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? synexpFiles(p) : f.endsWith('.synexp') ? [p] : [];
    });
}

/** The plan's shape in words: one line per (folded) node with its inputs, then the experiments. */
function shape(plan: Plan): string {
  const view = viewNodes(plan, true);
  const name = new Map(view.map((v, i) => [v.id, `n${i}`]));
  const lines = view.map((v) => `${name.get(v.id)} ${v.label}${v.deps.length ? ` <- ${v.deps.map((d) => name.get(d)).join(' ')}` : ''}`);
  lines.push('', ...plan.experiments.map((e) => `${e.name}: ${e.evals.length} evals`));
  return `${lines.join('\n')}\n`;
}

describe('shipped experiment files', () => {
  for (const file of synexpFiles(path.join(root, 'experiments')).filter((f) => !f.endsWith('common.synexp'))) {
    const rel = path.relative(root, file);
    it(`${rel} keeps its DAG shape`, async () => {
      const r = await compileFile(rel, config, { cwd: root });
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const golden = path.join(here, 'goldens', `${rel.replace(/[/\\]/g, '__')}.txt`);
      const actual = shape(r.plan!);
      expectGolden(actual, golden);
    });
  }

  it('the fine-tuning study shares one pretrain node among all fractions', async () => {
    const r = await compileFile('experiments/seed-study/finetune-fractions.synexp', config, { cwd: root });
    const plan = r.plan!;
    const trains = plan.nodes.filter((n) => n.kind === 'train');
    const pretrains = trains.filter((n) => (n.params as unknown as TrainParams).role === 'pretrain');
    const finetunes = trains.filter((n) => (n.params as unknown as TrainParams).role === 'finetune');
    expect(pretrains).toHaveLength(1);
    expect(finetunes).toHaveLength(4); // 10, 20, 50, 100%; 0% evaluates the pretrained network itself
    for (const f of finetunes) expect(f.deps).toContain(pretrains[0]!.id);
    expect(plan.nodes.filter((n) => n.kind === 'render')).toHaveLength(500);
  });

  it('synx run stops before any work and lists the datasets to configure, with their layout', async () => {
    const r = await synx(root, 'run', 'experiments/seed-study/finetune-fractions.synexp');
    expect(r.code).toBe(2);
    for (const ds of ['casia', 'lfw', 'ijba', 'multipie']) expect(r.stderr).toContain(`dataset '${ds}' is not configured`);
    expect(r.stderr).toContain('format: folder');
    expect(r.stderr).toContain('pairs: the pairs.txt file');
    // Nothing started: no run line, no node.
    expect(r.stdout).toBe('');
  });
});
