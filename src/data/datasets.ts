import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { NodeFailure } from '../node/index.js';
import { CsvSyntaxError, parseCsv, type CsvRecord } from '../util/index.js';

/** Image file extensions the folder adapters list (decoding goes by content). */
const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png']);

/** One image of a real dataset: its path relative to the dataset root and its identity name. */
export interface ListedImage {
  readonly path: string;
  readonly identity: string;
}

/** Throws the NodeFailure for a missing dataset folder, naming the expected layout. */
export function requireFolder(dataset: string, root: string, layout: string): void {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new NodeFailure(
      `dataset '${dataset}': folder ${root} does not exist`,
      `set datasets.${dataset}.path in synx.yaml to a folder laid out as ${layout}`,
      'SX5002',
    );
  }
}

/** A symbolic link the folder scan did not follow, and why (reported on the console). */
export interface SkippedLink {
  readonly path: string;
  readonly reason: string;
}

/**
 * What a directory entry is, following a symbolic link ("symlink farm" datasets are made of
 * them): 'file', 'dir', or why a link is skipped.
 */
function entryKind(dir: string, d: Dirent): 'file' | 'dir' | 'other' | { skipped: string } {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (!d.isSymbolicLink()) return 'other';
  try {
    const st = statSync(path.join(dir, d.name));
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { skipped: code === 'ELOOP' ? 'the link loops' : code === 'ENOENT' ? 'the link points at nothing' : `the link cannot be followed (${code ?? 'error'})` };
  }
}

/**
 * Lists an image folder laid out as `root/<identity>/<image>` (CASIA-WebFace, VGGFace2), sorted
 * by identity then file name so the listing is the same on every file system. Symbolic links to
 * identity folders and images are followed; broken or looping links, and a link to a folder
 * already listed (the root, or another identity: its images would count twice), are skipped and
 * pushed to `skipped` so the caller can say so.
 */
export function listImageFolder(dataset: string, root: string, skipped: SkippedLink[] = []): ListedImage[] {
  requireFolder(dataset, root, 'root/<identity>/<image>.jpg|png');
  const out: ListedImage[] = [];
  const seenDirs = new Map<string, string>([[realpathSync(root), '(the dataset root)']]);
  const ids: string[] = [];
  for (const d of readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const k = entryKind(root, d);
    if (typeof k === 'object') skipped.push({ path: d.name, reason: k.skipped });
    else if (k === 'dir') ids.push(d.name);
  }
  ids.sort();
  for (const id of ids) {
    const real = realpathSync(path.join(root, id));
    const first = seenDirs.get(real);
    if (first !== undefined) {
      skipped.push({ path: id, reason: `the same folder as ${first}` });
      continue;
    }
    seenDirs.set(real, id);
    const files: string[] = [];
    for (const f of readdirSync(path.join(root, id), { withFileTypes: true })) {
      if (!IMAGE_EXT.has(path.extname(f.name).toLowerCase())) continue;
      const k = entryKind(path.join(root, id), f);
      if (typeof k === 'object') skipped.push({ path: `${id}/${f.name}`, reason: k.skipped });
      else if (k === 'file') files.push(f.name);
    }
    files.sort();
    for (const f of files) out.push({ path: `${id}/${f}`, identity: id });
  }
  if (out.length === 0) {
    throw new NodeFailure(
      `dataset '${dataset}': no .jpg/.png images under ${root}`,
      'lay the images out as root/<identity>/<image>.jpg|png',
      'SX5002',
    );
  }
  return out;
}

/** One LFW pair, with image paths relative to the dataset root. */
export interface LfwPair {
  readonly a: ListedImage;
  readonly b: ListedImage;
  readonly same: boolean;
  /** 0-based fold, from the pairs file's fold structure. */
  readonly fold: number;
}

/** The LFW image path for person `name`, image number `n`: `name/name_%04d.jpg`. */
export function lfwImagePath(name: string, n: number): string {
  return `${name}/${name}_${String(n).padStart(4, '0')}.jpg`;
}

/**
 * Parses LFW's pairs.txt: a first line "folds n" (e.g. "10 300"), then per fold n lines
 * `name n1 n2` (same) and n lines `name1 n1 name2 n2` (different). Lines that fit neither, or a
 * count that disagrees with the header, are a NodeFailure naming the file and line.
 */
