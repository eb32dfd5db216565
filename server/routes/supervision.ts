import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyReply } from 'fastify';
import { type Interval, type Period, agentActivity, dispositionCounts, notReadyTimes, queueTraffic } from '../../db/repositories/queue-stats.ts';
import { listAllQueues, setQueueClosedUntil } from '../../db/repositories/queues.ts';
import { listAllAgents } from '../../db/repositories/users.ts';
import type { AppContext } from '../app-context.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { agentFigures, startOfDay, trafficFigures } from '../calls/wall-board.ts';
import { queueNextOpening, queueOpenAt } from '../calls/opening-hours.ts';
import { type ListenChange, MAX_LISTENERS_PER_CALL } from '../calls/listen-in.ts';
import { caller } from '../auth/guard.ts';
import { MediaError } from '../../media/index.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { agentFigureFields, errors, surveyFields } from '../http/schemas.ts';

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
  callbacksRequested: Type.Integer({ minimum: 0, description: 'callers who asked to be called back (not abandons)' }),
  callbacksFailed: Type.Integer({ minimum: 0, description: 'callbacks given up: the customer never answered' }),
  voicemailsLeft: Type.Integer({ minimum: 0, description: 'messages callers left (voicemail)' }),
  serviceLevelPercent: Nullable(Type.Number({ description: 'answered within the threshold ÷ answered, %' })),
  serviceLevelOfferedPercent: Nullable(Type.Number({ description: 'answered within the threshold ÷ (answered + abandoned), %' })),
  asaSeconds: Nullable(Type.Number({ description: 'mean wait of the answered calls' })),
  abandonPercent: Nullable(Type.Number({ description: 'abandoned ÷ (answered + abandoned), %' })),
  handled: Count,
  ahtSeconds: Nullable(Type.Number({ description: 'mean handle time: (talk + after-call work) ÷ conversations handled' })),
  ...surveyFields,
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
      open: Type.Boolean(),
      closedUntil: Nullable(Type.String({ format: 'date-time', description: 'closed by a supervisor until then (PUT /api/queues/:id/closed)' })),
      waiting: Count,
      longestWaitSeconds: Nullable(Count),
      ...traffic,
      agents: States,
      callbacks: Type.Object({ inLine: Count, later: Count }, { description: 'callbacks in line now (counted in waiting) or being dialled, and due at a later time' }),
      voicemails: Type.Integer({ minimum: 0, description: 'voicemails left in this queue that nobody has dealt with yet (GET /api/voicemails)' }),
    }),
  ),
  ivr: Type.Object({
    calls: Count,
    longestSeconds: Nullable(Count),
    menus: Type.Array(Type.Object({ name: Type.String(), calls: Count, longestSeconds: Count })),
  }, { description: 'callers in IVR menus now (no queue yet): how many, the longest time in the menus, by the menu each is in now' }),
  agents: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      state: Type.String(),
      reason: Type.String({ description: "the not-ready reason's code ('' in other states)" }),
      reasonLabel: Type.String({ description: 'what people read for it (the admin\'s label)' }),
      overLimit: Type.Boolean({ description: 'not ready for longer than the reason\'s maxMinutes' }),
      since: Nullable(Type.String({ format: 'date-time' })),
      deviceUp: Type.Boolean(),
      callId: Nullable(Type.String()),
      callQueueId: Nullable(Type.Integer()),
      listeners: Type.Array(Type.String(), { description: 'the supervisors listening to the call (logins)' }),
      coach: Nullable(Type.String({ description: 'the supervisor coaching the agent (login)' })),
      barge: Type.Boolean({ description: 'the coach joined the call (barge-in): the caller hears them too' }),
      recordingPaused: Type.Boolean({ description: 'the agent paused the call\'s recording: what is said now is not kept' }),
      consult: Nullable(Type.Object({
        role: Type.Union([Type.Literal('consulting'), Type.Literal('consulted')]),
        with: Type.String({ description: 'consulting: the agent or queue consulted; consulted: the agent consulting' }),
      }, { description: 'a consult (attended transfer) the agent is in: consulting another agent or a queue about their call, or consulted' })),
      outbound: Nullable(Type.Object({
        number: Type.String(),
        answered: Type.Boolean({ description: 'false: still ringing' }),
      }, { description: 'a phone number the agent dialled and is calling now (not ready, reason outbound, meanwhile)' })),
    }),
  ),
});

