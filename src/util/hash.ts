import { createHash } from 'node:crypto';

/** A content hash (sha256, hex). Branded so a hash is never confused with an id or a path. */
export type Sha256 = string & { readonly __brand: 'Sha256' };

export function sha256(data: string | Uint8Array): Sha256 {
  return createHash('sha256').update(data).digest('hex') as Sha256;
}
