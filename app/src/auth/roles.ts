/** What a signed-in user may do: viewers list and export; editors also add orders. */
export type Role = 'viewer' | 'editor';

const RANK: Readonly<Record<Role, number>> = { viewer: 1, editor: 2 };

/** True when `role` includes what `needed` allows. */
export const allows = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export interface RoleMapping {
  /** Claim that lists app roles (Entra: `roles`) or group ids (`groups`). */
  readonly claim: string;
  readonly viewerValues: readonly string[];
  readonly editorValues: readonly string[];
}

/** The user's role from the ID token's claims; `undefined` when they hold neither. Editor wins. */
export function roleFromClaims(claims: Readonly<Record<string, unknown>>, mapping: RoleMapping): Role | undefined {
  const raw = claims[mapping.claim];
  const values = new Set((Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).filter((v): v is string => typeof v === 'string'));
  if (mapping.editorValues.some((v) => values.has(v))) return 'editor';
  if (mapping.viewerValues.some((v) => values.has(v))) return 'viewer';
  return undefined;
}
