// `npm run bench:realism [-- --models builtin,procedural --ids 40 --imgs 13]`: scores rendered sets
// with face-api (@vladmandic/face-api 1.7.15, a detector, landmarker and recogniser trained on real
// photos) for each model side by side, the same measures on face-api's own demo photos of real
// people, and the speeds involved. Writes bench/results-realism.{json,md}. Several minutes.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditImages, pairStats } from '../src/audit/index.js';
import type { AuditImage, AuditResult, PairStats } from '../src/audit/index.js';
import { decodeImage } from '../src/image/index.js';
import { alignFace, descriptorsOfAlignedCrops, detectFaces, faceApiModelDir, fivePointsOf68, SAME_PERSON_DISTANCE } from '../src/faceapi/index.js';
import { FaceRenderer, prepareRender, skinToneOf, type RenderSetup } from '../src/render/index.js';
import { readFileSync } from 'node:fs';
import { arg, BenchInputError, countArg } from './bench-args.js';
import { normalDist, realismParams } from './realism-setup.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const models = (arg('models') ?? 'builtin,procedural').split(',');
const ids = countArg('ids', 40);
const imgs = countArg('imgs', 13);
// Each model is audited twice, at pitch 0 (columns labelled `pitch 0`: the issue's targets are
// checked against these, see docs/realism.md) and at synx's default pitch N(0, 30) (the reference
// generator's), the same images otherwise; `--pitch 0` or `--pitch default` runs only one of them.
const pitchArg = arg('pitch') ?? 'both';
if (!['both', '0', 'default'].includes(pitchArg)) throw new BenchInputError(`--pitch wants 0, default or both, not '${pitchArg}'`);
const pitches = pitchArg === 'both' ? [true, false] : [pitchArg === '0'];
/** How the default-pitch columns are labelled: synx's default, the reference generator's. */
const DEFAULT_PITCH = 'pitch N(0, 30)';
const say = (s: string) => process.stdout.write(`${s}\n`);

const params = (model: string, size: number, pitch0: boolean) => realismParams(model, size, ids, imgs, pitch0 ? { pitch: normalDist(0) } : {});

/** Single-thread render rate at 112 px (after a warm-up), the render bench's measure. */
function renderRate(r: FaceRenderer, n: number): number {
  for (let s = 0; s < 20; s++) r.render(900 + (s % 3), s);
  const t0 = performance.now();
  for (let k = 0; k < n; k++) r.render(Math.floor(k / 10), k % 10);
  return n / ((performance.now() - t0) / 1000);
}

interface ModelRow {
  readonly model: string;
  readonly audit?: AuditResult;
  readonly renderPerSecond112?: number;
  readonly error?: string;
}

// 1. The pipeline on real photos first: the demo photos' faces (no padding: whole scenes).
say('face-api demo photos ...');
const demoDir = path.join(path.dirname(faceApiModelDir()), 'demo');
const photoFaces: { descriptor: Float32Array; id: number; yaw: number }[] = [];
const alignedCrops: { data: Uint8Array; width: number; height: number }[] = [];
let perPhoto: number[] = [];
for (let i = 1; i <= 6; i++) {
  const img = decodeImage(readFileSync(path.join(demoDir, `sample${i}.jpg`)));
  const faces = await detectFaces(img, { pad: 1 });
  perPhoto.push(faces.length);
  for (const f of faces) {
    // Every face in the demo photos is a different person: each gets its own id; yaw unknown (0).
    photoFaces.push({ descriptor: f.descriptor!, id: photoFaces.length, yaw: 0 });
    alignedCrops.push({ data: alignFace(img, fivePointsOf68(f.landmarks!), 150, { fill: [128, 128, 128] }).crop, width: 150, height: 150 });
  }
}
const real: PairStats = pairStats(photoFaces, () => true);
say(`  faces per photo ${perPhoto.join('/')}; different people under ${SAME_PERSON_DISTANCE}: ${(real.impostorUnderThreshold * 100).toFixed(1)}% of ${real.impostorPairs} pairs`);

// 2. Speeds of face-api itself: raw descriptors of aligned 150 px crops (batches of 8), and the
// whole chain (pad, detect, 68 landmarks, descriptor, ArcFace warp) on 160 px renders.
const t0 = performance.now();
let described = 0;
for (let rep = 0; rep < 2; rep++) {
  for (let k = 0; k < alignedCrops.length; k += 8) described += (await descriptorsOfAlignedCrops(alignedCrops.slice(k, k + 8))).length;
}
const descriptorsPerSecond = described / ((performance.now() - t0) / 1000);

// `--part FILE` audits the models and writes only their rows to FILE; `--merge A,B` reads such
// rows instead of auditing, so that models can be audited in parallel processes on a busy machine.
const part = arg('part') ?? '';
const merged = (arg('merge') ?? '')
  .split(',')
  .filter((f) => f !== '')
  .map((f) => JSON.parse(readFileSync(f, 'utf8')) as { rows: ModelRow[]; alignedPerSecond: number });
