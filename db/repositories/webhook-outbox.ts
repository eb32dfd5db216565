import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** The webhook's outbox (server/calls/webhooks.ts): what one server queued and has not delivered yet. */
export async function addToOutbox(db: Kysely<Database>, node: string, events: Array<{ id: string } & Record<string, unknown>>): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('webhook_outbox')
    .values(events.map((e) => ({ node, event_id: e.id, event: JSON.stringify(e) })))
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}

export async function removeFromOutbox(db: Kysely<Database>, eventIds: readonly string[]): Promise<void> {
  for (let i = 0; i < eventIds.length; i += 1000) {
    await db.deleteFrom('webhook_outbox').where('event_id', 'in', eventIds.slice(i, i + 1000)).execute();
  }
}

export async function clearOutbox(db: Kysely<Database>, node: string): Promise<void> {
  await db.deleteFrom('webhook_outbox').where('node', '=', node).execute();
}

/** The server's undelivered events in the order they were queued: the newest `limit` (older ones beyond it are deleted). */
export async function readOutbox(db: Kysely<Database>, node: string, limit: number): Promise<Array<Record<string, unknown>>> {
  const rows = await db.selectFrom('webhook_outbox').select(['seq', 'event']).where('node', '=', node).orderBy('seq', 'desc').limit(limit + 1).execute();
  if (rows.length > limit) {
    await db.deleteFrom('webhook_outbox').where('node', '=', node).where('seq', '<=', rows[limit]!.seq).execute();
    rows.length = limit;
  }
  return rows.reverse().map((r) => (typeof r.event === 'string' ? (JSON.parse(r.event) as Record<string, unknown>) : r.event));
}