const QueueReportRow = Type.Object({ queueId: Type.Integer(), queue: Type.String(), start: Type.String({ format: 'date-time' }), ...traffic });
const AgentReportRow = Type.Object({
  agentId: Type.Integer(),
  agent: Type.String(),
  start: Type.String({ format: 'date-time' }),
  ...agentFigureFields,
});
const DispositionReportRow = Type.Object({
  queueId: Type.Integer(),
  queue: Type.String(),
  start: Type.String({ format: 'date-time' }),
  disposition: Type.String(),
  calls: Count,
});
const NotReadyReportRow = Type.Object({
  agentId: Type.Integer(),
  agent: Type.String(),
  start: Type.String({ format: 'date-time' }),
  reason: Type.String({ description: 'the reason code' }),
  reasonLabel: Type.String({ description: 'what people read for it' }),
  times: Count,
  seconds: Type.Integer({ minimum: 0 }),
});
const reportOf = <T extends Parameters<typeof Type.Array>[0]>(row: T) =>
  Type.Object({
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    interval: Type.String(),
    timeZone: Type.String(),
    rows: Type.Array(row),
  });

/** The longest period a report covers, by interval (rows = queues or agents × intervals). */
const MAX_DAYS: Record<Interval, number> = { hour: 31, day: 366, total: 366 };
const DAY_MS = 86_400_000;

/** The CSV columns of the reports' rows, in order. */
const QUEUE_COLUMNS = [
  'queue', 'start', 'offered', 'answered', 'answeredInThreshold', 'serviceLevelPercent', 'serviceLevelOfferedPercent', 'asaSeconds',
  'abandoned', 'abandonPercent', 'overflowed', 'missedOffers', 'callbacksRequested', 'callbacksFailed', 'voicemailsLeft', 'handled', 'ahtSeconds',
  'surveys', 'surveyAverage', 'csatPercent',
] as const;
const DISPOSITION_COLUMNS = ['queue', 'start', 'disposition', 'calls'] as const;
const NOT_READY_COLUMNS = ['agent', 'start', 'reason', 'reasonLabel', 'times', 'seconds'] as const;
const AGENT_COLUMNS = [
  'agent', 'start', 'handled', 'ahtSeconds', 'missedOffers', 'talkSeconds', 'wrapUpSeconds', 'readySeconds', 'ringingSeconds', 'handlingSeconds',
  'notReadySeconds', 'loggedInSeconds', 'occupancyPercent', 'surveys', 'surveyAverage', 'csatPercent',
] as const;

/** The period every report takes: from, to, interval, time zone (and the answer's format). */
const periodFields = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'default: local midnight' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive; default: now' })),
  interval: Type.Union([Type.Literal('hour'), Type.Literal('day'), Type.Literal('total')], { default: 'hour' }),
  timeZone: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone the hours and days are cut in; default: the server's" })),
  format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
};

/** Reads and checks a report's period; errors name the field. */
function reportPeriod(q: { from?: string; to?: string; interval: Interval; timeZone?: string }): Required<Period> {
  const now = Date.now();
  const from = dateParam(q.from, 'from') ?? startOfDay(now);
  const to = dateParam(q.to, 'to') ?? new Date(now);
  if (from.getTime() >= to.getTime()) throw new ApiError('ERR_VALIDATION', 'from must be before to', 'querystring.from');
  if (to.getTime() - from.getTime() > MAX_DAYS[q.interval] * DAY_MS) {
    throw new ApiError('ERR_VALIDATION', `a report by ${q.interval} covers at most ${MAX_DAYS[q.interval]} days`, 'querystring.to');
  }
  const timeZone = q.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!isTimeZone(timeZone)) throw new ApiError('ERR_VALIDATION', `timeZone: unknown time zone ${JSON.stringify(timeZone)}`, 'querystring.timeZone');
  return { from, to, interval: q.interval, timeZone };
}

