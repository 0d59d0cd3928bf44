import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readDataManifest, type DataManifest } from '../data/index.js';
import { decodeImage } from '../image/index.js';
import { detectFaces, type Detector } from '../faceapi/index.js';

/** What the audit says of a real dataset's data node: what it kept, and whether faces are found. */
export interface DatasetAudit {
  readonly dataset: string;
  readonly images: number;
  readonly identities: number;
  /** Images the data node left out, with its reasons (unreadable, no face found when aligning). */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  /** With `align: face-api`: crops written, and the images in which no face was found. */
  readonly alignment?: { readonly template: string; readonly size: number; readonly aligned: number; readonly noFace: readonly string[] };
  /**
   * Without alignment: face-api's detector run on the first `checked` kept images (padded as for
   * renders): how many have a face, and which do not.
   */
  readonly detection?: { readonly detector: Detector; readonly checked: number; readonly found: number; readonly missed: readonly string[] };
}

const NO_FACE = /no face/i;

/**
 * Audits a computed data node (its output folder `dir`): the alignment's failures when the dataset
 * is aligned (the data node ran face-api on every image already), else face-api's detection on
 * up to `limit` of its images, so a user sees unusable photos before training on them.
 */
export async function auditDataset(dir: string, options: { readonly limit: number; readonly detector: Detector }): Promise<DatasetAudit> {
  const m: DataManifest = readDataManifest(dir);
  const base = { dataset: m.dataset, images: m.images.length, identities: m.identities.length, skipped: m.skipped };
  if (m.aligned) {
    const noFace = m.skipped.filter((s) => NO_FACE.test(s.reason)).map((s) => s.path);
    return { ...base, alignment: { template: m.aligned.template, size: m.aligned.size, aligned: m.images.length, noFace } };
  }
  const n = Math.min(options.limit, m.images.length);
  const missed: string[] = [];
  for (let i = 0; i < n; i++) {
    const rel = m.images[i]!.path;
    const img = decodeImage(new Uint8Array(await readFile(path.join(m.root, rel))));
    const faces = await detectFaces(img, { detector: options.detector, landmarks: false });
    if (faces.length === 0) missed.push(rel);
  }
  return { ...base, detection: { detector: options.detector, checked: n, found: n - missed.length, missed } };
}

const first = (names: readonly string[], k = 5) => (names.length <= k ? names.join(', ') : `${names.slice(0, k).join(', ')} and ${names.length - k} more`);

/** A dataset audit as plain text lines for the terminal. */
export function formatDatasetAudit(a: DatasetAudit): string[] {
  const lines = [`${a.images} images of ${a.identities} identities kept; ${a.skipped.length} left out by the data node`];
  if (a.alignment) {
    const total = a.alignment.aligned + a.alignment.noFace.length;
    const rate = total === 0 ? '–' : `${((a.alignment.aligned / total) * 100).toFixed(0)}%`;
    lines.push(`aligned by face-api to the ${a.alignment.template} template at ${a.alignment.size} px: a face found in ${rate} (${a.alignment.aligned}/${total})`);
    if (a.alignment.noFace.length > 0) lines.push(`no face found (left out): ${first(a.alignment.noFace)}`);
  }
  if (a.detection) {
    const d = a.detection;
    const rate = d.checked === 0 ? '–' : `${((d.found / d.checked) * 100).toFixed(0)}%`;
    lines.push(`face-api ${d.detector === 'ssd' ? 'SSD MobileNet v1' : 'tiny'} detector on the first ${d.checked} images: a face in ${rate} (${d.found}/${d.checked})`);
    if (d.missed.length > 0) lines.push(`no face found: ${first(d.missed)} (consider align: face-api in synx.yaml, which leaves them out)`);
  }
  const other = a.skipped.filter((s) => !NO_FACE.test(s.reason));
  if (other.length > 0) lines.push(`unreadable (left out): ${first(other.map((s) => s.path))}`);
  return lines;
}
