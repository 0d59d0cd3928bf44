import { CsvSyntaxError, parseCsv, type CsvRecord } from '../util/index.js';
import { consecutiveFolds } from './metrics.js';

/** A problem in a score file, with the 1-based line it is on (0 for the file as a whole). */
export class ScoresCsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${detail}`);
    this.name = 'ScoresCsvError';
  }
}

/**
 * Parses a score CSV: a header naming `same` and `score` (and optionally `fold`) in any order,
 * then one comparison per row. `same` is 1/0 (or true/false); `score` a finite number. Throws a
 * ScoresCsvError naming the file and line of the first bad row.
 */
export function parseScoresCsv(
  text: string,
  file: string,
): { same: boolean; score: number; fold?: number }[] {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new ScoresCsvError(file, e.line, e.message);
    throw e;
  }
  if (records.length === 0) throw new ScoresCsvError(file, 0, 'empty file; expected a header `same,score[,fold]`');
  const headerAt = records[0]!.line - 1;
  const header = records[0]!.cells.map((h) => h.toLowerCase());
  const twice = header.find((h, i) => h !== '' && header.indexOf(h) !== i);
  if (twice !== undefined) {
    throw new ScoresCsvError(file, headerAt + 1, `the column '${twice}' is named twice; keep one (which would be meant is not known)`);
  }
  const iSame = header.indexOf('same');
  const iScore = header.indexOf('score');
  const iFold = header.indexOf('fold');
  if (iSame < 0 || iScore < 0) {
    throw new ScoresCsvError(
      file,
      headerAt + 1,
      `header must name the columns 'same' and 'score' (optionally 'fold'), got '${records[0]!.cells.join(',')}'`,
    );
  }
  const rows: { same: boolean; score: number; fold?: number }[] = [];
  for (const record of records.slice(1)) {
    const i = record.line - 1;
    const cells = record.cells;
    if (cells.length !== header.length) {
      throw new ScoresCsvError(file, i + 1, `expected ${header.length} columns, got ${cells.length}`);
    }
    const s = cells[iSame]!.toLowerCase();
    let same: boolean;
    if (s === '1' || s === 'true') same = true;
    else if (s === '0' || s === 'false') same = false;
    else throw new ScoresCsvError(file, i + 1, `'same' must be 1 or 0, got '${cells[iSame]}'`);
    const score = Number(cells[iScore]);
    if (cells[iScore] === '' || !Number.isFinite(score)) {
      throw new ScoresCsvError(file, i + 1, `'score' must be a finite number, got '${cells[iScore]}'`);
    }
    if (iFold >= 0) {
      const fold = Number(cells[iFold]);
      if (cells[iFold] === '' || !Number.isInteger(fold)) {
        throw new ScoresCsvError(file, i + 1, `'fold' must be an integer, got '${cells[iFold]}'`);
      }
      rows.push({ same, score, fold });
    } else rows.push({ same, score });
  }
  if (rows.length < 10) throw new ScoresCsvError(file, 0, `10-fold accuracy needs at least 10 rows, got ${rows.length}`);
  if (!rows.some((r) => r.same) || rows.every((r) => r.same)) {
    throw new ScoresCsvError(file, 0, 'needs both genuine (same=1) and impostor (same=0) rows');
  }
  if (iFold >= 0 && new Set(rows.map((r) => r.fold)).size < 2) {
    throw new ScoresCsvError(file, 0, "the 'fold' column must name at least 2 folds");
  }
  if (iFold < 0) {
    // Without a `fold` column the folds are 10 consecutive parts of the file (LFW's order). A file
    // sorted by label makes folds of one class only, and the accuracy of each held-out fold then
    // measures nothing: refuse rather than print a meaningless number.
    const of = consecutiveFolds(rows.length);
    const kinds = Array.from({ length: 10 }, () => new Set<boolean>());
    rows.forEach((r, i) => kinds[of[i]!]!.add(r.same));
    const single = kinds.flatMap((k, f) => (k.size < 2 ? [f + 1] : []));
    if (single.length > 0) {
      throw new ScoresCsvError(
        file,
        0,
        `without a 'fold' column the rows are split into 10 consecutive folds, and fold${single.length > 1 ? 's' : ''} ${single.join(', ')} ` +
          `of them hold${single.length > 1 ? '' : 's'} only genuine or only impostor pairs (is the file sorted by 'same'?); ` +
          "add a 'fold' column giving each row its fold (1 to 10, each fold with both kinds of pairs, e.g. the pair's LFW fold) or list the rows in their original order",
      );
    }
  }
  return rows;
}