const rows: ModelRow[] = merged.flatMap((m) => m.rows);
let alignedPerSecond = merged.length ? merged[0]!.alignedPerSecond : NaN;
for (const [model, pitch0] of merged.length ? [] : pitches.flatMap((p) => models.map((m) => [m, p] as const))) {
  say(`model ${model}, ${pitch0 ? 'pitch 0' : DEFAULT_PITCH} ...`);
  let setup160: RenderSetup;
  let renderer160: FaceRenderer;
  let renderer112: FaceRenderer;
  try {
    setup160 = await prepareRender(params(model, 160, pitch0));
    renderer160 = new FaceRenderer(setup160);
    renderer112 = new FaceRenderer(await prepareRender(params(model, 112, pitch0)));
  } catch (e) {
    rows.push({ model, error: (e as Error).message.split('\n')[0]! });
    say(`  not available: ${rows.at(-1)!.error}`);
    continue;
  }
  const images: AuditImage[] = [];
  for (let id = 0; id < ids; id++) {
    for (let s = 0; s < imgs; s++) {
      const r = renderer160.render(id, s);
      const tone = skinToneOf(setup160, id);
      images.push({ rgb: r.rgb, size: 160, id, yaw: r.label.yaw, pitch: r.label.pitch, landmarks: r.label.landmarks, ...(tone === undefined ? {} : { skinTone: tone }) });
    }
  }
  const ta = performance.now();
  const audit = await auditImages(images, { progress: (d, n) => d % 100 === 0 && say(`  ${d}/${n} images`) });
  if (Number.isNaN(alignedPerSecond)) {
    // The chain plus the warp, timed on this model's first 40 images.
    const tb = performance.now();
    for (const img of images.slice(0, 40)) {
      const [f] = await detectFaces({ data: img.rgb, width: 160, height: 160 });
      if (f) alignFace({ data: img.rgb, width: 160, height: 160 }, fivePointsOf68(f.landmarks!), 112);
    }
    alignedPerSecond = 40 / ((performance.now() - tb) / 1000);
  }
  say(`  audited in ${((performance.now() - ta) / 1000).toFixed(0)} s`);
  rows.push({ model: `${model}, ${pitch0 ? 'pitch 0' : DEFAULT_PITCH}`, audit, renderPerSecond112: renderRate(renderer112, 200) });
}

if (part) {
  writeFileSync(part, JSON.stringify({ rows, alignedPerSecond }));
  process.exit(0);
}

