import { EventEmitter } from 'node:events';
import type { Role } from '../../db/schema.ts';
import type { TokenClaims } from './tokens.ts';

/** What decides whether a user's session token still stands (db/repositories/users.ts sessionState). */
export interface SessionState {
  version: number;
  disabled: boolean;
  role: Role;
}

/** How long a user's state is trusted without reading it again: another node's change takes effect within it. */
export const SESSION_CHECK_MS = 5000;

/**
 * Whether a signed, unexpired session token still stands: its user exists, is enabled, has the token's role, and has
 * not had their sessions ended since it was issued (a new password, another role, disabled: the user's
 * session_version went up; a token carries the version it was issued under, none counting as 0). The state is read
 * from the database at most every SESSION_CHECK_MS per user; a change made through this node takes effect at once
 * (ended()), and its open sockets of the user are closed ('ended' event).
 */
export class Sessions extends EventEmitter<{ ended: [userId: number] }> {
  readonly #cache = new Map<number, { state: SessionState | undefined; readAt: number }>();
  /** counts ended(): a read that was under way meanwhile is not cached (it may predate the change) */
  #epoch = 0;

  constructor(
    private readonly read: (userId: number) => Promise<SessionState | undefined>,
    private readonly checkMs = SESSION_CHECK_MS,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async valid(claims: TokenClaims): Promise<boolean> {
    const state = await this.#state(claims.sub);
    return state !== undefined && !state.disabled && state.role === claims.role && state.version === (claims.ver ?? 0);
  }

  /** The user's sessions were ended, or their account changed or is gone: read it again, close their sockets. */
  ended(userId: number): void {
    this.#epoch++;
    this.#cache.delete(userId);
    this.emit('ended', userId);
  }

  async #state(userId: number): Promise<SessionState | undefined> {
    const hit = this.#cache.get(userId);
    const now = this.now();
    if (hit !== undefined && now - hit.readAt < this.checkMs) return hit.state;
    const epoch = this.#epoch;
    const state = await this.read(userId);
    if (epoch !== this.#epoch) return state;
    if (this.#cache.size >= 10_000) this.#cache.clear(); // (a bound: every user's state is one read away)
    this.#cache.set(userId, { state, readAt: now });
    return state;
  }
}
