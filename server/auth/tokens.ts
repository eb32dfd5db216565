import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../db/schema.ts';

export interface TokenClaims {
  /** User id. */
  sub: number;
  login: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Extra scope for narrow tokens (e.g. a customer's call token); absent for a user's session token. */
  scope?: string;
}

/**
 * Compact signed tokens: base64url(JSON claims) "." base64url(HMAC-SHA256). The key is generated once and kept in the
 * database, so tokens survive a restart and are valid on every node that shares the database.
 */
export class TokenSigner {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new TypeError('token key must be at least 32 bytes');
  }

  sign(claims: TokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a valid, unexpired token; null otherwise. */
  verify(token: string, nowSeconds = Date.now() / 1000): TokenClaims | null {
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
      if (typeof claims.exp !== 'number' || claims.exp < nowSeconds) return null;
      return claims;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
