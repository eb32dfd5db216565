import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type Interval, queueTraffic } from '../../db/repositories/queue-stats.ts';
import { listAllQueues } from '../../db/repositories/queues.ts';
import type { AppContext } from '../app-context.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { startOfDay, trafficFigures } from '../calls/wall-board.ts';
import { ApiError } from '../http/errors.ts';
import { errors } from '../http/schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });
const States = Type.Object({
  'logged-out': Count,
  'not-ready': Count,
  ready: Count,
  reserved: Count,
  busy: Count,
  'wrap-up': Count,
});
const traffic = {
  offered: Count,
  answered: Count,
  answeredInThreshold: Count,
  abandoned: Count,
  overflowed: Count,
  missedOffers: Count,
  serviceLevelPercent: Nullable(Type.Number({ description: 'answered within the threshold ÷ answered, %' })),
  serviceLevelOfferedPercent: Nullable(Type.Number({ description: 'answered within the threshold ÷ (answered + abandoned), %' })),
  asaSeconds: Nullable(Type.Number({ description: 'mean wait of the answered calls' })),
  abandonPercent: Nullable(Type.Number({ description: 'abandoned ÷ (answered + abandoned), %' })),
  handled: Count,
  ahtSeconds: Nullable(Type.Number({ description: 'mean handle time: (talk + after-call work) ÷ conversations handled' })),
};
const WallBoardView = Type.Object({
  type: Type.Literal('wallboard'),
  at: Type.String({ format: 'date-time' }),
  since: Type.String({ format: 'date-time' }),
  totals: Type.Object({ ...traffic, waiting: Count, longestWaitSeconds: Nullable(Count), agents: States }),
  queues: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      thresholdSeconds: Type.Integer(),
      target: Type.Number(),
      waiting: Count,
      longestWaitSeconds: Nullable(Count),
      ...traffic,
      agents: States,
    }),
  ),
  agents: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      state: Type.String(),
      reason: Type.String(),
      since: Nullable(Type.String({ format: 'date-time' })),
      deviceUp: Type.Boolean(),
      callId: Nullable(Type.String()),
      callQueueId: Nullable(Type.Integer()),
    }),
  ),
});

const ReportRow = Type.Object({ queueId: Type.Integer(), queue: Type.String(), start: Type.String({ format: 'date-time' }), ...traffic });
const Report = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  interval: Type.String(),
  timeZone: Type.String(),
  rows: Type.Array(ReportRow),
});

/** The longest period a report covers, by interval (rows = queues × intervals). */
const MAX_DAYS: Record<Interval, number> = { hour: 31, day: 366, total: 366 };
const DAY_MS = 86_400_000;

/** The CSV columns of a report row, in order. */
const CSV_COLUMNS = [
  'queue', 'start', 'offered', 'answered', 'answeredInThreshold', 'serviceLevelPercent', 'serviceLevelOfferedPercent', 'asaSeconds',
  'abandoned', 'abandonPercent', 'overflowed', 'missedOffers', 'handled', 'ahtSeconds',
] as const;

/** One CSV field (RFC 4180 quoting; a text that a spreadsheet would run as a formula is prefixed with '). */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function dateParam(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new ApiError('ERR_VALIDATION', `${field} must be a date-time`, `querystring.${field}`);
  return d;
}

/** The supervisors' live view (the same view is pushed on /ws/supervisor) and the queues' history. */
export const supervisionRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { ctx, center }) => {
  app.get('/api/wallboard', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags: ['supervision'],
      security: [{ bearer: [] }],
      summary: 'The wall-board now: per queue the calls waiting, the longest wait, agents by state, and the service level, ASA and abandons since `since` (default: local midnight)',
      querystring: Type.Object({ since: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
      response: { 200: WallBoardView, ...errors() },
    },
  }, async (request) => {
    const from = dateParam(request.query.since, 'since');
    if (from !== undefined && from.getTime() > Date.now()) throw new ApiError('ERR_VALIDATION', 'since must not be in the future', 'querystring.since');
    return center.board.view(from);
  });

  app.get('/api/reports/queues', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags: ['supervision'],
      security: [{ bearer: [] }],
      summary: 'Queue history: offered, answered, service level, ASA, abandons, overflows, missed offers and AHT per queue and hour or day (or the whole period), as JSON or CSV (format=csv)',
      querystring: Type.Object(
        {
          from: Type.Optional(Type.String({ format: 'date-time', description: 'default: local midnight' })),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive; default: now' })),
          interval: Type.Union([Type.Literal('hour'), Type.Literal('day'), Type.Literal('total')], { default: 'hour' }),
          timeZone: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone the hours and days are cut in; default: the server's" })),
          queueId: Type.Optional(Type.Integer({ minimum: 1 })),
          format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
        },
        { additionalProperties: false },
      ),
      response: {
        200: { content: { 'application/json': { schema: Report }, 'text/csv': { schema: Type.String({ description: 'a header line, then a row per queue and interval' }) } } },
        ...errors(),
      },
    },
  }, async (request, reply) => {
    const q = request.query;
    const now = Date.now();
    const from = dateParam(q.from, 'from') ?? startOfDay(now);
    const to = dateParam(q.to, 'to') ?? new Date(now);
    if (from.getTime() >= to.getTime()) throw new ApiError('ERR_VALIDATION', 'from must be before to', 'querystring.from');
    if (to.getTime() - from.getTime() > MAX_DAYS[q.interval] * DAY_MS) {
      throw new ApiError('ERR_VALIDATION', `a report by ${q.interval} covers at most ${MAX_DAYS[q.interval]} days`, 'querystring.to');
    }
    const timeZone = q.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!isTimeZone(timeZone)) throw new ApiError('ERR_VALIDATION', `timeZone: unknown time zone ${JSON.stringify(timeZone)}`, 'querystring.timeZone');
    const [queues, traffic] = await Promise.all([
      listAllQueues(ctx.database.db),
      queueTraffic(ctx.database.db, { from, to, interval: q.interval, timeZone, ...(q.queueId !== undefined ? { queueId: q.queueId } : {}) }),
    ]);
    const names = new Map(queues.map((x) => [x.id, x.name]));
    const rows = traffic.map(({ queueId, start, ...counts }) => ({
      queueId,
      queue: names.get(queueId) ?? String(queueId),
      start: start.toISOString(),
      ...trafficFigures(counts),
    }));
    if (q.format === 'csv') {
      const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c] as string | number | null)).join(','))];
      const name = `queues-${from.toISOString().slice(0, 10)}-${q.interval}.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(`${lines.join('\r\n')}\r\n`);
    }
    return { from: from.toISOString(), to: to.toISOString(), interval: q.interval, timeZone, rows };
  });
};