/** A report's answer: JSON, or CSV (a header line, a row per line) to download. */
function sendReport<R extends Record<string, unknown>>(
  reply: FastifyReply,
  what: string,
  p: Required<Period>,
  format: 'json' | 'csv',
  columns: ReadonlyArray<keyof R & string>,
  rows: R[],
) {
  if (format === 'json') return { from: p.from.toISOString(), to: p.to.toISOString(), interval: p.interval, timeZone: p.timeZone, rows };
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => csvField(r[c] as string | number | null)).join(','))];
  const name = `${what}-${p.from.toISOString().slice(0, 10)}-${p.interval}.csv`;
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(`${lines.join('\r\n')}\r\n`);
}

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

  app.put('/api/agents/:id/state', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags: ['supervision'],
      security: [{ bearer: [] }],
      summary: "A supervisor sets an agent not ready (with a reason) or logs them out (the agent's page is told)",
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      body: Type.Object(
        { state: Type.Union([Type.Literal('not-ready'), Type.Literal('logged-out')]), reason: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ state: Type.String(), reason: Type.String() }), ...errors(404, 409) },
    },
  }, async (request) => {
    const agentId = String(request.params.id);
    if (!center.acd.engine.hasAgent(agentId)) throw notFound('agent', request.params.id);
    if (request.body.state === 'not-ready' && center.desk.state(agentId).state === 'logged-out') {
      throw new ApiError('ERR_IN_USE', `agent ${agentId} is logged out`);
    }
    const refused = center.desk.request(agentId, request.body.state, request.body.reason ?? 'supervisor');
    if (refused !== undefined) throw new ApiError('ERR_IN_USE', refused);
    const { state, reason } = center.desk.state(agentId);
    return { state, reason };
  });

  // Silent monitoring: a supervisor's browser listens to a call (server/calls/listen-in.ts).
  const listenSecurity = { config: { roles: ['admin', 'supervisor'] as const }, tags: ['supervision'], security: [{ bearer: [] }] };
  const CallParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
  const ListenParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), listenId: Type.String({ minLength: 1, maxLength: 128 }) });
  const listenChanged = (r: ListenChange, reply: FastifyReply, callId: string, listenId: string) => {
    switch (r.outcome) {
      case 'done':
        return reply.status(204).send();
      case 'unknown-listen':
        throw new ApiError('ERR_NOT_FOUND', `${callId === '' ? '' : `call ${callId}: `}${listenId} not found (it ended, or the call did)`);
      case 'not-yours':
        throw new ApiError('ERR_FORBIDDEN', `${listenId} is another supervisor's`);
      case 'refused':
        throw new ApiError('ERR_VALIDATION', `body.sdp was refused (${r.reason}); start listening again`, 'body.sdp');
    }
  };

  app.post('/api/calls/:id/listen', {
    config: listenSecurity.config,
    schema: {
      tags: listenSecurity.tags,
      security: listenSecurity.security,
      summary: 'Listen to a call in progress (silent monitoring): an SDP offer for your browser with two receive-only audio streams, the customer and then the agent',
      description: 'Answer it with PUT /api/calls/{id}/listen/{listenId}; neither party hears you or is told. Only while an agent talks with the caller; '
        + `at most ${MAX_LISTENERS_PER_CALL} listeners a call. It ends with DELETE, or with the call. The queue log keeps LISTEN (who) when the answer is taken.`,
      params: CallParams,
      response: { 201: Type.Object({ listenId: Type.String(), sdp: Type.String({ description: 'WebRTC offer (ICE, DTLS-SRTP), receive-only' }) }), ...errors(404, 409, 429) },
    },
  }, async (request, reply) => {
    const callId = request.params.id;
    const me = caller(request);
    const r = await center.listens.start(center.call(callId), { id: me.sub, login: me.login });
    switch (r.outcome) {
      case 'offer':
        return reply.status(201).send({ listenId: r.listenId, sdp: r.sdp });
      case 'unknown-call':
        throw new ApiError('ERR_NOT_FOUND', `call ${callId} is not in progress`);
      case 'not-connected':
        throw new ApiError('ERR_INVALID_STATE', `call ${callId} is not connected to an agent (${r.state}): there is no conversation to listen to yet`);
      case 'too-many':
        throw new ApiError('ERR_TOO_MANY_REQUESTS', `at most ${r.max} listeners a call`);
    }
  });

  app.put('/api/calls/:id/listen/:listenId', {
    config: listenSecurity.config,
    schema: {
      tags: listenSecurity.tags,
      security: listenSecurity.security,
      summary: "Your browser's SDP answer to the listen offer: the streams start",
      params: ListenParams,
      body: Type.Object({ sdp: Type.String({ minLength: 3, maxLength: 20_000, pattern: '^v=0', description: 'the SDP answer' }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errors(403, 404) },
    },
  }, async (request, reply) => {
    const { id, listenId } = request.params;
    const me = caller(request);
    return listenChanged(await center.listens.answer(id, listenId, { id: me.sub, role: me.role }, request.body.sdp), reply, id, listenId);
  });

  // Stopping a listen or a coaching: the same rules (their own, or an admin anyone's), the call goes on.
  const stops = [
    { what: 'listen', summary: 'Stop listening (the call goes on)', stop: center.listens.stop.bind(center.listens) },
    { what: 'coach', summary: 'Stop coaching (the agent no longer hears you; the call goes on)', stop: center.listens.stopCoaching.bind(center.listens) },
  ];
  for (const { what, summary, stop } of stops) {
    app.delete(`/api/calls/:id/${what}/:listenId`, {
      config: listenSecurity.config,
      schema: {
        tags: listenSecurity.tags,
        security: listenSecurity.security,
        summary,
        params: ListenParams,
        response: { 204: Type.Null(), ...errors(403, 404) },
      },
    }, async (request, reply) => {
      const { id, listenId } = request.params;
      const me = caller(request);
      return listenChanged(await stop(id, listenId, { id: me.sub, role: me.role }), reply, id, listenId);
    });
  }

  // Coaching (whisper): a supervisor talks to the agent of a call; only the agent hears them, on the agent's page.
  const SdpBody = Type.Object({ sdp: Type.String({ minLength: 3, maxLength: 20_000, pattern: '^v=0', description: 'the SDP' }) }, { additionalProperties: false });
  app.post('/api/calls/:id/coach', {
    config: listenSecurity.config,
    schema: {
      tags: listenSecurity.tags,
      security: listenSecurity.security,
      summary: "Talk to the agent of a call, unheard by the caller (coaching, whisper): your browser's WebRTC offer with its microphone, answered",
      description: "The agent hears you on their agent page (whichever device they talk on), which must be open; the caller does not hear you and is not told. "
        + 'One coach a call; it ends with DELETE, or with the call. The queue log keeps COACH (who).',
      params: CallParams,
      body: SdpBody,
      response: { 201: Type.Object({ coachId: Type.String(), sdp: Type.String({ description: 'the SDP answer for your browser' }) }), ...errors(404, 409, 429) },
    },
  }, async (request, reply) => {
    const callId = request.params.id;
    const me = caller(request);
    let r;
    try {
      r = await center.listens.startCoaching(center.call(callId), { id: me.sub, login: me.login }, request.body.sdp);
    } catch (err) {
      if (err instanceof MediaError && err.code === 'MEDIA_ERR_NG_FAILED') throw new ApiError('ERR_VALIDATION', `body.sdp was refused (${err.message})`, 'body.sdp');
      throw err;
    }
    switch (r.outcome) {
      case 'answer':
        return reply.status(201).send({ coachId: r.coachId, sdp: r.sdp });
      case 'unknown-call':
        throw new ApiError('ERR_NOT_FOUND', `call ${callId} is not in progress`);
      case 'not-connected':
        throw new ApiError('ERR_INVALID_STATE', `call ${callId} is not connected to an agent (${r.state}): there is nobody to coach yet`);
      case 'too-many':
        throw new ApiError('ERR_TOO_MANY_REQUESTS', 'someone is coaching this call already');
      case 'no-page':
        throw new ApiError('ERR_INVALID_STATE', "the agent's page is not open: they could not hear you");
    }
  });

  app.put('/api/calls/:id/coach/:coachId', {
    config: listenSecurity.config,
    schema: {
      tags: listenSecurity.tags,
      security: listenSecurity.security,
      summary: 'Join the call you coach (barge-in: the caller hears you too), or go back to talking to the agent only',
      description: "Only while the agent talks on the browser softphone, which mixes your voice into what it sends the caller (409 for a desk phone). The queue log keeps BARGE (who).",
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), coachId: Type.String({ minLength: 1, maxLength: 128 }) }),
      body: Type.Object({ barge: Type.Boolean({ description: 'true: the caller hears you too; false: only the agent' }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errors(403, 404, 409) },
    },
  }, async (request, reply) => {
    const { id, coachId } = request.params;
    const me = caller(request);
    const r = center.listens.setBarge(id, coachId, { id: me.sub, role: me.role }, request.body.barge);
    if (r.outcome === 'desk-phone') throw new ApiError('ERR_INVALID_STATE', 'the agent talks on a desk phone: only their browser softphone can bring you into the call');
    return listenChanged(r, reply, id, coachId);
  });

  app.put('/api/agent/coach/:coachId', {
    config: { roles: ['agent'] as const },
    schema: {
      tags: ['agent desk'],
      security: listenSecurity.security,
      summary: "The agent page's answer to a coach's stream (the `coach` message of /ws/agent): the agent hears the coach",
      params: Type.Object({ coachId: Type.String({ minLength: 1, maxLength: 128 }) }),
      body: SdpBody,
      response: { 204: Type.Null(), ...errors(403, 404) },
    },
  }, async (request, reply) => {
    const { coachId } = request.params;
    const r = await center.listens.answerCoach(String(caller(request).sub), coachId, request.body.sdp);
    if (r.outcome === 'not-yours') throw new ApiError('ERR_FORBIDDEN', `coaching ${coachId} is for another agent`);
    return listenChanged(r, reply, '', coachId);
  });

  const csvOrJson = (row: Parameters<typeof reportOf>[0], rows: string) => ({
    200: { content: { 'application/json': { schema: reportOf(row) }, 'text/csv': { schema: Type.String({ description: `a header line, then a row per ${rows}` }) } } },
    ...errors(),
  });

  app.get('/api/reports/queues', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags: ['supervision'],
      security: [{ bearer: [] }],
      summary: 'Queue history: offered, answered, service level, ASA, abandons, overflows, missed offers and AHT per queue and hour or day (or the whole period), as JSON or CSV (format=csv)',
      querystring: Type.Object({ ...periodFields, queueId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
      response: csvOrJson(QueueReportRow, 'queue and interval'),
    },
  }, async (request, reply) => {
    const q = request.query;
    const p = reportPeriod(q);
    const [queues, traffic] = await Promise.all([
      listAllQueues(ctx.database.db),
      queueTraffic(ctx.database.db, { ...p, ...(q.queueId !== undefined ? { queueId: q.queueId } : {}) }),
    ]);
    const names = new Map(queues.map((x) => [x.id, x.name]));
    const rows = traffic.map(({ queueId, start, ...counts }) => ({
      queueId,
      queue: names.get(queueId) ?? String(queueId),
      start: start.toISOString(),
      ...trafficFigures(counts),
    }));
    return sendReport(reply, 'queues', p, q.format, QUEUE_COLUMNS, rows);
  });

  app.get('/api/reports/dispositions', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags: ['supervision'],
      security: [{ bearer: [] }],
      summary: "Calls by disposition: how many calls each queue's agents filed under each disposition (the last filed), per hour or day (or the whole period) of the calls' arrival, as JSON or CSV (format=csv)",
      querystring: Type.Object({ ...periodFields, queueId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
      response: csvOrJson(DispositionReportRow, 'queue, interval and disposition'),
    },
  }, async (request, reply) => {
    const q = request.query;
    const p = reportPeriod(q);
    const [queues, counts] = await Promise.all([
      listAllQueues(ctx.database.db),
      dispositionCounts(ctx.database.db, { ...p, ...(q.queueId !== undefined ? { queueId: q.queueId } : {}) }),
    ]);
    const names = new Map(queues.map((x) => [x.id, x.name]));
    const rows = counts.map((c) => ({ queueId: c.queueId, queue: names.get(c.queueId) ?? String(c.queueId), start: c.start.toISOString(), disposition: c.disposition, calls: c.calls }));
    return sendReport(reply, 'dispositions', p, q.format, DISPOSITION_COLUMNS, rows);
  });

  app.put('/api/queues/:id/closed', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags: ['supervision'],
      security: [{ bearer: [] }],
      summary: 'Close a queue at once until a time, whatever its opening hours say (an outage, a fire drill), or open it again (until: null)',
      description: 'While closed, the queue takes no new calls, as outside its hours: a phone caller is told when it opens again, the widget offers a '
        + 'callback then; callers already waiting are served. At most 7 days ahead.',
      params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }),
      body: Type.Object({ until: Nullable(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
      response: {
        200: Type.Object({ queueId: Type.Integer(), closedUntil: Nullable(Type.String({ format: 'date-time' })), open: Type.Boolean(), opensAt: Nullable(Type.String({ format: 'date-time' })) }),
        ...errors(404),
      },
    },
  }, async (request) => {
    const now = new Date();
    const until = request.body.until === null ? null : new Date(request.body.until);
    if (until !== null && (Number.isNaN(until.getTime()) || until <= now)) throw new ApiError('ERR_VALIDATION', 'body.until: a time in the future (or null to open again)', 'body.until');
    if (until !== null && until.getTime() - now.getTime() > 7 * DAY_MS) throw new ApiError('ERR_VALIDATION', 'body.until: at most 7 days ahead (change the opening hours for longer)', 'body.until');
    const queue = await setQueueClosedUntil(ctx.database.db, request.params.id, until);
    if (queue === undefined) throw notFound('queue', request.params.id);
    center.board.storedChanged();
    request.log.info({ queue: queue.name, until, by: caller(request).login }, until === null ? 'queue opened again' : 'queue closed until a time');
    const open = queueOpenAt(queue, now);
    return { queueId: queue.id, closedUntil: queue.closedUntil?.toISOString() ?? null, open, opensAt: open ? null : (queueNextOpening(queue, now)?.toISOString() ?? null) };
  });

  app.get('/api/reports/not-ready', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags: ['supervision'],
      security: [{ bearer: [] }],
      summary: "Not-ready time by reason: how often and how long each agent was not ready for each reason, per hour or day (or the whole period), as JSON or CSV (format=csv). A stretch counts in the interval the agent left it",
      querystring: Type.Object({ ...periodFields, agentId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
      response: csvOrJson(NotReadyReportRow, 'agent, interval and reason'),
    },
  }, async (request, reply) => {
    const q = request.query;
    const p = reportPeriod(q);
    await center.log.flush();
    const [agents, times] = await Promise.all([
      listAllAgents(ctx.database.db),
      notReadyTimes(ctx.database.db, { ...p, ...(q.agentId !== undefined ? { agentId: q.agentId } : {}) }),
    ]);
    const names = new Map(agents.map((a) => [a.id, a.name]));
    const rows = times.map((t) => ({
      agentId: t.agentId,
      agent: names.get(t.agentId) ?? String(t.agentId),
      start: t.start.toISOString(),
      reason: t.reason,
      reasonLabel: center.notReadyReasons.label(t.reason),
      times: t.times,
      seconds: t.seconds,
    }));
    return sendReport(reply, 'not-ready', p, q.format, NOT_READY_COLUMNS, rows);
  });

  app.get('/api/reports/agents', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags: ['supervision'],
      security: [{ bearer: [] }],
      summary: "Agent history: conversations handled, AHT, missed offers, time ready / ringing / talking / not ready and occupancy per agent and hour or day (or the whole period), as JSON or CSV (format=csv). A state's time counts in the interval the agent left it",
      querystring: Type.Object({ ...periodFields, agentId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
      response: csvOrJson(AgentReportRow, 'agent and interval'),
    },
  }, async (request, reply) => {
    const q = request.query;
    const p = reportPeriod(q);
    const [agents, activity] = await Promise.all([
      listAllAgents(ctx.database.db),
      agentActivity(ctx.database.db, { ...p, ...(q.agentId !== undefined ? { agentId: q.agentId } : {}) }),
    ]);
    const names = new Map(agents.map((a) => [a.id, a.name]));
    const rows = activity.map((a) => ({
      agentId: a.agentId,
      agent: names.get(a.agentId) ?? String(a.agentId),
      start: a.start.toISOString(),
      ...agentFigures(a),
    }));
    return sendReport(reply, 'agents', p, q.format, AGENT_COLUMNS, rows);
  });
};
