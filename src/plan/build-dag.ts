import path from 'node:path';
import type { ProjectConfig } from '../config/index.js';
import { BENCHMARKS, type ExperimentSpec, type NetworkSpec, type RenderSpec, type TrainSpec } from '../lang/index.js';
import { combineDigests } from '../networks/index.js';
import { ABSENT_DIGEST, ContentDigester } from './content.js';
import { fingerprintOf, fingerprintRecord } from './fingerprint.js';
import type { KindAndParams } from '../params/index.js';
import type { ChoiceDist, DataParams, EvalParams, InputRole, PretrainedNetwork, RenderParams, ReportParams, TrainParams } from '../params/index.js';
import type { Plan, PlanExperiment, PlanNode, PlanNodeOf } from './types.js';

/**
 * A render shard holds at most this many images. The shard size depends only on images per
 * identity, never on the total: `sample 1k ids` and `sample 10k ids` share their first shards.
 */
export const IMAGES_PER_SHARD = 2000;

/** 1000000 → 1M, 10000 → 10k, for labels. */
export function shortCount(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** A node while the DAG grows: experiments are added to it as they reach it. */
type MutableNode = PlanNode & { experiments: string[] };

/** Builds one DAG from expanded experiments; equal fingerprints are one node. */
export class DagBuilder {
  private readonly nodes = new Map<string, MutableNode>();
  private readonly renderMemo = new Map<string, MutableNode[]>();
  private readonly byKey = new Map<string, MutableNode>();
  private readonly order: MutableNode[] = [];
  private current: { name: string; ids: string[]; seen: Set<string> } | undefined;
  /** The first training shard of each experiment, for the report's sample sheets. */
  private readonly firstShard = new Map<string, PlanNodeOf<'render'>>();

  constructor(
    private readonly file: string,
    private readonly config: ProjectConfig,
    /** Digests of the files nodes read (see content.ts); `finish` saves what it learned. */
    private readonly digester: ContentDigester = ContentDigester.forCache(config.cache),
  ) {}

  private keyChoice(c: ChoiceDist): ChoiceDist {
    if (c.type === 'mix') return { type: 'mix', parts: c.parts.map((p) => ({ weight: p.weight, dist: this.keyChoice(p.dist) as typeof p.dist })) };
    return c.arg === undefined ? c : { ...c, sha256: this.digester.digest(c.arg) };
  }

  /** A checked network with the digest of its files' bytes (model.json and its shards, or the .onnx). */
  private pretrained(n: NetworkSpec): PretrainedNetwork {
    const { files, ...rest } = n;
    return { ...rest, sha256: combineDigests(files.map((f) => this.digester.digest(f))) };
  }

  /** A render spec with the content digest of each file it reads beside that file's location. */
  private keyRender(spec: RenderSpec): RenderSpec {
    return {
      ...spec,
      model: spec.model.kind === 'bfm' ? { ...spec.model, sha256: this.digester.digest(spec.model.path) } : spec.model,
      illumination: this.keyChoice(spec.illumination),
      background: this.keyChoice(spec.background),
    };
  }

  private add(work: KindAndParams, label: string, inputs: { role: InputRole; node: MutableNode }[]): MutableNode {
    const { kind, params } = work;
    // Sweeps re-create equal params thousands of times; a native JSON key skips re-hashing them.
    // (Lowering builds params in a fixed key order, so equal params give equal keys.)
    const memoKey = `${kind}|${JSON.stringify(params)}|${inputs.map((i) => `${i.role}:${i.node.fingerprint}`).join(',')}`;
    const known = this.byKey.get(memoKey);
    if (known) {
      this.use(known);
      return known;
    }
    const fp = fingerprintOf(
      fingerprintRecord(
        kind,
        params,
        inputs.map((i) => ({ role: i.role, fingerprint: i.node.fingerprint })),
      ),
    );
    let node = this.nodes.get(fp);
    if (!node) {
      node = {
        id: `${kind}-${fp.slice(0, 10)}`,
        ...work,
        label,
        fingerprint: fp,
        deps: [...new Set(inputs.map((i) => i.node.id))],
        inputs: inputs.map((i) => ({ role: i.role, id: i.node.id })),
        experiments: [],
      };
      this.nodes.set(fp, node);
      this.order.push(node);
    }
    this.byKey.set(memoKey, node);
    this.use(node);
    return node;
  }

  private use(node: MutableNode): void {
    const cur = this.current;
    if (!cur || cur.seen.has(node.id)) return;
    cur.seen.add(node.id);
    cur.ids.push(node.id);
    node.experiments.push(cur.name);
  }

  private shards(spec: RenderSpec, setName: string): MutableNode[] {
    const key = JSON.stringify(spec);
    const memo = this.renderMemo.get(key);
    if (memo) {
      for (const n of memo) this.use(n);
      return memo;
    }
    const per = Math.max(1, Math.floor(IMAGES_PER_SHARD / spec.imgsPerId));
    const out: MutableNode[] = [];
    const keyed = this.keyRender(spec);
    for (let start = 0; start < spec.ids; start += per) {
      const ids = Math.min(per, spec.ids - start);
      const firstId = spec.firstId + start;
      // `renderer` is resolved (auto → software or gl) before planning, by `resolveRenderer`; an
      // unresolved auto plans as software. Only gl is written (see RenderParams.raster).
      const params: RenderParams = { ...keyed, firstId, ids, ...(this.config.renderer === 'gl' ? { raster: 'gl' as const } : {}) };
      out.push(
        this.add({ kind: 'render', params }, `render ${setName} ids ${firstId}-${firstId + ids - 1} x ${spec.imgsPerId}`, []),
      );
    }
    this.renderMemo.set(key, out);
    return out;
  }

  private data(dataset: string, fraction: number, seed: number): MutableNode {
    const ds = this.config.datasets[dataset];
    const where = ds?.path ?? '';
    const params: DataParams = {
      dataset,
      format: ds?.format ?? BENCHMARKS[dataset] ?? 'folder',
      path: where,
      // An unconfigured dataset (path '') is stopped by `datasetProblems` before any node runs.
      content: {
        folder: ds ? this.digester.digest(path.resolve(this.config.root, where)) : ABSENT_DIGEST,
        ...(ds?.pairs !== undefined ? { pairs: this.digester.digest(ds.pairs) } : {}),
        ...(ds?.metadata !== undefined ? { metadata: this.digester.digest(ds.metadata) } : {}),
      },
      fraction,
      seed,
      // Both change the node's output (see DataParams); only non-defaults are written, so
      // projects that never set them keep their fingerprints.
      ...(ds?.unreadable === 'fail' ? { unreadable: 'fail' as const } : {}),
      ...(ds?.fit === 'center' ? { fit: 'center' as const } : {}),
      ...(ds?.align === 'face-api' ? { align: 'face-api' as const } : {}),
    };
    const pct = `${Number((fraction * 100).toFixed(4))}%`;
    return this.add({ kind: 'data', params }, `data ${dataset}${fraction < 1 ? ` ${pct}` : ''}`, []);
  }

  private trainNode(
    role: TrainParams['role'],
    t: TrainSpec,
    seed: number,
    data: MutableNode[],
    init: MutableNode | undefined,
  ): MutableNode {
    const { source: _source, fraction: _fraction, from, ...settings } = t;
    // A finetune of a pretrain starts from the pretrain's weights, not the published ones.
    const params: TrainParams = { role, seed, ...settings, ...(from && !init ? { from: this.pretrained(from) } : {}) };
    const rendered = data.reduce((n, d) => (d.kind === 'render' ? n + d.params.ids * d.params.imgsPerId : n), 0);
    const source = t.source.kind === 'synthetic' ? `${shortCount(t.images ?? rendered)} synthetic` : `${t.source.dataset}${t.fraction < 1 ? ` ${Number((t.fraction * 100).toFixed(4))}%` : ''}`;
    const inputs = [
      ...data.map((node) => ({ role: 'data' as const, node })),
      ...(init ? [{ role: 'init' as const, node: init }] : []),
    ];
    return this.add({ kind: 'train', params }, `${role} ${source} (${t.network}, ${t.loss}, ${t.epochs} ep)`, inputs);
  }

  /** Adds an experiment's nodes; returns its eval nodes. */
  experiment(spec: ExperimentSpec): PlanExperiment {
    this.current = { name: spec.name, ids: [], seen: new Set() };
    const shards = spec.render ? this.shards(spec.render, 'synthetic') : [];
    const first = shards[0];
    if (first?.kind === 'render') this.firstShard.set(spec.name, first);
    let model: MutableNode | undefined;
    if (spec.pretrain) {
      const src = spec.pretrain.source;
      const data = src.kind === 'synthetic' ? shards : [this.data(src.dataset, 1, spec.seed)];
      model = this.trainNode('pretrain', spec.pretrain, spec.seed, data, undefined);
    }
    if (spec.train && spec.train.source.kind === 'dataset') {
      model = this.trainNode('train', spec.train, spec.seed, [this.data(spec.train.source.dataset, spec.train.fraction, spec.seed)], undefined);
    }
    if (spec.finetune && spec.finetune.source.kind === 'dataset' && (model || spec.finetune.from)) {
      model = this.trainNode('finetune', spec.finetune, spec.seed, [this.data(spec.finetune.source.dataset, spec.finetune.fraction, spec.seed)], model);
    }
    const evals: string[] = [];
    for (const e of spec.evals) {
      if (!e.network) continue;
      const network = this.pretrained(e.network);
      const tests = e.testset ? this.shards(e.testset, `testset ${e.dataset}`) : [this.data(e.dataset, 1, spec.seed)];
      const params: EvalParams = { dataset: e.dataset, protocol: e.protocol, flip: e.flip, seed: spec.seed, network };
      const inputs = tests.map((node) => ({ role: 'test' as const, node }));
      const node = this.add({ kind: 'eval', params }, `eval ${e.dataset} (${e.protocol}) with ${network.file}`, inputs);
      evals.push(node.id);
    }
    if (model) {
      for (const e of spec.evals) {
        if (e.network) continue;
        const tests = e.testset ? this.shards(e.testset, `testset ${e.dataset}`) : [this.data(e.dataset, 1, spec.seed)];
        const params: EvalParams = { dataset: e.dataset, protocol: e.protocol, flip: e.flip, seed: spec.seed };
        const node = this.add({ kind: 'eval', params }, `eval ${e.dataset} (${e.protocol})`, [
          { role: 'model', node: model },
          ...tests.map((node) => ({ role: 'test' as const, node })),
        ]);
        evals.push(node.id);
      }
    }
    const cur = this.current;
    this.current = undefined;
    return { name: spec.name, base: spec.base, sweep: spec.sweep, nodes: cur.ids, evals };
  }

  /** The finished plan, with one report node over every eval when there are any. */
  finish(experiments: PlanExperiment[], title: string): Plan {
    const withEvals = experiments.filter((e) => e.evals.length > 0);
    if (withEvals.length > 0) {
      const byId = new Map(this.order.map((n) => [n.id, n]));
      const scale = this.config.scale;
      const params: ReportParams = {
        title,
        ...(scale !== undefined && scale !== 1 ? { scale } : {}),
        experiments: withEvals.map((e) => ({
          name: e.name,
          base: e.base,
          sweep: e.sweep,
          evals: e.evals.map((id) => byId.get(id)!.fingerprint),
        })),
        samples: [...new Set(withEvals.map((e) => this.firstShard.get(e.name)).filter((s) => s !== undefined))]
          .slice(0, 3)
          .map((s) => ({ label: s.label, params: s.params })),
      };
      const evalNodes = [...new Set(withEvals.flatMap((e) => e.evals))].map((id) => byId.get(id)!);
      this.current = { name: '', ids: [], seen: new Set() };
      const report = this.add({ kind: 'report', params }, `report ${title}`, evalNodes.map((node) => ({ role: 'result' as const, node })));
      report.experiments.length = 0;
      report.experiments.push(...withEvals.map((e) => e.name));
      this.current = undefined;
      experiments = experiments.map((e) => (e.evals.length > 0 ? { ...e, nodes: [...e.nodes, report.id] } : e));
    }
    this.digester.save();
    return { file: this.file, nodes: this.order.map((n) => ({ ...n })), experiments };
  }
}
