import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/tui/index.js';
import { eventStream } from './fixtures.js';

describe('the Ink logger', () => {
  it('is chosen for a terminal, draws the run and finishes with the summary', async () => {
    const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let text = '';
    stdout.on('data', (c: Buffer) => (text += c.toString()));
    const logger = await createLogger({ stdout, env: {} });
    for (const e of eventStream()) logger.onEvent(e);
    await logger.close();
    // eslint-disable-next-line no-control-regex
    const plain = text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    // The terminal output is full of escape codes; all of them must be gone before comparing.
    expect(text).toContain('\u001b[');
    expect(plain).not.toContain('\u001b');
    expect(plain).toContain('✘ render render syn ids 200-299 failed: dataset path /data/casia does not exist');
    expect(plain).toContain('FAILED: 2 ran, 1 cached, 1 failed, 2 skipped in 30s');
  });
});
