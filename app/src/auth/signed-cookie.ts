import crypto from 'node:crypto';

/**
 * A value carried in a cookie the client can read but not change: base64url JSON, a dot,
 * and an HMAC-SHA256 of it. `expiresAt` (seconds since the epoch) is inside the signed part,
 * so an old cookie cannot be replayed past it.
 */
export class SignedCookieCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the cookie signing secret must be at least 32 characters');
    // A derived key: the configured secret is never used directly.
    this.key = crypto.createHmac('sha256', secret).update('order-app cookie signing v1').digest();
  }

  encode(value: object, expiresAt: number): string {
    const payload = Buffer.from(JSON.stringify({ ...value, exp: expiresAt })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The value, or `undefined` when the cookie is malformed, tampered with or expired. */
  decode<T>(cookie: string | undefined, nowSeconds: number): (T & { exp: number }) | undefined {
    if (!cookie) return undefined;
    const dot = cookie.indexOf('.');
    // Stryker disable next-line ConditionalExpression,EqualityOperator: only returns early; without a dot or payload the signature or JSON fails
    if (dot <= 0) return undefined;
    const payload = cookie.slice(0, dot);
    const given = Buffer.from(cookie.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    try {
      const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T & { exp: number };
      return typeof value.exp === 'number' && value.exp > nowSeconds ? value : undefined;
      // Stryker disable next-line BlockStatement: falling off the end returns undefined too
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return crypto.createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
