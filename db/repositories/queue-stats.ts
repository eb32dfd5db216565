import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

/** Report rows per hour or per day (in a time zone), or one row per queue for the whole period. */
export type Interval = 'hour' | 'day' | 'total';

/** Ratings callers gave (SURVEY, post-call survey 1–5): how many, their sum, and how many were 4 or 5 (satisfied). */
export interface SurveyCounts {
  surveys: number;
  surveyScoreSum: number;
  surveysSatisfied: number;
}

/**
 * One queue's traffic over an interval, counted from the queue event log (each entry into the queue is offered
 * there: a transfer or an overflow into it counts again, in the queue it enters; an event counts in the interval it
 * happened in).
 */
export interface QueueTraffic extends SurveyCounts {
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
  /** CALLBACKREQUESTED: callers who asked to be called back (not abandons) */
  callbacksRequested: number;
  /** CALLBACKFAILED: callbacks given up (the customer never answered) */
  callbacksFailed: number;
  /** VOICEMAIL: messages callers left (the queue overflowed to voicemail, or an IVR menu led there) */
  voicemailsLeft: number;
  /** agents' conversations that ended (COMPLETECALLER, COMPLETEAGENT, TRANSFER: one per agent of a call) */
  handled: number;
  /** their talk time, and the after-call work (WRAPUPEND) of the queue's calls, seconds: AHT = (talk + wrap-up) / handled */
  talkSeconds: number;
  wrapUpSeconds: number;
}

export interface Period {
  from: Date;
  /** end of the period (exclusive); none: up to now */
  to?: Date;
  interval?: Interval;
  /** IANA time zone the hours and days are cut in (default UTC) */
  timeZone?: string;
}

export interface TrafficQuery extends Period {
  queueId?: number;
}

/** The states an agent's time is counted in (AGENTSTATE events), and the name of each one's total. */
const STATE_TOTALS = {
  ready: 'readySeconds',
  reserved: 'ringingSeconds',
  busy: 'busySeconds',
  'wrap-up': 'wrapUpStateSeconds',
  'not-ready': 'notReadySeconds',
} as const;

/** An agent's activity over an interval, from the queue event log (an event counts in the interval it happened in). */
export interface AgentActivity extends SurveyCounts {
  agentId: number;
  start: Date;
  /** conversations that ended (COMPLETECALLER, COMPLETEAGENT, TRANSFER), their talk, and the after-call work (WRAPUPEND) */
  handled: number;
  talkSeconds: number;
  wrapUpSeconds: number;
  /** offers the agent missed or declined (RINGNOANSWER) */
  missedOffers: number;
  /** time in each state, counted when the agent left it (AGENTSTATE) */
  readySeconds: number;
  ringingSeconds: number;
  busySeconds: number;
  wrapUpStateSeconds: number;
  notReadySeconds: number;
}

export interface ActivityQuery extends Period {
  agentId?: number;
}

const ENDS = ['COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER'];
const count = (events: readonly string[], extra = sql`true`) => sql<string>`count(*) filter (where e.event in (${sql.join(events)}) and ${extra})`;
const num = (key: string) => sql`(e.data->>${key})::float8`;
const total = (value: ReturnType<typeof sql>, events: readonly string[], extra = sql`true`) =>
  sql<string>`coalesce(sum(${value}) filter (where e.event in (${sql.join(events)}) and ${extra}), 0)`;

/** The SurveyCounts columns of a query over `queue_events as e`. */
const surveyColumns = () => [
  count(['SURVEY']).as('surveys'),
  total(num('score'), ['SURVEY']).as('surveyScoreSum'),
  count(['SURVEY'], sql`${num('score')} >= 4`).as('surveysSatisfied'),
];

/** The start of the interval of a row's time `at` (for 'total', the period's start). */
function intervalStart(p: Period, at = sql.ref('e.at')) {
  const tz = p.timeZone ?? 'UTC';
  const interval = p.interval ?? 'total';
  return interval === 'total' ? sql<Date>`${p.from}::timestamptz` : sql<Date>`date_trunc(${interval}, ${at} at time zone ${tz}) at time zone ${tz}`;
}

/** Every column of a row as a number, but its id and start. */
function numbers<T extends { start: Date }>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = k === 'start' ? new Date(v as string | Date) : Number(v);
  return out as T;
}

/**
 * Queue traffic in [from, to), a row per queue and interval that had events (ordered by interval, then queue).
 * One aggregate over `queue_events` (its `at` index), with each queue's threshold from `queues`.
 */
