import { parseArgs as parseNodeArgs } from 'node:util';

/** Bad command-line input: scripts exit 2 with its message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Parses `--name value` and `--name=value` pairs with `node:util`'s `parseArgs`; `--help` and
 * `-h` set `help`. Unknown names, positional arguments and missing values are `UsageError`s
 * naming the argument.
 */
export function parseArgs(argv: readonly string[], known: Record<string, string>): Record<string, string> {
  const args = [...argv];
  const options = Object.fromEntries(Object.keys(known).map((name) => [name, { type: 'string' as const }]));
  // Not strict: the tokens are checked here, so every refusal carries this module's message.
  const { tokens } = parseNodeArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const unknown = (arg: string): UsageError =>
    new UsageError(
      `Unknown argument ${JSON.stringify(arg)}. Known: ${Object.keys(known)
        .map((k) => `--${k}`)
        .join(', ')}.`,
    );
  const out: Record<string, string> = {};
  for (const token of tokens) {
    const raw = args[token.index]!;
    if (token.kind !== 'option') throw unknown(raw);
    if (raw === '--help' || raw === '-h') {
      out.help = 'true';
      continue;
    }
    if (!token.rawName.startsWith('--') || !Object.hasOwn(known, token.name)) throw unknown(raw);
    if (token.value === undefined) throw new UsageError(`--${token.name} needs a value (${known[token.name]}).`);
    out[token.name] = token.value;
  }
  return out;
}

/** One line per flag with its meaning, as --help prints them. */
export function flagLines(known: Record<string, string>): string {
  return Object.entries(known)
    .map(([k, v]) => `  --${k}  ${v}`)
    .join('\n');
}

/** The usage text of a script: its synopsis, then one line per flag with its meaning. */
export function usage(synopsis: string, known: Record<string, string>): string {
  return `Usage: ${synopsis}\n${flagLines(known)}\n`;
}

/** A flag whose value must be one of a few names; a `UsageError` naming them otherwise. */
export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined || !(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`);
  return value as T;
}

/** A flag holding a whole number from `min` to `max`; `fallback` when absent, a `UsageError` otherwise. */
export function wholeNumber(name: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return Number(value);
}
