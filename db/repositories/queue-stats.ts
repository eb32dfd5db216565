import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * One queue's traffic over a period, counted from the queue event log (each entry into the queue is offered
 * there: a transfer or an overflow into it counts again, in the queue it enters).
 */
export interface QueueTraffic {
  queueId: number;
  /** ENTERQUEUE */
  offered: number;
  /** CONNECT: an agent answered */
  answered: number;
  /** answered after waiting at most the queue's service-level threshold */
  answeredInThreshold: number;
  /** total wait of the answered calls, seconds (ASA = waitSeconds / answered) */
  waitSeconds: number;
  /** ABANDON: the caller hung up while waiting */
  abandoned: number;
  /** OVERFLOW and EXITWITHTIMEOUT: sent to another queue or to its overflow action */
  overflowed: number;
  /** RINGNOANSWER: offers an agent missed or declined */
  missedOffers: number;
}

/**
 * Every queue's traffic since `since`, by queue id (queues without events are absent). One aggregate over
 * `queue_events` from `since` on (its `at` index), with each queue's threshold from `queues`.
 */
export async function queueTrafficSince(db: Kysely<Database>, since: Date): Promise<Map<number, QueueTraffic>> {
  const waited = sql`(e.data->>'waited')::float8`;
  const count = (event: string, extra = sql`true`) => sql<string>`count(*) filter (where e.event = ${event} and ${extra})`;
  const rows = await db
    .selectFrom('queue_events as e')
    .innerJoin('queues as q', 'q.id', 'e.queue_id')
    .where('e.at', '>=', since)
    .groupBy('e.queue_id')
    .select([
      'e.queue_id as queueId',
      count('ENTERQUEUE').as('offered'),
      count('CONNECT').as('answered'),
      count('CONNECT', sql`${waited} <= q.sl_threshold_seconds`).as('answeredInThreshold'),
      sql<string>`coalesce(sum(${waited}) filter (where e.event = 'CONNECT'), 0)`.as('waitSeconds'),
      count('ABANDON').as('abandoned'),
      sql<string>`count(*) filter (where e.event in ('OVERFLOW', 'EXITWITHTIMEOUT'))`.as('overflowed'),
      count('RINGNOANSWER').as('missedOffers'),
    ])
    .execute();
  const out = new Map<number, QueueTraffic>();
  for (const r of rows) {
    if (r.queueId === null) continue;
    out.set(r.queueId, {
      queueId: r.queueId,
      offered: Number(r.offered),
      answered: Number(r.answered),
      answeredInThreshold: Number(r.answeredInThreshold),
      waitSeconds: Number(r.waitSeconds),
      abandoned: Number(r.abandoned),
      overflowed: Number(r.overflowed),
      missedOffers: Number(r.missedOffers),
    });
  }
  return out;
}
