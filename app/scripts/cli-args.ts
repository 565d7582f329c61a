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

/** The usage text of a script: its synopsis, then one line per flag with its meaning. */
export function usage(synopsis: string, known: Record<string, string>): string {
  return `Usage: ${synopsis}\n${Object.entries(known).map(([k, v]) => `  --${k}  ${v}`).join('\n')}\n`;
}

export function wholeNumber(name: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return Number(value);
}