// Rows read back with --merge carry an empty bucket's NaN rate as null (JSON has no NaN).
const pct = (v: number | null | undefined) => (v === undefined || v === null || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(0)}%`);
const f3 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(3));
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, load average ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}`;
const date = new Date().toISOString();
const setup = `${ids} identities x ${imgs} images, 160 px, yaw U(-90, 90), pitch 0 or synx's default N(0, 30) as each column says, other pose defaults (roll 0, scale U(1, 1.2)), expression N(0, 1), prior illumination, texture backgrounds; each image centred on a grey canvas 3x its size before SSD MobileNet v1 detection (min score 0.5)`;
// Issue 12's targets, checked against the pitch 0 columns: its stated baselines are reproduced at
// pitch 0, not at the default pitch (docs/realism.md, "Which pitch the targets mean").
const TARGETS = { det015: '>= 95%', det1545: '>= 95%', det4590: '>= 70%', landmarks: '<= 0.07', aucNearFrontal: '>= 0.95', impostorsNearFrontal: 'as real people', render: '>= procedural' };
const rowOf = (name: string) => rows.find((r) => r.model === name)?.audit;
const detText = (a: AuditResult | undefined) => (a ? `${['0-15', '15-45', '45-90'].map((b) => pct(a.detection[b]?.rate).replace('%', '')).join(' / ')}%, near-frontal AUC ${f3(a.nearFrontal.auc)}` : undefined);
const proc0 = detText(rowOf('procedural, pitch 0'));
const procDefault = detText(rowOf(`procedural, ${DEFAULT_PITCH}`));
const line = (label: string, cell: (r: ModelRow) => string, target = '', realCell = '') => `| ${label} | ${rows.map(cell).join(' | ')} | ${target} | ${realCell} |`;
const md = [
  '# Realism benchmark (face-api 1.7.15)',
  '',
  `${date} on ${machine}`,
  '',
  setup + '.',
  '',
  `The targets (issue 12) are checked against the pitch 0 columns. The issue's baselines for the procedural model, "scored the way the benchmark asks", were detection 95 / 68 / 14% and near-frontal AUC 0.83${proc0 ? `; procedural at pitch 0 gives ${proc0} here${procDefault ? `, at the default pitch ${procDefault}` : ''}` : ''} (docs/realism.md, "Which pitch the targets mean").`,
  '',
  `| measure | ${rows.map((r) => r.model).join(' | ')} | target (pitch 0 columns) | real photos (face-api demo) |`,
  `| --- | ${rows.map(() => '---').join(' | ')} | --- | --- |`,
  ...(['0-15', '15-45', '45-90'] as const).map((b) =>
    line(`detection, abs(yaw) ${b}`, (r) => pct(r.audit?.detection[b]?.rate), [TARGETS.det015, TARGETS.det1545, TARGETS.det4590][['0-15', '15-45', '45-90'].indexOf(b)], b === '0-15' ? `${perPhoto.reduce((a, x) => a + x, 0)}/22 faces` : ''),
  ),
  // Detection by |pitch| shows what synx's default pitch N(0, 30) costs (rows from before these were
  // recorded, read back with --merge, show a dash).
  ...['0-15', '15-30', '30-45', '45-90'].map((b) => line(`detection, abs(pitch) ${b}`, (r) => pct(r.audit?.detectionByPitch?.[b]?.rate))),
  line(
    'landmark error, abs(yaw) < 15 (outer-eye-corner distances)',
    (r) => (r.audit?.landmarkError ? `${f3(r.audit.landmarkError.mean)} (${r.audit.landmarkError.ibug68 ? '68 points' : `${r.audit.landmarkError.points} named points`})` : '–'),
    TARGETS.landmarks,
  ),
  line('identity AUC, near-frontal pairs (both abs(yaw) < 30)', (r) => f3(r.audit?.nearFrontal.auc), TARGETS.aucNearFrontal),
  line('identity AUC, all pairs', (r) => f3(r.audit?.all.auc)),
  line(`impostor pairs under ${SAME_PERSON_DISTANCE}, near-frontal`, (r) => pct(r.audit?.nearFrontal.impostorUnderThreshold), TARGETS.impostorsNearFrontal, `${pct(real.impostorUnderThreshold)} (${real.impostorPairs} pairs, all poses)`),
  ...(['light', 'mid', 'dark'] as const).map((g) =>
    line(`impostor pairs under ${SAME_PERSON_DISTANCE}, near-frontal, ${g} third by skin tone`, (r) => {
      const t = r.audit?.bySkinTone?.find((x) => x.third === g);
      return t ? `${pct(t.nearFrontal.impostorUnderThreshold)} (${t.identities} ids)` : '–';
    }),
  ),
  line(`impostor pairs under ${SAME_PERSON_DISTANCE}, all`, (r) => pct(r.audit?.all.impostorUnderThreshold), '', pct(real.impostorUnderThreshold)),
  line(`genuine pairs under ${SAME_PERSON_DISTANCE}, near-frontal`, (r) => pct(r.audit?.nearFrontal.genuineUnderThreshold)),
  line(`genuine pairs under ${SAME_PERSON_DISTANCE}, all`, (r) => pct(r.audit?.all.genuineUnderThreshold)),
  line('nearest other image is the same identity', (r) => pct(r.audit?.nearestIsSameIdentity)),
  line('render speed, 112 px, 1 thread (img/s)', (r) => (r.renderPerSecond112 ? r.renderPerSecond112.toFixed(0) : '–'), TARGETS.render),
  '',
  `Images per detection bucket (detected/images): ${rows
    .filter((r) => r.audit)
    .map((r) => `${r.model}: yaw ${Object.values(r.audit!.detection).map((d) => `${d.detected}/${d.images}`).join(', ')}; pitch ${r.audit!.detectionByPitch ? Object.values(r.audit!.detectionByPitch).map((d) => `${d.detected}/${d.images}`).join(', ') : '–'}`)
    .join('. ')}.`,
  '',
  `face-api speed on this machine (tfjs wasm backend): ${descriptorsPerSecond.toFixed(1)} descriptors/s of aligned 150 px crops (batches of 8); ${alignedPerSecond.toFixed(1)} aligned images/s for the whole chain on 160 px renders (pad to 480 px, detect, 68 landmarks, descriptor, 5-point ArcFace warp to 112 px).`,
  ...rows.filter((r) => r.error).map((r) => `\nmodel ${r.model}: not available in this build (${r.error}).`),
  '',
];
writeFileSync(path.join(here, 'results-realism.md'), md.join('\n'));
writeFileSync(
  path.join(here, 'results-realism.json'),
  `${JSON.stringify({ date, machine, setup, targets: TARGETS, realPhotos: { facesPerPhoto: perPhoto, pairs: real }, descriptorsPerSecond, alignedPerSecond, models: rows }, (_, v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2)}\n`,
);
say(md.join('\n'));