export function parseLfwPairs(text: string, file: string): LfwPair[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const bad = (line: number, what: string) =>
    new NodeFailure(`${file}:${line}: ${what}`, 'use the LFW pairs.txt format: "10 300", then `name n1 n2` and `name1 n1 name2 n2` lines', 'SX5005');
  const head = (lines[0] ?? '').split(/\s+/).map(Number);
  if (head.length !== 2 || !head.every((x) => Number.isInteger(x) && x > 0)) {
    throw bad(1, `expected a header "folds pairs-per-class", got '${lines[0] ?? ''}'`);
  }
  const [folds, n] = head as [number, number];
  if (lines.length - 1 !== folds * 2 * n) {
    throw bad(1, `header says ${folds} folds of ${2 * n} pairs (${folds * 2 * n} lines), the file has ${lines.length - 1}`);
  }
  const pairs: LfwPair[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = Math.floor((i - 1) / (2 * n));
    const t = lines[i]!.split(/\s+/);
    const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
    // A name is one folder of the dataset: `../../etc` would read outside its root.
    for (const name of t.length === 3 ? [t[0]] : t.length === 4 ? [t[0], t[2]] : []) {
      if (name !== undefined && !isPlainName(name)) {
        throw new NodeFailure(`${file}:${i + 1}: the name '${name}' is not a folder of the dataset`, 'a name in pairs.txt is one folder name under the dataset root, without / or ..', 'SX5005');
      }
    }
    if (t.length === 3 && !Number.isNaN(num(t[1])) && !Number.isNaN(num(t[2]))) {
      const name = t[0]!;
      pairs.push({
        a: { path: lfwImagePath(name, num(t[1])), identity: name },
        b: { path: lfwImagePath(name, num(t[2])), identity: name },
        same: true,
        fold: f,
      });
    } else if (t.length === 4 && !Number.isNaN(num(t[1])) && !Number.isNaN(num(t[3]))) {
      pairs.push({
        a: { path: lfwImagePath(t[0]!, num(t[1])), identity: t[0]! },
        b: { path: lfwImagePath(t[2]!, num(t[3])), identity: t[2]! },
        same: false,
        fold: f,
      });
    } else {
      throw bad(i + 1, `expected 'name n1 n2' or 'name1 n1 name2 n2', got '${lines[i]}'`);
    }
  }
  return pairs;
}

/** A single file or folder name: no separators, not `.` or `..`. */
function isPlainName(name: string): boolean {
  return name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/**
 * An image path from a metadata file, checked to stay inside the dataset root: relative, and no
 * `..` that climbs above it (a metadata file must not make synx read other files).
 */
export function insideRoot(image: string, file: string, line: number): string {
  const norm = path.posix.normalize(image.replace(/\\/g, '/'));
  if (path.isAbsolute(image) || /^[A-Za-z]:/.test(image) || norm === '..' || norm.startsWith('../') || image.includes('\0')) {
    throw new NodeFailure(`${file}:${line}: the image path '${image}' is outside the dataset's folder`, 'image paths in dataset metadata are relative to datasets.<name>.path and stay under it', 'SX5005');
  }
  return image;
}

/** Reads a metadata CSV (header row, then records; quoted fields as synx and spreadsheets write them). */
export function readCsv(file: string, dataset: string): { header: string[]; rows: { line: number; cells: string[] }[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new NodeFailure(`dataset '${dataset}': cannot read ${file}`, `check datasets.${dataset} in synx.yaml`, 'SX5002');
  }
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    throw new NodeFailure(`${file}:${e.line}: ${e.message}`, 'close the quote, or double a quote inside a quoted field ("")', 'SX5005');
  }
  const [head, ...rows] = records;
  return { header: head ? head.cells.map((c) => c.toLowerCase()) : [], rows };
}

/** Index of the first header name among `names`, or a NodeFailure naming the file. */
function column(header: readonly string[], names: readonly string[], file: string): number {
  const i = header.findIndex((h) => names.includes(h));
  if (i < 0) {
    throw new NodeFailure(`${file}:1: no column named ${names.map((n) => `'${n}'`).join(' or ')}`, `header found: ${header.join(',')}`, 'SX5005');
  }
  return i;
}

