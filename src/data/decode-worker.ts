// A decoding worker: reads, decodes (and for training, fits) image files off the main thread.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { decodeImage, fitImage, type Fit } from '../image/index.js';

/** `fit`: decode and fit a training batch; `check`: only say whether each file decodes. */
export type DecodeTask =
  | { readonly type: 'fit'; readonly files: readonly string[]; readonly size: number; readonly fit: Fit }
  | { readonly type: 'check'; readonly files: readonly string[] };

export type DecodeJob = DecodeTask & { readonly id: number };

/** One file of a check job: readable, missing (cannot be read), or not decodable and why. */
export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly missing: boolean; readonly reason: string };

export type DecodeReply =
  | { readonly id: number; readonly type: 'fit'; readonly data: Uint8Array }
  | { readonly id: number; readonly type: 'check'; readonly results: readonly CheckResult[] }
  | { readonly id: number; readonly type: 'error'; readonly file: string; readonly message: string };

function checkFile(file: string): CheckResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { ok: false, missing: true, reason: (e as Error).message };
  }
  try {
    decodeImage(bytes);
    return { ok: true };
  } catch (e) {
    return { ok: false, missing: false, reason: (e as Error).message };
  }
}

const port = parentPort;
port?.on('message', (job: DecodeJob) => {
  const reply = (r: DecodeReply, transfer?: ArrayBuffer[]) => port.postMessage(r, transfer);
  if (job.type === 'check') {
    reply({ id: job.id, type: 'check', results: job.files.map(checkFile) });
    return;
  }
  const per = job.size * job.size * 3;
  const out = new Uint8Array(job.files.length * per);
  for (const [k, file] of job.files.entries()) {
    try {
      out.set(fitImage(decodeImage(readFileSync(file)), job.size, job.fit), k * per);
    } catch (e) {
      reply({ id: job.id, type: 'error', file, message: (e as Error).message });
      return;
    }
  }
  reply({ id: job.id, type: 'fit', data: out }, [out.buffer]);
});
