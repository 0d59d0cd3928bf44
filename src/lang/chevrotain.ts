// Chevrotain, loaded from its single-file ESM build. The package's entry point (lib/src/api.js)
// imports lodash-es one module at a time, over 600 files: about 450 ms of CPU at every start of
// `synx check`, against 16 ms for the bundle the package ships beside it (lib/chevrotain.mjs,
// the same code and version). The package's `exports` map hides the bundle, so it is found
// next to the entry point; should a future layout lack it, the entry point is used.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

/** The file synx loads chevrotain from: the bundle when it is where chevrotain 11 ships it. */
export const CHEVROTAIN_BUNDLE = path.join(path.dirname(createRequire(import.meta.url).resolve('chevrotain')), '..', 'chevrotain.mjs');

const chevrotain: Chevrotain = existsSync(CHEVROTAIN_BUNDLE)
  ? ((await import(pathToFileURL(CHEVROTAIN_BUNDLE).href)) as Chevrotain)
  : await import('chevrotain');

export const { CstParser, createToken, Lexer, VERSION: CHEVROTAIN_VERSION } = chevrotain;
