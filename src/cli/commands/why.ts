import { existsSync } from 'node:fs';
import path from 'node:path';
import { explainNode, findNode, openCache } from '../../exec/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../io.js';
import { compileProject, printDiagnostics, projectConfig } from '../project.js';

/** `synx why FILE NODE`: whether a node will run and, in plain words, why. */
const command: Command = {
  name: 'why',
  summary: 'say in plain words why a node will run (or that it is cached)',
  usage: `usage: synx why FILE NODE [--json]

NODE is a node id from \`synx plan\` (render-3f2a9c01b7), a unique prefix of its id or
fingerprint, or its label. Compares the node with the closest cached entry of the same kind and
names each param, input or code version that differs:

  synx why exp.synexp train-5d0c1e2f3a
  pretrain syn nn4-small (train-5d0c1e2f3a) will run: it is not in the cache. The closest cached
  train entry is 9b1e... (pretrain syn nn4-small, computed 2026-11-28T05:52:15Z); it differs in:
    - param lr: 0.001 → 0.0005`,
  async run(argv, io) {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean', default: false } });
    if (positionals.length !== 2) throw new UsageError('give an experiment file and a node');
    const [file, query] = positionals as [string, string];
    const loaded = projectConfig(io, path.resolve(io.cwd, file));
    const r = await compileProject(io, file, loaded);
    if (!r) return 2;
    const plan = r.plan;
    const found = findNode(plan, query);
    if (!found.node) {
      const some = found.candidates.slice(0, 10).map((n) => `  ${n.id}  ${n.label}`);
      writeLine(
        io.stderr,
        found.candidates.length > 1
          ? `synx why: '${query}' matches ${found.candidates.length} nodes; give one of:\n${some.join('\n')}`
          : `synx why: no node '${query}' in ${file}; \`synx plan ${file}\` lists the nodes`,
      );
      return 2;
    }
    // Never create a cache folder just to explain.
    const opened = existsSync(loaded.config.cache) ? openCache(loaded.config.cache) : undefined;
    if (opened && !opened.ok) {
      printDiagnostics(io, [opened.diagnostic], r.sources);
      return 2;
    }
    const node = found.node;
    if (!opened) {
      const lines = [`${node.label} (${node.id}) will run: there is no cache yet (${loaded.config.cache})`];
      writeLine(io.stdout, values.json ? JSON.stringify({ node: { id: node.id, kind: node.kind, label: node.label, fingerprint: node.fingerprint }, status: { state: 'missing', computing: false }, differences: [], lines }, null, 2) : lines.join('\n'));
      return 0;
    }
    const e = explainNode(plan, node.id, opened.cache)!;
    writeLine(io.stdout, values.json ? JSON.stringify(e, null, 2) : e.lines.join('\n'));
    return 0;
  },
};

export default command;
