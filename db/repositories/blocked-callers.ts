import type { Kysely, Transaction } from 'kysely';
import { DuplicateError, isUniqueViolation } from '../errors.ts';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A blocked customer, as listed (blockedBy: the login of who blocked them, null when that user is gone). */
export interface BlockedCaller {
  id: number;
  customerKey: string;
  reason: string;
  blockedBy: string | null;
  createdAt: Date;
  /** null: until unblocked */
  expiresAt: Date | null;
}

export async function blockCaller(db: Db, b: { customerKey: string; reason: string; blockedBy: number | null; expiresAt: Date | null }): Promise<number> {
  // (an expired block of the same customer makes way)
  await db.deleteFrom('blocked_callers').where('customer_key', '=', b.customerKey).where('expires_at', '<=', new Date()).execute();
  try {
    const row = await db
      .insertInto('blocked_callers')
      .values({ customer_key: b.customerKey, reason: b.reason, blocked_by: b.blockedBy, expires_at: b.expiresAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError('blocked caller', 'customer', b.customerKey);
    throw err;
  }
}

/** Every block, newest first (expired ones too, until deleted: `now` tells them apart). */
export async function listBlockedCallers(db: Db): Promise<BlockedCaller[]> {
  const rows = await db
    .selectFrom('blocked_callers as b')
    .leftJoin('users as u', 'u.id', 'b.blocked_by')
    .select(['b.id', 'b.customer_key', 'b.reason', 'u.login', 'b.created_at', 'b.expires_at'])
    .orderBy('b.created_at', 'desc')
    .orderBy('b.id', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, customerKey: r.customer_key, reason: r.reason, blockedBy: r.login, createdAt: r.created_at, expiresAt: r.expires_at }));
}

export async function unblockCaller(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('blocked_callers').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
