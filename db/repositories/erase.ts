import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../schema.ts';

/** What erasing a customer removed or blanked, by kind. */
export interface Erased {
  calls: number;
  notes: number;
  recordings: number;
  voicemails: number;
  callbacks: number;
}

/**
 * Erases what is kept about a customer (`customerKey`, as calls.customer_key): their calls' recordings, voicemails,
 * agents' notes and callbacks are deleted; their call records keep only what the statistics need (queue, agent,
 * times, outcome, disposition, rating), with the caller, customer id, page, IVR path and SIP Call-ID blanked; the links
 * agents sent them are blanked in the queue log; the webhook's undelivered events of their calls are dropped from the
 * outbox. In one transaction.
 */
export async function eraseCustomer(db: Kysely<Database>, customerKey: string): Promise<Erased> {
  return db.transaction().execute(async (tx) => {
    const ids = (await tx.selectFrom('calls').select('id').where('customer_key', '=', customerKey).execute()).map((r) => r.id);
    return eraseCalls(tx, ids);
  });
}

/**
 * Erases who the customers were of the calls that ended before `cutoff` (CALL_DATA_RETENTION_DAYS), as eraseCustomer
 * does, up to `batch` calls at a time: the number of calls erased.
 */
export async function eraseCallsBefore(db: Kysely<Database>, cutoff: Date, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      const ids = (await tx.selectFrom('calls').select('id').where('created_at', '<', cutoff).where('state', '=', 'ended').where('caller', '<>', ERASED).limit(batch).execute()).map((r) => r.id);
      return (await eraseCalls(tx, ids)).calls;
    });
    total += n;
    if (n < batch) return total;
  }
}

/** What an erased call's caller reads. */
const ERASED = 'erased';

/** Erases the calls' customer data (see eraseCustomer), in the caller's transaction. */
async function eraseCalls(tx: Transaction<Database>, ids: string[]): Promise<Erased> {
  if (ids.length === 0) return { calls: 0, notes: 0, recordings: 0, voicemails: 0, callbacks: 0 };
  const n = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  const notes = n(await tx.deleteFrom('call_notes').where('call_id', 'in', ids).executeTakeFirstOrThrow());
  const recordings = n(await tx.deleteFrom('call_recordings').where('call_id', 'in', ids).executeTakeFirstOrThrow());
  const voicemails = n(await tx.deleteFrom('voicemails').where('call_id', 'in', ids).executeTakeFirstOrThrow());
  const callbacks = n(await tx.deleteFrom('callbacks').where('call_id', 'in', ids).executeTakeFirstOrThrow());
  await tx.updateTable('queue_events').set({ data: JSON.stringify({ erased: true }) }).where('call_id', 'in', ids).where('event', '=', 'LINK').execute();
  // (the webhook's undelivered events of these calls, which name the caller, are not sent after a restart)
  await tx.deleteFrom('webhook_outbox').where(sql<string>`event->>'callId'`, 'in', ids).execute();
  await tx
    .updateTable('calls')
    .set({ caller: ERASED, customer_id: null, customer_key: null, sip_call_id: null, context: '{}' })
    .where('id', 'in', ids)
    .execute();
  return { calls: ids.length, notes, recordings, voicemails, callbacks };
}

/** The customer's callbacks still to be made (waiting, scheduled or being dialled). */
export async function openCallbacksOf(db: Kysely<Database>, customerKey: string): Promise<string[]> {
  const rows = await db
    .selectFrom('callbacks as b')
    .innerJoin('calls as c', 'c.id', 'b.call_id')
    .select('b.call_id')
    .where('c.customer_key', '=', customerKey)
    .where('b.state', 'in', ['waiting', 'scheduled', 'dialing'])
    .execute();
  return rows.map((r) => r.call_id!);
}
