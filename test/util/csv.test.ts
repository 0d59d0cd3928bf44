import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRow, CsvSyntaxError, parseCsv } from '../../src/util/index.js';

describe('CSV', () => {
  it('reads quoted fields (commas, doubled quotes, line breaks) with the line each record starts on', () => {
    const text = 'a, b ,c\n\n1,"x, y","he said ""hi"""\r\n2,"multi\nline",3\n4,,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 3, cells: ['1', 'x, y', 'he said "hi"'] },
      { line: 4, cells: ['2', 'multi\nline', '3'] },
      { line: 6, cells: ['4', '', ''] },
    ]);
  });

  it('names the line of a quote that never closes', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(/line 2/);
  });

  it('reads back exactly what it writes, whatever the values', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        // A record of one empty field is a blank line, which readers skip: write such rows quoted.
        const text = rows.map((r) => (r.length === 1 && r[0] === '' ? '""' : csvRow(r))).join('\n') + '\n';
        expect(parseCsv(text).map((r) => r.cells)).toEqual(rows);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
