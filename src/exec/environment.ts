import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What a cache entry or run record says about the software that made it. */
export interface Environment {
  readonly synx: string;
  readonly node: string;
  /** TensorFlow.js backend from the project config. */
  readonly backend: string;
  readonly platform: string;
  readonly arch: string;
  readonly host: string;
}

let version: string | undefined;

/** synx's own version, from package.json (src/exec and dist/exec are both two levels below it). */
export function synxVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version?: string;
      };
      version = pkg.version ?? 'unknown';
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/** The environment of this process, for manifests and run records. */
export function currentEnvironment(backend: string): Environment {
  return {
    synx: synxVersion(),
    node: process.version,
    backend,
    platform: process.platform,
    arch: process.arch,
    host: os.hostname(),
  };
}
