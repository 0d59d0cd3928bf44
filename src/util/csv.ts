// CSV as synx writes it and reads it back (RFC 4180): fields with a comma, quote or line break are
// quoted, quotes inside doubled. Every writer and reader of the project goes through these two, so
// a value that survives a write survives the read.

/** One field, quoted when it must be (also for spaces at either end, which the reader trims otherwise). */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record: the fields quoted as needed, joined by commas (no line break). */
export function csvRow(values: readonly (string | number)[]): string {
  return values.map(csvField).join(',');
}

/** A parsed record with the 1-based line it starts on (quoted fields may span lines). */
export interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
}

/** A quote that opens a field but never closes, with the line it opened on. */
export class CsvSyntaxError extends Error {
  constructor(readonly line: number) {
    super(`a quoted field opened on line ${line} is never closed`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Parses CSV text into records. Blank lines are skipped; unquoted fields are trimmed (metadata
 * files written by hand have spaces after commas), quoted ones are kept as written.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let wasQuotedRecord = false;
  let line = 1;
  let start = 1;
  const endField = () => {
    cells.push(wasQuoted ? field : field.trim());
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (!(cells.length === 1 && cells[0] === '' && !wasQuotedRecord)) records.push({ line: start, cells });
    cells = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      wasQuoted = true;
      wasQuotedRecord = true;
      field = '';
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      wasQuotedRecord = false;
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) throw new CsvSyntaxError(start);
  if (field !== '' || cells.length > 0 || wasQuoted) endRecord();
  return records;
}
