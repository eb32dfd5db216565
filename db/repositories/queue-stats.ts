import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

/** Report rows per hour or per day (in a time zone), or one row per queue for the whole period. */
export type Interval = 'hour' | 'day' | 'total';

/**
 * One queue's traffic over an interval, counted from the queue event log (each entry into the queue is offered
 * there: a transfer or an overflow into it counts again, in the queue it enters; an event counts in the interval it
 * happened in).
 */
export interface QueueTraffic {
  queueId: number;
  /** start of the interval (for 'total', the start of the period) */
  start: Date;
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
  /** agents' conversations that ended (COMPLETECALLER, COMPLETEAGENT, TRANSFER: one per agent of a call) */
  handled: number;
  /** their talk time, and the after-call work (WRAPUPEND) of the queue's calls, seconds: AHT = (talk + wrap-up) / handled */
  talkSeconds: number;
  wrapUpSeconds: number;
}

export interface TrafficQuery {
  from: Date;
  /** end of the period (exclusive); none: up to now */
  to?: Date;
  interval?: Interval;
  /** IANA time zone the hours and days are cut in (default UTC) */
  timeZone?: string;
  queueId?: number;
}

/**
 * Queue traffic in [from, to), a row per queue and interval that had events (ordered by interval, then queue).
 * One aggregate over `queue_events` (its `at` index), with each queue's threshold from `queues`.
 */
export async function queueTraffic(db: Kysely<Database>, q: TrafficQuery): Promise<QueueTraffic[]> {
  const interval = q.interval ?? 'total';
  const tz = q.timeZone ?? 'UTC';
  const waited = sql`(e.data->>'waited')::float8`;
  const num = (key: string) => sql`(e.data->>${key})::float8`;
  const count = (events: readonly string[], extra = sql`true`) =>
    sql<string>`count(*) filter (where e.event in (${sql.join(events)}) and ${extra})`;
  const total = (value: ReturnType<typeof sql>, events: readonly string[]) =>
    sql<string>`coalesce(sum(${value}) filter (where e.event in (${sql.join(events)})), 0)`;
  const ENDS = ['COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER'];
  const start = interval === 'total' ? sql<Date>`${q.from}::timestamptz` : sql<Date>`date_trunc(${interval}, e.at at time zone ${tz}) at time zone ${tz}`;
  let query = db
    .selectFrom('queue_events as e')
    .innerJoin('queues as q', 'q.id', 'e.queue_id')
    .where('e.at', '>=', q.from);
  if (q.to !== undefined) query = query.where('e.at', '<', q.to);
  if (q.queueId !== undefined) query = query.where('e.queue_id', '=', q.queueId);
  const rows = await query
    .select([
      'e.queue_id as queueId',
      start.as('start'),
      count(['ENTERQUEUE']).as('offered'),
      count(['CONNECT']).as('answered'),
      count(['CONNECT'], sql`${waited} <= q.sl_threshold_seconds`).as('answeredInThreshold'),
      total(waited, ['CONNECT']).as('waitSeconds'),
      count(['ABANDON']).as('abandoned'),
      count(['OVERFLOW', 'EXITWITHTIMEOUT']).as('overflowed'),
      count(['RINGNOANSWER']).as('missedOffers'),
      count(ENDS).as('handled'),
      total(num('talk'), ENDS).as('talkSeconds'),
      total(num('wrapUp'), ['WRAPUPEND']).as('wrapUpSeconds'),
    ])
    // (by position: the interval's expression has parameters, which a repeated expression would not match)
    .groupBy(sql`1, 2`)
    .orderBy(sql`2, 1`)
    .execute();
  const out: QueueTraffic[] = [];
  for (const r of rows) {
    if (r.queueId === null) continue;
    out.push({
      queueId: r.queueId,
      start: new Date(r.start),
      offered: Number(r.offered),
      answered: Number(r.answered),
      answeredInThreshold: Number(r.answeredInThreshold),
      waitSeconds: Number(r.waitSeconds),
      abandoned: Number(r.abandoned),
      overflowed: Number(r.overflowed),
      missedOffers: Number(r.missedOffers),
      handled: Number(r.handled),
      talkSeconds: Number(r.talkSeconds),
      wrapUpSeconds: Number(r.wrapUpSeconds),
    });
  }
  return out;
}
