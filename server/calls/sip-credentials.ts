import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findSipCredential } from '../../db/repositories/sip-credentials.ts';
import type { Database } from '../../db/schema.ts';
import type { CredentialStore, SipCredential } from '../../sip/auth/credential-store.ts';
import { computeHa1 } from '../../sip/auth/ha1.ts';

/** Who an ephemeral credential was issued to. */
export type EphemeralOwner =
  | { kind: 'customer'; callId: string }
  | { kind: 'agent'; agentId: number };

interface Ephemeral {
  credential: SipCredential;
  owner: EphemeralOwner;
  expiresAt: number;
}

/**
 * SIP digest credentials for the browsers: a customer's widget gets one for its one call, an agent's softphone one
 * per login. Only their HA1s are kept (in memory); the password is handed to the browser once and never stored.
 * Desk phones' credentials come from the database (set by the admin API). Both go through `lookup`.
 */
export class SipCredentialDirectory implements CredentialStore {
  readonly #ephemeral = new Map<string, Ephemeral>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly realm: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh username/password valid for `ttlSeconds`. */
  issue(owner: EphemeralOwner, ttlSeconds: number): { username: string; password: string } {
    this.#sweep();
    const prefix = owner.kind === 'customer' ? 'c' : 'a';
    const username = `${prefix}-${randomBytes(9).toString('base64url')}`;
    const password = randomBytes(18).toString('base64url');
    const credential: SipCredential = {
      username,
      realm: this.realm,
      ha1Md5: computeHa1('MD5', username, this.realm, password),
      ha1Sha256: computeHa1('SHA-256', username, this.realm, password),
      ...(owner.kind === 'agent' ? { agentId: String(owner.agentId) } : {}),
    };
    this.#ephemeral.set(username, { credential, owner, expiresAt: this.now() + ttlSeconds * 1000 });
    return { username, password };
  }

  /** The owner of a (still valid) ephemeral username. */
  ownerOf(username: string): EphemeralOwner | null {
    const e = this.#ephemeral.get(username);
    return e && e.expiresAt > this.now() ? e.owner : null;
  }

  revoke(username: string): void {
    this.#ephemeral.delete(username);
  }

  /** Revokes every softphone credential issued to the agent (disabled, deleted): their browser registers no more. */
  revokeAgent(agentId: number): void {
    for (const [u, e] of this.#ephemeral) if (e.owner.kind === 'agent' && e.owner.agentId === agentId) this.#ephemeral.delete(u);
  }

  async lookup(username: string): Promise<SipCredential | null> {
    const e = this.#ephemeral.get(username);
    if (e !== undefined) {
      if (e.expiresAt > this.now()) return { ...e.credential };
      this.#ephemeral.delete(username);
      return null;
    }
    const row = await findSipCredential(this.db, username);
    if (row === undefined) return null;
    return { username: row.username, realm: row.realm, ha1Md5: row.ha1_md5, ha1Sha256: row.ha1_sha256, agentId: String(row.user_id) };
  }

  #sweep(): void {
    const now = this.now();
    for (const [u, e] of this.#ephemeral) if (e.expiresAt <= now) this.#ephemeral.delete(u);
  }
}
