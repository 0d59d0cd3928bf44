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
    const r = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
    // Cast: node's parseArgs types the values of a generic options object loosely; ParsedValues<T>
    // is what it returns for T (strings, booleans, arrays for `multiple`, defaults filled in).
    return { values: r.values as unknown as ParsedValues<T>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

/**
 * `--jobs -1`: node's parser takes `-1` for an option and answers "argument is ambiguous"; a
 * negative number after an option that takes a value is that option's value, so the command's own
 * check can say what is wrong with it.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (o.short !== undefined) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (takesValue.has(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
