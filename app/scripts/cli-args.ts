/** Bad command-line input: scripts exit 2 with its message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `--name value` pairs; unknown names and missing values are `UsageError`s naming the flag. */
export function parseArgs(argv: readonly string[], known: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      out.help = 'true';
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1]! in known)) throw new UsageError(`Unknown argument ${JSON.stringify(arg)}. Known: ${Object.keys(known).map((k) => `--${k}`).join(', ')}.`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value (${known[m[1]!]}).`);
    out[m[1]!] = value;
  }
  return out;
}

/** One line per flag with its meaning, as --help prints them. */
export function flagLines(known: Record<string, string>): string {
  return Object.entries(known).map(([k, v]) => `  --${k}  ${v}`).join('\n');
}

/** The usage text of a script: its synopsis, then one line per flag with its meaning. */
export function usage(synopsis: string, known: Record<string, string>): string {
  return `Usage: ${synopsis}\n${flagLines(known)}\n`;
}

/** A flag whose value must be one of a few names; a `UsageError` naming them otherwise. */
export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined || !(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`);
  return value as T;
}

export function wholeNumber(name: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return Number(value);
}
