/** An IPv4 CIDR block, parsed. */
export interface Cidr {
  readonly text: string;
  /** First address as an unsigned 32-bit number. */
  readonly start: number;
  /** Last address as an unsigned 32-bit number. */
  readonly end: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n` (or a bare address as /32); `undefined` when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const size = 2 ** (32 - prefix);
  const start = Math.floor(address / size) * size;
  if (start !== address) return undefined; // host bits set: ambiguous, refuse
  return { text: text.trim(), start, end: start + size - 1, prefix };
}

export const contains = (outer: Cidr, inner: Cidr): boolean => inner.start >= outer.start && inner.end <= outer.end;

/** Whether an IPv4 CIDR (text) holds an address; false when the text is not a CIDR. */
export function containsAddress(cidr: string, address: string): boolean {
  const block = parseCidr(cidr);
  const one = parseCidr(`${address}/32`);
  return block !== undefined && one !== undefined && contains(block, one);
}

/** The dotted quad of the n-th address of a block (clamped to its last address). */
export function addressAt(block: Cidr, n: number): string {
  const a = block.start + Math.min(n, block.end - block.start);
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}
export const overlaps = (a: Cidr, b: Cidr): boolean => a.start <= b.end && b.start <= a.end;

/** True for blocks off the public Internet: inside RFC 1918, loopback, link-local or CGNAT. */
export function isPrivate(c: Cidr): boolean {
  return NON_INTERNET_RANGES.some((r) => contains(r, c));
}

const NON_INTERNET_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', '100.64.0.0/10'].map((r) =>
  parseCidr(r)!,
);

/** Private ranges (RFC 1918): what the app's Internet egress excludes. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;