export async function queueTraffic(db: Kysely<Database>, q: TrafficQuery): Promise<QueueTraffic[]> {
  const waited = num('waited');
  let query = db
    .selectFrom('queue_events as e')
    .innerJoin('queues as q', 'q.id', 'e.queue_id')
    .where('e.at', '>=', q.from);
  if (q.to !== undefined) query = query.where('e.at', '<', q.to);
  if (q.queueId !== undefined) query = query.where('e.queue_id', '=', q.queueId);
  const rows = await query
    .select([
      'e.queue_id as queueId',
      intervalStart(q).as('start'),
      count(['ENTERQUEUE']).as('offered'),
      count(['CONNECT']).as('answered'),
      count(['CONNECT'], sql`${waited} <= q.sl_threshold_seconds`).as('answeredInThreshold'),
      total(waited, ['CONNECT']).as('waitSeconds'),
      count(['ABANDON']).as('abandoned'),
      count(['OVERFLOW', 'EXITWITHTIMEOUT']).as('overflowed'),
      count(['RINGNOANSWER']).as('missedOffers'),
      count(['CALLBACKREQUESTED']).as('callbacksRequested'),
      count(['CALLBACKFAILED']).as('callbacksFailed'),
      count(['VOICEMAIL']).as('voicemailsLeft'),
      count(ENDS).as('handled'),
      total(num('talk'), ENDS).as('talkSeconds'),
      total(num('wrapUp'), ['WRAPUPEND']).as('wrapUpSeconds'),
      ...surveyColumns(),
    ])
    // (by position: the interval's expression has parameters, which a repeated expression would not match)
    .groupBy(sql`1, 2`)
    .orderBy(sql`2, 1`)
    .execute();
  return rows.filter((r) => r.queueId !== null).map((r) => numbers<QueueTraffic>(r));
}

/** The agents' queue events of [from, to) (of one agent, with agentId): what the agent reports read. */
function agentEvents(db: Kysely<Database>, q: ActivityQuery) {
  let query = db.selectFrom('queue_events as e').where('e.agent_id', 'is not', null).where('e.at', '>=', q.from);
  if (q.to !== undefined) query = query.where('e.at', '<', q.to);
  if (q.agentId !== undefined) query = query.where('e.agent_id', '=', q.agentId);
  return query;
}

/** Agents' activity in [from, to), a row per agent and interval that had events (ordered by interval, then agent). */
export async function agentActivity(db: Kysely<Database>, q: ActivityQuery): Promise<AgentActivity[]> {
  const rows = await agentEvents(db, q)
    .select([
      'e.agent_id as agentId',
      intervalStart(q).as('start'),
      count(ENDS).as('handled'),
      total(num('talk'), ENDS).as('talkSeconds'),
      total(num('wrapUp'), ['WRAPUPEND']).as('wrapUpSeconds'),
      count(['RINGNOANSWER']).as('missedOffers'),
      ...Object.entries(STATE_TOTALS).map(([state, as]) => total(num('seconds'), ['AGENTSTATE'], sql`e.data->>'from' = ${state}`).as(as)),
      ...surveyColumns(),
    ])
    .groupBy(sql`1, 2`)
    .orderBy(sql`2, 1`)
    .execute();
  return rows.map((r) => numbers<AgentActivity>(r));
}

/** An agent's time not ready for one reason, in an interval (counted when they left it, as AGENTSTATE says). */
export interface NotReadyTime {
  agentId: number;
  start: Date;
  reason: string;
  /** how many times they went not ready for it */
  times: number;
  seconds: number;
}

/**
 * The agents' not-ready time of [from, to) by reason, a row per agent, interval and reason (ordered by interval, agent,
 * then the most time first). A stretch counts in the interval the agent left it.
 */
export async function notReadyTimes(db: Kysely<Database>, q: ActivityQuery): Promise<NotReadyTime[]> {
  const rows = await agentEvents(db, q)
    .where('e.event', '=', 'AGENTSTATE')
    .where(sql<string>`e.data->>'from'`, '=', 'not-ready')
    .select([
      'e.agent_id as agentId',
      intervalStart(q).as('start'),
      sql<string>`coalesce(e.data->>'reason', '')`.as('reason'),
      sql<string>`count(*)`.as('times'),
      sql<string>`coalesce(sum((e.data->>'seconds')::float8), 0)`.as('seconds'),
    ])
    .groupBy(sql`1, 2, 3`)
    .orderBy(sql`2, 1, 5 desc, 3`)
    .execute();
  return rows.map((r) => ({ agentId: r.agentId!, start: new Date(r.start as unknown as string), reason: r.reason, times: Number(r.times), seconds: Math.round(Number(r.seconds)) }));
}

/** Calls a queue's agents filed under a disposition, in an interval (by when the call came). */
export interface DispositionCount {
  queueId: number;
  start: Date;
  disposition: string;
  calls: number;
}

/**
 * The calls of [from, to) by queue and disposition (the one filed last: an agent may change it), a row per queue,
 * interval and disposition (ordered by interval, queue, then the most calls first); calls filed under none are left out.
 */
export async function dispositionCounts(db: Kysely<Database>, q: TrafficQuery): Promise<DispositionCount[]> {
  let query = db.selectFrom('calls as c').where('c.created_at', '>=', q.from).where('c.disposition', 'is not', null).where('c.queue_id', 'is not', null);
  if (q.to !== undefined) query = query.where('c.created_at', '<', q.to);
  if (q.queueId !== undefined) query = query.where('c.queue_id', '=', q.queueId);
  const rows = await query
    .select(['c.queue_id as queueId', intervalStart(q, sql.ref('c.created_at')).as('start'), 'c.disposition as disposition', sql<string>`count(*)`.as('calls')])
    .groupBy(sql`1, 2, 3`)
    .orderBy(sql`2, 1, 4 desc, 3`)
    .execute();
  return rows.map((r) => ({ queueId: r.queueId!, start: new Date(r.start as unknown as string), disposition: r.disposition!, calls: Number(r.calls) }));
}