function cell(row: { line: number; cells: string[] }, i: number, file: string): string {
  const v = row.cells[i];
  if (v === undefined || v === '') throw new NodeFailure(`${file}:${row.line}: missing value in column ${i + 1}`, undefined, 'SX5005');
  return v;
}

/** An IJB-A-style template: a set of images of one subject. */
export interface Template {
  readonly template: string;
  readonly identity: string;
  readonly images: readonly string[];
}

/** An IJB-A-style comparison of two templates, optionally tagged with its split. */
export interface Comparison {
  readonly a: string;
  readonly b: string;
  readonly same: boolean;
  readonly split?: number;
}

/**
 * Reads IJB-A-style metadata: templates CSV with columns template (TEMPLATE_ID), identity
 * (SUBJECT_ID) and image (FILE); comparisons CSV with template1, template2 and optionally same
 * and split (without `same`, a comparison is genuine when the two subjects are equal).
 */
export function readIjba(dataset: string, templatesCsv: string, comparisonsCsv: string): { templates: Template[]; comparisons: Comparison[] } {
  const t = readCsv(templatesCsv, dataset);
  const iT = column(t.header, ['template', 'template_id'], templatesCsv);
  const iS = column(t.header, ['identity', 'subject_id', 'subject'], templatesCsv);
  const iF = column(t.header, ['image', 'file', 'path'], templatesCsv);
  const byId = new Map<string, { identity: string; images: string[] }>();
  for (const r of t.rows) {
    const id = cell(r, iT, templatesCsv);
    const subject = cell(r, iS, templatesCsv);
    const e = byId.get(id) ?? { identity: subject, images: [] };
    if (e.identity !== subject) {
      throw new NodeFailure(`${templatesCsv}:${r.line}: template ${id} names subject ${subject}, earlier ${e.identity}`, 'a template holds images of one subject', 'SX5005');
    }
    e.images.push(insideRoot(cell(r, iF, templatesCsv), templatesCsv, r.line));
    byId.set(id, e);
  }
  const c = readCsv(comparisonsCsv, dataset);
  const i1 = column(c.header, ['template1', 'template_a', 'enroll'], comparisonsCsv);
  const i2 = column(c.header, ['template2', 'template_b', 'verif', 'probe'], comparisonsCsv);
  const iSame = c.header.findIndex((h) => h === 'same' || h === 'label');
  const iSplit = c.header.indexOf('split');
  const comparisons: Comparison[] = c.rows.map((r) => {
    const a = cell(r, i1, comparisonsCsv);
    const b = cell(r, i2, comparisonsCsv);
    for (const x of [a, b]) {
      if (!byId.has(x)) {
        throw new NodeFailure(`${comparisonsCsv}:${r.line}: template ${x} is not in ${templatesCsv}`, 'every compared template needs rows in the templates CSV', 'SX5005');
      }
    }
    const same = iSame >= 0 ? cell(r, iSame, comparisonsCsv) === '1' : byId.get(a)!.identity === byId.get(b)!.identity;
    const split = iSplit >= 0 ? Number(cell(r, iSplit, comparisonsCsv)) : undefined;
    return split !== undefined ? { a, b, same, split } : { a, b, same };
  });
  const templates = [...byId.entries()].map(([template, e]) => ({ template, identity: e.identity, images: e.images }));
  return { templates, comparisons };
}

/** One Multi-PIE-style image: path, identity and yaw in degrees. */
export interface PosedImage extends ListedImage {
  readonly yaw: number;
}

/** Reads a Multi-PIE-style CSV with columns image (path), identity and yaw (degrees). */
export function readPoseCsv(dataset: string, csv: string): PosedImage[] {
  const t = readCsv(csv, dataset);
  const iF = column(t.header, ['image', 'file', 'path'], csv);
  const iS = column(t.header, ['identity', 'subject', 'id'], csv);
  const iY = column(t.header, ['yaw', 'pose'], csv);
  return t.rows.map((r) => {
    const yaw = Number(cell(r, iY, csv));
    if (!Number.isFinite(yaw)) throw new NodeFailure(`${csv}:${r.line}: yaw must be a number of degrees, got '${r.cells[iY]}'`, undefined, 'SX5005');
    return { path: insideRoot(cell(r, iF, csv), csv, r.line), identity: cell(r, iS, csv), yaw };
  });
}
