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
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim().length > 0);
  if (headerAt < 0) throw new ScoresCsvError(file, 0, 'empty file; expected a header `same,score[,fold]`');
  const header = lines[headerAt]!.split(',').map((h) => h.trim().toLowerCase());
  const iSame = header.indexOf('same');
  const iScore = header.indexOf('score');
  const iFold = header.indexOf('fold');
  if (iSame < 0 || iScore < 0) {
    throw new ScoresCsvError(
      file,
      headerAt + 1,
      `header must name the columns 'same' and 'score' (optionally 'fold'), got '${lines[headerAt]!.trim()}'`,
    );
  }
  const rows: { same: boolean; score: number; fold?: number }[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim().length === 0) continue;
    const cells = raw.split(',').map((c) => c.trim());
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
  return rows;
}
