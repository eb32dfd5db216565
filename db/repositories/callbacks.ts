import { type Kysely, type Transaction, sql } from 'kysely';
import type { CallbackRow, CallbackState, Database } from '../schema.ts';
import type { Page, PageRequest } from './page.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface CallbackInput {
  queueId: number;
  target: string;
  callId?: string | null;
  customerId?: string | null;
  language?: string | null;
  context?: Record<string, unknown>;
  /** When the customer joined the line; the callback keeps this place. */
  requestedAt: Date;
  scheduledFor?: Date | null;
}

export async function createCallback(db: Db, input: CallbackInput): Promise<CallbackRow> {
  return db
    .insertInto('callbacks')
    .values({
      queue_id: input.queueId,
      target: input.target,
      call_id: input.callId ?? null,
      customer_id: input.customerId ?? null,
      language: input.language ?? null,
      context: JSON.stringify(input.context ?? {}),
      requested_at: input.requestedAt,
      scheduled_for: input.scheduledFor ?? null,
      state: input.scheduledFor ? 'scheduled' : 'waiting',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setCallbackState(db: Db, id: number, state: CallbackState, attempted = false): Promise<void> {
  await db
    .updateTable('callbacks')
    .set((e) => ({
      state,
      updated_at: new Date(),
      ...(attempted ? { attempts: e('attempts', '+', 1) } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

/** Callbacks still to be served (waiting, scheduled, or being dialled when the server stopped), oldest place in line first: reloaded into the ACD at start. */
export async function listOpenCallbacks(db: Db): Promise<CallbackRow[]> {
  return db
    .selectFrom('callbacks')
    .selectAll()
    .where('state', 'in', ['waiting', 'scheduled', 'dialing'])
    .orderBy('requested_at')
    .orderBy('id')
    .execute();
}

/** The open callback of a call (waiting, scheduled or being dialled): its state, attempts made, and next time in line. */
export async function updateCallbackOfCall(
  db: Db,
  callId: string,
  patch: { state: CallbackState; attempts?: number; scheduledFor?: Date | null; requestedAt?: Date; owner?: string | null },
): Promise<void> {
  await db
    .updateTable('callbacks')
    .set({
      state: patch.state,
      updated_at: new Date(),
      ...(patch.attempts !== undefined ? { attempts: patch.attempts } : {}),
      ...(patch.scheduledFor !== undefined ? { scheduled_for: patch.scheduledFor } : {}),
      ...(patch.requestedAt !== undefined ? { requested_at: patch.requestedAt } : {}),
      // (a personal callback's agent: context.owner, their user id as a string; null: anyone's)
      ...(patch.owner === undefined ? {} : { context: patch.owner === null ? sql`context - 'owner'` : sql`jsonb_set(context, '{owner}', to_jsonb(${patch.owner}::text))` }),
    })
    .where('call_id', '=', callId)
    .where('state', 'in', ['waiting', 'scheduled', 'dialing'])
    .execute();
}

/**
 * Callbacks in these states (of one queue; arranged by one agent), the next due first; with their queue's name and,
 * for a personal callback, its agent's id and name.
 */
export async function listCallbacks(
  db: Db,
  page: PageRequest,
  filter: { states: readonly CallbackState[]; queueId?: number; ownerId?: number },
): Promise<Page<CallbackRow & { queue_name: string; owner_id: number | null; owner_name: string | null }>> {
  let q = db.selectFrom('callbacks as c').innerJoin('queues as q', 'q.id', 'c.queue_id').where('c.state', 'in', [...filter.states]);
  if (filter.queueId !== undefined) q = q.where('c.queue_id', '=', filter.queueId);
  // (a personal callback's agent is context.owner, their user id as a string)
  if (filter.ownerId !== undefined) q = q.where(sql<string>`c.context->>'owner'`, '=', String(filter.ownerId));
  const [items, count] = await Promise.all([
    q
      .leftJoin('users as u', (j) => j.on(sql<boolean>`u.id::text = c.context->>'owner'`))
      .selectAll('c')
      .select(['q.name as queue_name', 'u.id as owner_id', 'u.name as owner_name'])
      .orderBy((e) => e.fn.coalesce('c.scheduled_for', 'c.requested_at'))
      .orderBy('c.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    q.select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n), ...page };
}
