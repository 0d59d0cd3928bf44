import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

/** node:util parseArgs, with its errors turned into usage errors (exit 2, usage printed). */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}
