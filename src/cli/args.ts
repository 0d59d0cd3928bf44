import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../diag/index.js';
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
    throw new UsageError(parseErrorMessage(e as Error & { code?: string }, options));
  }
}

/**
 * node's parseArgs messages in synx's words: an unknown option names the closest known one (node's
 * own text tells the user how to pass a positional that starts with '-', which is never what a
 * typo needs), and an option without its value says which value it wants.
 */
function parseErrorMessage(e: Error & { code?: string }, options: Options): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1];
  const names = Object.keys(options).map((n) => `--${n}`);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) {
    const option = quoted.split('=')[0]!;
    const guess = suggestOption(option, names);
    return `unknown option '${option}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted !== undefined && /argument missing/.test(e.message)) {
    // "Option '-j, --jobs <value>' argument missing"
    const long = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
    return `option '${long}' needs a value: ${long} VALUE`;
  }
  return e.message.replace(/^TypeError \[[A-Z_]+\]: /, '');
}

/** The known option a mistyped one most likely meant: `-o` → `--out`, `--job` → `--jobs`. */
function suggestOption(option: string, names: readonly string[]): string | undefined {
  if (/^-[^-]$/.test(option)) {
    const initial = names.filter((n) => n[2] === option[1]);
    return initial.length === 1 ? initial[0] : undefined;
  }
  const bare = option.replace(/^-+/, '');
  const guess = closest(bare, names.map((n) => n.slice(2)));
  if (guess !== undefined) return `--${guess}`;
  // A prefix of exactly one option (`--exp` for `--experiment`).
  const prefixed = names.filter((n) => bare.length >= 2 && n.slice(2).startsWith(bare));
  return prefixed.length === 1 ? prefixed[0] : undefined;
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
