import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed values: booleans for flags, strings (or string lists) for the rest. */
export type ParsedValues<T extends Options> = {
  [K in keyof T]: T[K] extends { type: 'boolean' }
    ? boolean
    : T[K] extends { multiple: true }
      ? string[]
      : T[K] extends { default: string }
        ? string
        : string | undefined;
};

/** node:util parseArgs, with its errors turned into usage errors (exit 2, usage printed). */
export function parse<T extends Options>(argv: readonly string[], options: T): { values: ParsedValues<T>; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: r.values as unknown as ParsedValues<T>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}
