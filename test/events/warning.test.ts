import { describe, expect, it } from 'vitest';
import { describeWarning } from '../../src/events/index.js';

describe('describeWarning', () => {
  it('words each warning as the loggers print it after `warning: `', () => {
    expect(describeWarning({ reason: 'corrupt-entry', entry: '/c/entries/ab/abc', label: 'render r1', problem: 'output a has changed' })).toBe(
      'cache entry /c/entries/ab/abc of render r1 is corrupt (output a has changed); removed, it will be recomputed',
    );
    expect(describeWarning({ reason: 'record-unwritable', dir: '/p/runs', message: "ENOTDIR: not a directory, mkdir '/p/runs'" })).toBe(
      "cannot write the run record in /p/runs: ENOTDIR: not a directory, mkdir '/p/runs'",
    );
    expect(describeWarning({ reason: 'node', message: '3 folders of casia have no images' })).toBe('3 folders of casia have no images');
    expect(describeWarning({ reason: 'runner', message: 'run 1 ended without cancelling its Slurm jobs' })).toBe('run 1 ended without cancelling its Slurm jobs');
  });
});
