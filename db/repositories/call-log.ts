import { type Kysely, type Transaction, sql } from 'kysely';
import type { CallRow, CallState, CallsTable, Database, NewCall, QueueEvent, QueueEventType } from '../schema.ts';
import type { Updateable } from 'kysely';
import type { Page, PageRequest } from './page.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Call records and the queue event log: written by the call layer as calls move, read by reports. */

export async function insertCall(db: Db, call: NewCall): Promise<void> {
  await db.insertInto('calls').values(call).execute();
}

export async function updateCall(db: Db, id: string, patch: Updateable<CallsTable>): Promise<void> {
  await db.updateTable('calls').set(patch).where('id', '=', id).execute();
}

/** Adds after-call work (seconds) to a call's wrap_up_seconds. */
export async function addCallWrapUp(db: Db, id: string, seconds: number): Promise<void> {
  await db
    .updateTable('calls')
    .set((eb) => ({ wrap_up_seconds: sql<number>`coalesce(${eb.ref('wrap_up_seconds')}, 0) + ${seconds}` }))
    .where('id', '=', id)
    .execute();
}

/** Keeps the caller's rating of a call (1–5) unless it has one: false when it had. */
export async function setSurveyScore(db: Db, id: string, score: number): Promise<boolean> {
  const r = await db.updateTable('calls').set({ survey_score: score }).where('id', '=', id).where('survey_score', 'is', null).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function getCall(db: Db, id: string): Promise<CallRow | undefined> {
  return db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listCalls(
  db: Db,
  page: PageRequest,
  filter: { state?: CallState; queueId?: number; agentId?: number; disposition?: string } = {},
): Promise<Page<CallRow>> {
  let q = db.selectFrom('calls');
  if (filter.state !== undefined) q = q.where('state', '=', filter.state);
  if (filter.queueId !== undefined) q = q.where('queue_id', '=', filter.queueId);
  if (filter.agentId !== undefined) {
    // (any agent who talked on the call: a transferred call is found under each of its agents, not the last only)
    const agentId = filter.agentId;
    q = q.where((eb) => eb.or([
      eb('agent_id', '=', agentId),
      eb('id', 'in', eb.selectFrom('queue_events').select('call_id').where('event', '=', 'CONNECT').where('agent_id', '=', agentId)),
    ]));
  }
  if (filter.disposition !== undefined) q = q.where('disposition', '=', filter.disposition);
  const [items, count] = await Promise.all([
    q.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    q.select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n), ...page };
}

export interface QueueEventInput {
  event: QueueEventType;
  callId?: string | null;
  queueId?: number | null;
  agentId?: number | null;
  data?: Record<string, unknown>;
  at?: Date;
}

export async function appendQueueEvents(db: Db, events: readonly QueueEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('queue_events')
    .values(
      events.map((e) => ({
        event: e.event,
        call_id: e.callId ?? null,
        queue_id: e.queueId ?? null,
        agent_id: e.agentId ?? null,
        data: JSON.stringify(e.data ?? {}),
        ...(e.at ? { at: e.at } : {}),
      })),
    )
    .execute();
}

export async function listQueueEvents(
  db: Db,
  filter: { callId?: string; queueId?: number; since?: Date; limit?: number } = {},
): Promise<QueueEvent[]> {
  let q = db.selectFrom('queue_events').selectAll();
  if (filter.callId !== undefined) q = q.where('call_id', '=', filter.callId);
  if (filter.queueId !== undefined) q = q.where('queue_id', '=', filter.queueId);
  if (filter.since !== undefined) q = q.where('at', '>=', filter.since);
  return q.orderBy('id').limit(filter.limit ?? 1000).execute();
}
