import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../db/schema.ts';

/** A user's session token (admin, supervisor, agent). */
export interface TokenClaims {
  /** User id. */
  sub: number;
  login: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** the user's session_version when it was issued (absent: 0); see server/auth/sessions.ts */
  ver?: number;
}

/** A customer's token for one call: lets the widget's INVITE and event socket prove which call they belong to. */
export interface CallTokenClaims {
  scope: 'call';
  callId: string;
  exp: number;
}

/**
 * Compact signed tokens: base64url(JSON claims) "." base64url(HMAC-SHA256). The key is generated once and kept in the
 * database, so tokens survive a restart and are valid on every node that shares the database.
 */
export class TokenSigner {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new TypeError('token key must be at least 32 bytes');
  }

  sign(claims: TokenClaims | CallTokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  /** The claims of a valid, unexpired user session token; null otherwise (call tokens are not sessions). */
  verify(token: string, nowSeconds = Date.now() / 1000): TokenClaims | null {
    const c = this.#claims(token, nowSeconds);
    if (c === null || 'scope' in c || typeof c.sub !== 'number' || typeof c.role !== 'string') return null;
    return c as unknown as TokenClaims;
  }

  /** The claims of a valid, unexpired call token; null otherwise. */
  verifyCall(token: string, nowSeconds = Date.now() / 1000): CallTokenClaims | null {
    const c = this.#claims(token, nowSeconds);
    if (c === null || c.scope !== 'call' || typeof c.callId !== 'string') return null;
    return c as unknown as CallTokenClaims;
  }

  #claims(token: string, nowSeconds: number): Record<string, unknown> | null {
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof claims !== 'object' || claims === null || typeof claims.exp !== 'number' || claims.exp < nowSeconds) return null;
      return claims;
    } catch {
      return null;
    }
  }

  #mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
