import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsErrorReason, makeDirs } from '../../src/util/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-fs-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error node throws for `f`, as the callers see it. */
const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('fsErrorReason', () => {
  it('words the errors a user causes with a path, not node errno codes', () => {
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, 'x');
    expect(fsErrorReason(thrown(() => readFileSync(path.join(dir, 'missing.csv'))))).toBe('no such file or folder');
    expect(fsErrorReason(thrown(() => readFileSync(dir)))).toBe('it is a folder, not a file');
    expect(fsErrorReason(thrown(() => readdirSync(path.join(file, 'sub'))))).toBe('a part of the path is a file, not a folder');
    expect(fsErrorReason(Object.assign(new Error('EACCES: permission denied, open x'), { code: 'EACCES' }))).toBe('permission denied');
    expect(fsErrorReason(Object.assign(new Error('EROFS: read-only file system, mkdir x'), { code: 'EROFS' }))).toBe('the file system is read-only');
    expect(fsErrorReason(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toBe('no space left on the disk');
  });

  it('keeps the message of anything else', () => {
    expect(fsErrorReason(new Error('disk on fire'))).toBe('disk on fire');
    expect(fsErrorReason('plain')).toBe('plain');
  });
});

describe('makeDirs', () => {
  it('creates the missing folders, and leaves an existing one as it is', () => {
    const deep = path.join(dir, 'made', 'a', 'b');
    makeDirs(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    writeFileSync(path.join(deep, 'keep.txt'), 'x');
    makeDirs(deep);
    expect(readFileSync(path.join(deep, 'keep.txt'), 'utf8')).toBe('x');
  });

  it('says what is in the way: a file, or a link to nothing', () => {
    const file = path.join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    expect(() => makeDirs(path.join(file, 'sub'))).toThrow(`${file} is a file, not a folder`);
    const link = path.join(dir, 'dangling');
    symlinkSync(path.join(dir, 'nowhere'), link);
    expect(() => makeDirs(path.join(link, 'sub'))).toThrow(`${link} is a link to something that does not exist`);
  });

  it.skipIf(!existsSync('/proc/self'))('fails with a reason where a recursive mkdir never returns (a path under /proc, on Linux)', () => {
    const e = thrown(() => makeDirs('/proc/synx-no-such/x'));
    expect(fsErrorReason(e)).toBe('no such file or folder');
  });
});
