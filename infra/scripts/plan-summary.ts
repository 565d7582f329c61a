/**
 * A reviewed plan that can be published: `terraform show -json` of a saved plan with every
 * sensitive value masked (the binary plan file holds them in plain text, so it never leaves
 * the agent). The apply stage plans again and proceeds only if the fresh summary equals the
 * reviewed one.
 */

/** One resource change, as reviewed. */
export interface ReviewedChange {
  readonly address: string;
  readonly actions: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
  /** Attributes known only after apply. */
  readonly afterUnknown: unknown;
}

/** What a published plan holds. */
export interface PlanSummary {
  readonly format: 1;
  readonly stack: string;
  readonly terraformVersion: string;
  readonly changes: readonly ReviewedChange[];
  readonly outputChanges: readonly { readonly name: string; readonly actions: readonly string[] }[];
}

/** Shown instead of a sensitive value. */
export const MASK = '(sensitive)';

/**
 * Attribute names that hold secrets even where a provider forgot to mark them sensitive: a
 * second line of defence, never the first.
 */
const SECRET_NAMES = new RegExp(
  '(password|secret|token|private_key|client_key|client_certificate|kube_config|kube_admin_config|' +
    'connection_string|access_key|sas|^value$|^result$)',
  'i',
);

/** Masks every value the plan marks sensitive (`*_sensitive` mirrors the value's shape) or whose name holds secrets. */
export function redact(value: unknown, sensitive: unknown, key = ''): unknown {
  if (sensitive === true) return MASK;
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, Array.isArray(sensitive) ? sensitive[i] : undefined, key));
  if (typeof value === 'object') {
    const mask = (typeof sensitive === 'object' && sensitive !== null ? sensitive : {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redact(v, mask[k], k)]));
  }
  if (typeof value === 'string' && SECRET_NAMES.test(key) && value !== '') return MASK;
  return value;
}

interface ShowJson {
  readonly terraform_version?: string;
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly change: {
      readonly actions: string[];
      readonly before: unknown;
      readonly after: unknown;
      readonly after_unknown?: unknown;
      readonly before_sensitive?: unknown;
      readonly after_sensitive?: unknown;
    };
  }[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: string[] }>>;
}

/** The publishable summary of `terraform show -json <plan>`: the changes only, sensitive values masked. */
export function summarizePlan(show: ShowJson, stack: string): PlanSummary {
  const changes = (show.resource_changes ?? [])
    .filter((r) => !(r.change.actions.length === 1 && (r.change.actions[0] === 'no-op' || r.change.actions[0] === 'read')))
    .map((r) => ({
      address: r.address,
      actions: r.change.actions,
      before: redact(r.change.before, r.change.before_sensitive),
      after: redact(r.change.after, r.change.after_sensitive),
      afterUnknown: r.change.after_unknown ?? {},
    }))
    .sort((a, b) => a.address.localeCompare(b.address));
  const outputChanges = Object.entries(show.output_changes ?? {})
    .filter(([, o]) => !(o.actions.length === 1 && o.actions[0] === 'no-op'))
    .map(([name, o]) => ({ name, actions: o.actions }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { format: 1, stack, terraformVersion: show.terraform_version ?? 'unknown', changes, outputChanges };
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as object).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

/** What differs between the reviewed plan and a fresh one; empty when they are the same plan. */
export function diffSummaries(reviewed: PlanSummary, fresh: PlanSummary): string[] {
  const out: string[] = [];
  const before = new Map(reviewed.changes.map((c) => [c.address, c]));
  const after = new Map(fresh.changes.map((c) => [c.address, c]));
  for (const [address, c] of after) {
    const r = before.get(address);
    if (!r) out.push(`${address}: ${c.actions.join('+')} was not in the reviewed plan`);
    else if (canonical(r) !== canonical(c)) out.push(`${address}: planned ${c.actions.join('+')} differs from the reviewed ${r.actions.join('+')}`);
  }
  for (const address of before.keys()) if (!after.has(address)) out.push(`${address}: reviewed, but no longer planned`);
  if (canonical(reviewed.outputChanges) !== canonical(fresh.outputChanges)) out.push('output changes differ from the reviewed plan');
  return out;
}

/** One line per change, for logs and the plan summary people read. */
export function describeSummary(s: PlanSummary): string {
  if (s.changes.length === 0) return `${s.stack}: no changes`;
  const count = (action: string) => s.changes.filter((c) => c.actions.includes(action)).length;
  return (
    `${s.stack}: ${count('create')} to add, ${count('update')} to change, ${count('delete')} to destroy\n` +
    `${s.changes.map((c) => `  ${c.actions.join('+').padEnd(14)} ${c.address}`).join('\n')}`
  );
}
