import type { Kysely } from 'kysely';
import { listBlockedCallers } from '../../db/repositories/blocked-callers.ts';
import type { Database } from '../../db/schema.ts';

/**
 * The customers whose calls are refused (blocked_callers), by customer key (`tel:<number>`, `id:<web customer id>`,
 * as calls.customer_key), kept in memory: every incoming call asks, so no database read is on a call's way in.
 * Reloaded when a block is added or removed.
 */
export class Blocklist {
  /** expiry (ms since the epoch) by customer key; null: until unblocked */
  #until = new Map<string, number | null>();

  constructor(private readonly db: Kysely<Database>) {}

  async reload(): Promise<void> {
    const all = await listBlockedCallers(this.db);
    this.#until = new Map(all.map((b) => [b.customerKey, b.expiresAt === null ? null : b.expiresAt.getTime()]));
  }

  /** The customer is blocked now (an expired block blocks nothing). */
  blocks(customerKey: string | null, now = Date.now()): boolean {
    if (customerKey === null) return false;
    const until = this.#until.get(customerKey);
    return until !== undefined && (until === null || until > now);
  }
}
