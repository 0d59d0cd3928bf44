import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arg, BenchInputError, countArg, numberArg } from '../../bench/bench-args.js';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '..', '..');

describe('bench options', () => {
  const argv = ['node', 'bench/x.ts', 'row', '--ids', '12', '--exposure', '0.75', '--imgs', 'x', '--bare', '--flag', '--last'];

  it('reads values, numbers and counts, with fallbacks', () => {
    expect(arg('ids', argv)).toBe('12');
    expect(arg('absent', argv)).toBeUndefined();
    expect(numberArg('exposure', 1, argv)).toBe(0.75);
    expect(numberArg('absent', 1, argv)).toBe(1);
    expect(numberArg('absent', undefined, argv)).toBeUndefined();
    expect(countArg('ids', 40, 1, argv)).toBe(12);
    expect(countArg('absent', 40, 1, argv)).toBe(40);
  });

  it('names the option and what it wants', () => {
    expect(() => arg('bare', argv)).toThrow(new BenchInputError('--bare needs a value'));
    expect(() => arg('last', argv)).toThrow(new BenchInputError('--last needs a value'));
    expect(() => numberArg('imgs', 13, argv)).toThrow(new BenchInputError("--imgs wants a number, not 'x'"));
    expect(() => countArg('exposure', 1, 1, argv)).toThrow(new BenchInputError("--exposure wants a whole number of at least 1, not '0.75'"));
    expect(() => countArg('ids', 1, 20, argv)).toThrow(/at least 20, not '12'/);
  });

  it('a bench script with a bad option prints one line and exits 2, without a stack trace', async () => {
    const tsx = path.join(repo, 'node_modules', '.bin', 'tsx');
    const r = await run(tsx, ['bench/realism-tone.ts', 'row', '--shift', 'no such component=1'], { cwd: repo }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in r ? r.code : 0).toBe(2);
    expect(r.stderr).toMatch(/^realism-tone\.ts: --boost\/--shift no such component=1: want NAME=NUMBER, NAME the start of a colour component's name \(skin tone \(melanin\);/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const ids = await run(tsx, ['bench/realism-tone.ts', 'row', '--ids', 'many'], { cwd: repo }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in ids ? ids.code : 0).toBe(2);
    expect(ids.stderr).toBe("realism-tone.ts: --ids wants a number, not 'many'\n");
  }, 120_000);
});
