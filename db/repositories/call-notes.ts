import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A note an agent wrote on a call. */
export interface CallNote {
  callId: string;
  agentId: number;
  /** the agent's name (their login when they have none) */
  agent: string;
  text: string;
  at: Date;
}

/** One of a customer's earlier calls, as an agent sees it. */
export interface EarlierCall {
  id: string;
  at: Date;
  queue: string | null;
  /** the agent who had it last */
  agent: string | null;
  disposition: string | null;
  endReason: string | null;
  talkSeconds: number | null;
  surveyScore: number | null;
}

/**
 * The agent who had the customer's latest call since `since` (the last who talked with them), other than `callId`;
 * null when none did.
 */
export async function lastAgentOf(db: Db, customerKey: string, callId: string, since: Date): Promise<number | null> {
  const row = await db
    .selectFrom('calls')
    .select('agent_id')
    .where('customer_key', '=', customerKey)
    .where('id', '<>', callId)
    .where('created_at', '>=', since)
    .where('agent_id', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.agent_id ?? null;
}

/** Keeps the agent's note on a call (replacing their earlier one); an empty text deletes it. */
export async function saveCallNote(db: Db, callId: string, agentId: number, text: string): Promise<void> {
  if (text === '') {
    await db.deleteFrom('call_notes').where('call_id', '=', callId).where('agent_id', '=', agentId).execute();
    return;
  }
  await db
    .insertInto('call_notes')
    .values({ call_id: callId, agent_id: agentId, text })
    .onConflict((oc) => oc.columns(['call_id', 'agent_id']).doUpdateSet({ text, at: new Date() }))
    .execute();
}

/** The notes on these calls, oldest first. */
export async function notesOfCalls(db: Db, callIds: readonly string[]): Promise<CallNote[]> {
  if (callIds.length === 0) return [];
  const rows = await db
    .selectFrom('call_notes as n')
    .innerJoin('users as u', 'u.id', 'n.agent_id')
    .select(['n.call_id', 'n.agent_id', 'u.name', 'u.login', 'n.text', 'n.at'])
    .where('n.call_id', 'in', callIds)
    .orderBy('n.at')
    .orderBy('n.agent_id')
    .execute();
  return rows.map((r) => ({ callId: r.call_id, agentId: r.agent_id, agent: r.name || r.login, text: r.text, at: r.at }));
}

/** The customer's calls before `beforeCallId` (newest first, at most `limit`), by the calls' customer_key. */
export async function earlierCalls(db: Db, customerKey: string, beforeCallId: string, limit: number): Promise<EarlierCall[]> {
  const rows = await db
    .selectFrom('calls as c')
    .leftJoin('queues as q', 'q.id', 'c.queue_id')
    .leftJoin('users as u', 'u.id', 'c.agent_id')
    .select(['c.id', 'c.created_at', 'q.name as queue', 'u.name as agentName', 'u.login as agentLogin', 'c.disposition', 'c.end_reason', 'c.talk_seconds', 'c.survey_score'])
    .where('c.customer_key', '=', customerKey)
    .where('c.id', '<>', beforeCallId)
    .orderBy('c.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.created_at,
    queue: r.queue,
    agent: r.agentName || r.agentLogin || null,
    disposition: r.disposition,
    endReason: r.end_reason,
    talkSeconds: r.talk_seconds === null ? null : Number(r.talk_seconds),
    surveyScore: r.survey_score,
  }));
}
