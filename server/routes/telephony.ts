import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { type Queue, getQueue, getQueueByName, listAllQueues } from '../../db/repositories/queues.ts';
import { listAllAgents } from '../../db/repositories/users.ts';
import type { AppContext } from '../app-context.ts';
import { caller } from '../auth/guard.ts';
import { type CallCenter, EARLIER_CALLS_SHOWN, MAX_PENDING_CALLS } from '../calls/call-center.ts';
import { closedNow, queueNextOpening, queueOpenAt } from '../calls/opening-hours.ts';
import { type CallbackOutcome, PERSONAL_CALLBACK_SECONDS } from '../calls/callbacks.ts';
import { MAX_LINK_TITLE_LENGTH, MAX_LINK_URL_LENGTH, MAX_LINKS_PER_CALL, linkTitle, linkUrl } from '../calls/customer-link.ts';
import { normalizeNumber, numberOfUri } from '../calls/phone-numbers.ts';
import { customerKey } from '../calls/call-log-writer.ts';
import { CustomerCallState } from '../calls/customer-call-state.ts';
import { agentFigures, startOfDay } from '../calls/wall-board.ts';
import { agentActivity } from '../../db/repositories/queue-stats.ts';
import { menuPathProblem, visualMenu } from '../calls/visual-ivr.ts';
import { getIvrMenuByName } from '../../db/repositories/ivr-menus.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { CallNoteView, Disposition, ErrorResponse, LanguageCode, Name, Nullable, agentFigureFields, errors, noteView } from '../http/schemas.ts';
import { outboundProblem } from '../calls/outbound-call.ts';

const SipAccess = Type.Object({
  wsUrl: Type.String(),
  uri: Type.String(),
  authorizationUsername: Type.String(),
  authorizationPassword: Type.String(),
  displayName: Type.String(),
});

const AgentStateBody = Type.Object(
  {
    state: Type.Union([Type.Literal('ready'), Type.Literal('not-ready'), Type.Literal('logged-out'), Type.Literal('wrap-up-done')]),
    reason: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
const AgentStateView = Type.Object({
  state: Type.String(),
  reason: Type.String(),
  deviceUp: Type.Boolean(),
  wrapUpEndsAt: Type.Union([Type.String(), Type.Null()]),
  unfiledCall: Type.Union([Type.Object({ callId: Type.String(), queue: Type.String(), dispositions: Type.Array(Type.String()) }), Type.Null()]),
});

/** Route options of the agent desk: agents only, documented under one tag. */
export function agentDesk<S extends object>(summary: string, schema: S) {
  return { config: { roles: ['agent'] as const }, schema: { tags: ['agent desk'], security: [{ bearer: [] }], summary, ...schema } };
}

/** A blocked customer (by their page's customer id or the number they give) gets no call and no callback. */
function refuseBlocked(center: CallCenter, customerId: string | null, number: string | null): void {
  const keys = [customerId ? customerKey(customerId, '') : null, number ? customerKey(null, number) : null];
  if (keys.some((k) => center.blocklist.blocks(k))) throw new ApiError('ERR_FORBIDDEN', 'Sorry, we cannot take your call.');
}

/** An agent's activity with nothing in it (no event since the start of the period). */
const NO_ACTIVITY = {
  handled: 0, talkSeconds: 0, wrapUpSeconds: 0, missedOffers: 0, readySeconds: 0, ringingSeconds: 0, busySeconds: 0, wrapUpStateSeconds: 0,
  notReadySeconds: 0, surveys: 0, surveyScoreSum: 0, surveysSatisfied: 0,
};

/** The longest note an agent may write on a call. */
const MAX_NOTE_LENGTH = 2000;

const CallHistoryView = Type.Object({
  notes: Type.Array(CallNoteView, { description: 'what agents wrote on this call so far, oldest first' }),
  previousCalls: Type.Array(Type.Object({
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    queue: Nullable(Type.String()),
    agent: Nullable(Type.String({ description: 'the agent who had it last' })),
    disposition: Nullable(Type.String()),
    endReason: Nullable(Type.String()),
    talkSeconds: Nullable(Type.Number()),
    surveyScore: Nullable(Type.Integer()),
    notes: Type.Array(Type.String()),
  }), { description: "the customer's earlier calls, newest first" }),
});

/** A queue or an agent a call can be transferred to, with the URI to REFER to. */
const TransferTarget = Type.Object({ id: Type.Integer(), name: Type.String(), uri: Type.String() });

/** ws:// or wss:// base of this server as the browser reached it. */
function wsBase(request: FastifyRequest): string {
  return `${request.protocol === 'https' ? 'wss' : 'ws'}://${request.host}`;
}

/** The page a customer calls (or asks for a callback) from. */
const CallPage = Type.Object(
  {
    url: Type.String({ maxLength: 2048 }),
    title: Type.String({ maxLength: 500 }),
    category: Type.Optional(Type.String({ maxLength: 200 })),
    language: Type.Optional(Type.String({ maxLength: 35 })),
  },
  { additionalProperties: false },
);
const CallbackNumber = Type.String({ minLength: 1, maxLength: 40, description: 'the phone number to call, e.g. +372 5555 1234' });
export const CallbackAt = Type.String({ format: 'date-time', description: 'call back at this time (within 7 days, while the queue is open)' });
export const CallbackView = Type.Object({ callId: Type.String(), number: Type.String(), scheduledFor: Type.Union([Type.String(), Type.Null()]) });

/** The number a customer typed, or 400 naming body.number. */
function phoneNumber(raw: string): string {
  const number = normalizeNumber(raw);
  if (number === null) throw new ApiError('ERR_VALIDATION', 'body.number: not a phone number (digits, optionally a leading +, 4 to 20 of them)', 'body.number');
  return number;
}

/** A callback's chosen time: in the future, within 7 days, and while the queue is open; or 400 naming body.at. */
export function callbackTime(iso: string, queue: Queue | undefined): Date {
  const at = new Date(iso);
  const now = Date.now();
  if (at.getTime() <= now) throw new ApiError('ERR_VALIDATION', 'body.at: must be in the future', 'body.at');
  if (at.getTime() > now + 7 * 86_400_000) throw new ApiError('ERR_VALIDATION', 'body.at: at most 7 days ahead', 'body.at');
  const closed = queue === undefined ? null : closedNow(queue, at);
  if (closed !== null) throw new ApiError('ERR_VALIDATION', `body.at: ${closed.replace('Sorry, we are closed.', 'the queue is closed then.')}`, 'body.at');
  return at;
}

/** A callback request's outcome as the 201 body, or the error that says why there is none. */
export function callbackCreated(r: CallbackOutcome): Static<typeof CallbackView> {
  switch (r.outcome) {
    case 'requested':
      return { callId: r.callId, number: r.number, scheduledFor: r.scheduledFor?.toISOString() ?? null };
    case 'no-trunk':
      throw new ApiError('ERR_UNAVAILABLE_FEATURE', 'callbacks are not offered here (the server has no CALLBACK_TRUNK to reach phone numbers)');
    case 'unknown-call':
      throw new ApiError('ERR_NOT_FOUND', 'the call is not in progress');
    case 'not-waiting':
      throw new ApiError('ERR_INVALID_STATE', 'the call is not waiting in line (an agent is being rung or has it): no callback now');
    case 'duplicate':
      throw new ApiError('ERR_DUPLICATE', 'a callback to this number from this queue is already arranged', 'body.number');
    case 'too-many':
      throw new ApiError('ERR_UNAVAILABLE', 'too many callbacks are waiting right now; try again later');
  }
}

/** The browser-facing telephony API: starting a customer's call, the agent softphone's SIP access and state. */
export const telephonyRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { ctx, center }) => {
  const realm = ctx.config.sipRealm;

  /** The widget's requests about its own call carry that call's token (POST /api/public/calls); else 401. */
  const requireCallToken = (request: FastifyRequest, callId: string): void => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const claims = bearer === undefined ? null : ctx.tokens.verifyCall(bearer);
    if (claims === null || claims.callId !== callId) throw new ApiError('ERR_UNAUTHENTICATED', 'Authorization: Bearer <call token> of this call is missing, invalid or expired');
  };

  app.post('/api/public/calls', {
    config: { roles: 'public' },
    schema: {
      tags: ['calls'],
      summary: 'Start a customer\'s browser call: returns a call token and one-call SIP credentials for the widget',
      body: Type.Object(
        {
          queue: Name,
          language: LanguageCode,
          page: CallPage,
          history: Type.Optional(
            Type.Array(
              Type.Object(
                { url: Type.String({ maxLength: 2048 }), title: Type.String({ maxLength: 500 }), at: Type.Optional(Type.String({ maxLength: 40 })) },
                { additionalProperties: false },
              ),
              { maxItems: 20 },
            ),
          ),
          customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          menus: Type.Optional(Type.Array(Name, {
            maxItems: 20,
            description: 'the IVR menus the customer chose their way through on the page (GET /api/public/menus/{name}), in order; the last leads to the queue. The agent sees them as a phone caller\'s IVR path',
          })),
        },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({
          callId: Type.String(),
          token: Type.String(),
          sip: Type.Intersect([SipAccess, Type.Object({ target: Type.String() })]),
          eventsUrl: Type.String(),
          callbacks: Type.Boolean({ description: 'while in line, the caller may ask to be called back (POST /api/public/calls/{callId}/callback)' }),
          recorded: Type.Boolean({ description: 'the queue records its calls: the page tells the customer' }),
          survey: Type.Boolean({ description: 'the queue asks for a rating after the call (POST /api/public/calls/{callId}/survey)' }),
        }),
        400: ErrorResponse,
        403: ErrorResponse,
        404: ErrorResponse,
        409: ErrorResponse,
        429: ErrorResponse,
        503: ErrorResponse,
      },
    },
  }, async (request, reply) => {
    const body = request.body;
    const pending = center.pendingCalls(request.ip);
    const perSource = ctx.config.publicCallsPerSource;
    if (perSource > 0 && pending.fromSource >= perSource) {
      reply.header('retry-after', '60');
      throw new ApiError('ERR_TOO_MANY_REQUESTS', `${pending.fromSource} calls from ${request.ip} are waiting to be dialled; dial them or wait for them to expire`);
    }
    if (pending.total >= MAX_PENDING_CALLS) {
      reply.header('retry-after', '10');
      throw new ApiError('ERR_UNAVAILABLE', 'too many calls are being set up right now; try again shortly');
    }
    refuseBlocked(center, body.customerId ?? null, null);
    const queue = await getQueueByName(ctx.database.db, body.queue);
    if (queue === undefined) throw new ApiError('ERR_UNKNOWN_QUEUE', `queue ${JSON.stringify(body.queue)} does not exist`, 'body.queue');
    const closed = closedNow(queue, new Date());
    if (closed !== null) throw new ApiError('ERR_CLOSED', closed, 'body.queue');
    const menus = body.menus ?? [];
    const pathProblem = await menuPathProblem(ctx.database.db, menus, queue, new Date());
    if (pathProblem !== null) throw new ApiError('ERR_VALIDATION', `body.menus: ${pathProblem}`, 'body.menus');
    const call = center.prepareBrowserCall({
      queue,
      language: body.language,
      page: body.page,
      history: body.history ?? [],
      customerId: body.customerId ?? null,
      menus,
      source: request.ip,
    });
    const ws = wsBase(request);
    return reply.status(201).send({
      callId: call.callId,
      token: call.token,
      sip: {
        wsUrl: `${ws}/sip`,
        uri: `sip:${call.username}@${realm}`,
        target: `sip:${encodeURIComponent(queue.name)}@${realm}`,
        authorizationUsername: call.username,
        authorizationPassword: call.password,
        displayName: 'Web customer',
      },
      eventsUrl: `${ws}/ws/customer?token=${encodeURIComponent(call.token)}`,
      callbacks: center.callbacks.enabled,
      recorded: queue.recordCalls,
      survey: queue.survey,
    });
  });

  app.post('/api/public/calls/:callId/callback', {
    config: { roles: 'public' },
    schema: {
      tags: ['calls'],
      summary: 'The waiting caller asks to be called back on a phone number: now, keeping their place in line, or at a time they choose',
      description: 'Authorization: Bearer <the call token of POST /api/public/calls>. The browser call ends; the ACD keeps the call in line as a callback.',
      params: Type.Object({ callId: Type.String({ minLength: 1, maxLength: 64 }) }),
      body: Type.Object(
        {
          number: CallbackNumber,
          at: Type.Optional(CallbackAt),
        },
        { additionalProperties: false },
      ),
      response: { 201: CallbackView, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
    },
  }, async (request, reply) => {
    const { callId } = request.params;
    requireCallToken(request, callId);
    const number = phoneNumber(request.body.number);
    refuseBlocked(center, null, number);
    let at: Date | null = null;
    if (request.body.at !== undefined) {
      const queueId = center.queueOfCall(callId);
      at = callbackTime(request.body.at, queueId === undefined ? undefined : await getQueue(ctx.database.db, queueId));
    }
    return reply.status(201).send(callbackCreated(center.requestCallback(callId, number, at)));
  });

  app.post('/api/public/calls/:callId/survey', {
    config: { roles: 'public' },
    schema: {
      tags: ['calls'],
      summary: 'After the call, the customer rates it from 1 (very bad) to 5 (very good): once a call, for a queue that asks (its survey)',
      description: 'Authorization: Bearer <the call token of POST /api/public/calls>. Kept in the call record and as SURVEY in the queue log, for the agent who had the call last.',
      params: Type.Object({ callId: Type.String({ minLength: 1, maxLength: 64 }) }),
      body: Type.Object({ score: Type.Integer({ minimum: 1, maximum: 5 }) }, { additionalProperties: false }),
      response: { 201: Type.Object({ score: Type.Integer() }), 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
    },
  }, async (request, reply) => {
    const { callId } = request.params;
    requireCallToken(request, callId);
    if (center.call(callId) !== undefined) throw new ApiError('ERR_INVALID_STATE', 'the call is still in progress: rate it when it has ended');
    const r = await center.rateCall(callId, request.body.score);
    switch (r.outcome) {
      case 'rated':
        return reply.status(201).send({ score: r.score });
      case 'unknown-call':
        throw notFound('call', callId);
      case 'not-answered':
        throw new ApiError('ERR_INVALID_STATE', 'no agent answered this call: there is nothing to rate');
      case 'not-asked':
        throw new ApiError('ERR_INVALID_STATE', `the queue ${JSON.stringify(r.queue)} does not ask its callers for ratings`);
      case 'rated-already':
        throw new ApiError('ERR_INVALID_STATE', 'this call has been rated already');
    }
  });

  app.post('/api/public/callbacks', {
    config: { roles: 'public' },
    schema: {
      tags: ['calls'],
      summary: 'Ask to be called back without calling (when the queue is closed, say): at a time, by default when the queue next opens',
      body: Type.Object(
        {
          queue: Name,
          number: CallbackNumber,
          language: LanguageCode,
          at: Type.Optional(CallbackAt),
          page: Type.Optional(CallPage),
          customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
      response: { 201: CallbackView, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 503: ErrorResponse },
    },
  }, async (request, reply) => {
    const body = request.body;
    const queue = await getQueueByName(ctx.database.db, body.queue);
    if (queue === undefined) throw new ApiError('ERR_UNKNOWN_QUEUE', `queue ${JSON.stringify(body.queue)} does not exist`, 'body.queue');
    const number = phoneNumber(body.number);
    refuseBlocked(center, body.customerId ?? null, number);
    let at: Date;
    if (body.at !== undefined) at = callbackTime(body.at, queue);
    else {
      const now = new Date();
      const opens = queueNextOpening(queue, now);
      if (opens === null) throw new ApiError('ERR_CLOSED', 'the queue does not open within the next 7 days: no callback can be arranged', 'body.queue');
      at = opens;
    }
    return reply.status(201).send(callbackCreated(center.scheduleCallback(queue, {
      number, at, language: body.language, customerId: body.customerId ?? null, page: body.page ?? null,
    })));
  });

  const Next = Type.Union([Type.Object({ queue: Type.String() }), Type.Object({ menu: Type.String() })]);
  app.get('/api/public/menus/:name', {
    config: { roles: 'public' },
    schema: {
      tags: ['calls'],
      summary: 'An IVR menu as the widget shows it (visual IVR): its options as choices that lead to a queue to call or to another menu',
      description: 'Options that hang up are left out; an option without a label is named after where it leads. While the menu is closed it has no '
        + 'choices, and closedNext says where a caller goes instead (null: nowhere; opensAt: when it opens).',
      params: Type.Object({ name: Name }),
      response: {
        200: Type.Object({
          name: Type.String(),
          language: Type.String(),
          open: Type.Boolean(),
          opensAt: Type.Union([Type.String(), Type.Null()]),
          choices: Type.Array(Type.Object({ digit: Type.String(), label: Type.String(), language: Type.Union([Type.String(), Type.Null()]), next: Next })),
          closedNext: Type.Union([Next, Type.Null()]),
        }),
        404: ErrorResponse,
      },
    },
  }, async (request) => {
    const menu = await getIvrMenuByName(ctx.database.db, request.params.name);
    if (menu === undefined) throw new ApiError('ERR_NOT_FOUND', `IVR menu ${JSON.stringify(request.params.name)} does not exist`);
    return visualMenu(ctx.database.db, menu, new Date());
  });

  app.get('/api/public/queues/:name', {
    config: { roles: 'public' },
    schema: {
      tags: ['calls'],
      summary: 'Whether a queue takes calls now, when it opens next, and whether callbacks are offered (for the widget)',
      params: Type.Object({ name: Name }),
      response: {
        200: Type.Object({ name: Type.String(), open: Type.Boolean(), opensAt: Type.Union([Type.String(), Type.Null()]), callbacks: Type.Boolean() }),
        404: ErrorResponse,
      },
    },
  }, async (request) => {
    const queue = await getQueueByName(ctx.database.db, request.params.name);
    if (queue === undefined) throw new ApiError('ERR_UNKNOWN_QUEUE', `queue ${JSON.stringify(request.params.name)} does not exist`, 'params.name');
    const now = new Date();
    const open = queueOpenAt(queue, now);
    return { name: queue.name, open, opensAt: open ? null : (queueNextOpening(queue, now)?.toISOString() ?? null), callbacks: center.callbacks.enabled };
  });

  app.post('/api/agent/softphone', agentDesk('SIP access for the browser softphone of the logged-in agent (credentials valid for this session)', {
    body: Type.Optional(Type.Object({}, { additionalProperties: false })),
    response: { 200: SipAccess, ...errors() },
  }), async (request) => {
    const me = caller(request);
    const { username, password } = center.issueAgentCredentials(me.sub, ctx.config.tokenTtlSeconds);
    return {
      wsUrl: `${wsBase(request)}/sip`,
      uri: `sip:${username}@${realm}`,
      authorizationUsername: username,
      authorizationPassword: password,
      displayName: center.desk.name(String(me.sub)),
    };
  });

  app.get('/api/agent/transfer-targets', agentDesk('The queues and the other agents a call can be transferred to (REFER to the uri from the softphone or a desk phone)', {
    response: {
      200: Type.Object({
        queues: Type.Array(TransferTarget),
        agents: Type.Array(TransferTarget),
      }),
      ...errors(),
    },
  }), async (request) => {
    const me = caller(request).sub;
    const uri = (user: string): string => `sip:${encodeURIComponent(user)}@${realm}`;
    const [queues, agents] = await Promise.all([listAllQueues(ctx.database.db), listAllAgents(ctx.database.db)]);
    return {
      queues: queues.map((q) => ({ id: q.id, name: q.name, uri: uri(q.name) })),
      agents: agents.filter((a) => a.id !== me && !a.disabled).map((a) => ({ id: a.id, name: a.name, uri: uri(a.login) })),
    };
  });

  app.post('/api/agent/call/transfer', agentDesk('Transfers the agent\'s connected call (on any of their devices) to a queue or an agent, named or by SIP URI', {
    body: Type.Object({ target: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
    response: { 200: Type.Object({ transferred: Type.Literal(true) }), ...errors(404, 409) },
  }), async (request) => {
    const call = center.callOfAgent(String(caller(request).sub));
    if (call === undefined) throw new ApiError('ERR_IN_USE', 'you have no connected call');
    const outcome = await call.transferTo(request.body.target);
    switch (outcome) {
      case 'transferred':
        return { transferred: true as const };
      case 'not-found':
        throw new ApiError('ERR_NOT_FOUND', `no queue or agent named ${JSON.stringify(request.body.target)}`);
      case 'logged-out':
        throw new ApiError('ERR_IN_USE', `${request.body.target} is logged out`);
      case 'same-agent':
        throw new ApiError('ERR_IN_USE', 'the call is already yours');
      case 'consult':
        throw new ApiError('ERR_IN_USE', 'this is a consult: the agent who called you hands the caller over');
      default:
        throw new ApiError('ERR_IN_USE', 'you have no connected call');
    }
  });

  app.post('/api/agent/call/consult/complete', agentDesk('Attended transfer: the agent who took the consult the agent dialled (from the softphone or a desk phone, while on their call) takes the caller; the agent\'s call and consult are hung up', {
    response: { 200: Type.Object({ transferred: Type.Literal(true) }), ...errors(409) },
  }), async (request) => {
    const me = String(caller(request).sub);
    const call = center.callOfAgent(me);
    if (call === undefined && center.consultBy(me) !== undefined) throw new ApiError('ERR_IN_USE', 'the caller hung up: there is nobody to hand over (end the consult)');
    if (call === undefined || call.isConsult) throw new ApiError('ERR_IN_USE', 'you have no connected call');
    switch (await call.completeConsult()) {
      case 'transferred':
        return { transferred: true as const };
      case 'no-consult':
        throw new ApiError('ERR_IN_USE', 'you have no consult in progress: dial the agent or queue first');
      case 'not-answered':
        throw new ApiError('ERR_IN_USE', 'nobody has taken your consult yet');
      case 'failed':
        throw new ApiError('ERR_IN_USE', "the other agent's device did not take the caller's audio: the call and the consult go on");
      default:
        throw new ApiError('ERR_IN_USE', 'you have no connected call');
    }
  });

  app.delete('/api/agent/call/consult', agentDesk('Ends the agent\'s consult (hangs up both sides of it); the caller stays on hold until the agent resumes', {
    response: { 200: Type.Object({ ended: Type.Literal(true) }), ...errors(409) },
  }), async (request) => {
    const me = String(caller(request).sub);
    const call = center.callOfAgent(me);
    // (the customer hung up while the agents talked: the consult goes on, and is ended here all the same)
    const ended = call !== undefined && !call.isConsult ? call.cancelConsult() : (center.consultBy(me)?.cancelAsConsult() ?? false);
    if (!ended) throw new ApiError('ERR_IN_USE', 'you have no consult in progress');
    return { ended: true as const };
  });

  app.post('/api/agent/call/hangup', agentDesk('Hangs up the agent\'s connected call (on any of their devices)', {
    response: { 200: Type.Object({ hungUp: Type.Literal(true) }), ...errors(409) },
  }), async (request) => {
    const agentId = String(caller(request).sub);
    const call = center.callOfAgent(agentId);
    if (call !== undefined && call.hangUpByAgent()) return { hungUp: true as const };
    // (a call to a phone number the agent dialled: hung up ringing or talking)
    const out = center.outboundOf(agentId);
    if (out === undefined) throw new ApiError('ERR_IN_USE', 'you have no connected call');
    out.hangUp();
    return { hungUp: true as const };
  });

  app.get('/api/agent/outbound', agentDesk('Whether the agent may dial phone numbers (from their desk phone or the browser softphone: sip:<number>@<realm>), and which', {
    response: {
      200: Type.Object({
        allowed: Type.Boolean(),
        /** the numbers allowed start with one of these; empty: any */
        allowedPrefixes: Type.Array(Type.String()),
        /** why not, when not allowed */
        reason: Nullable(Type.String()),
        /** the agent's call to a number in progress, if any */
        call: Nullable(Type.Object({ callId: Type.String(), number: Type.String(), answered: Type.Boolean() })),
      }),
      ...errors(),
    },
  }), async (request) => {
    const s = center.callbacks.settings;
    const reason = outboundProblem(s);
    const out = center.outboundOf(String(caller(request).sub));
    return {
      allowed: reason === null,
      allowedPrefixes: s.allowedPrefixes,
      reason,
      call: out === undefined ? null : { callId: out.id, number: out.number, answered: out.answered },
    };
  });

  app.post('/api/agent/calls/:callId/disposition', agentDesk('Sets the disposition (wrap-up code) of a call the agent talked on, from its queue\'s list; a later choice replaces it', {
    params: Type.Object({ callId: Type.String({ minLength: 1, maxLength: 64 }) }),
    body: Type.Object({ disposition: Disposition }, { additionalProperties: false }),
    response: { 200: Type.Object({ callId: Type.String(), queue: Type.String(), disposition: Type.String() }), ...errors(404) },
  }), async (request) => {
    const { callId } = request.params;
    const { disposition } = request.body;
    const r = await center.setDisposition(String(caller(request).sub), callId, disposition);
    switch (r.outcome) {
      case 'set':
        return { callId, queue: r.queue, disposition };
      case 'unknown-call':
        throw notFound('call', callId);
      case 'not-yours':
        throw new ApiError('ERR_FORBIDDEN', `you did not talk on call ${callId}`);
      default:
        throw new ApiError(
          'ERR_VALIDATION',
          r.choices.length === 0
            ? `queue ${r.queue ?? '(deleted)'} has no dispositions to choose from`
            : `${JSON.stringify(disposition)} is not a disposition of queue ${r.queue}; choose one of: ${r.choices.join(', ')}`,
          'body.disposition',
        );
    }
  });

  const CallParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 64 }) });
  app.get('/api/agent/calls/:callId/history', agentDesk("A call's past for its agent: the notes agents wrote on it so far (a transferred call), and the customer's earlier calls", {
    description: `For an agent the call is offered to, who talks on it, or who talked on it. The customer is known by the customer id of their web page or by their phone number; the ${EARLIER_CALLS_SHOWN} latest earlier calls, newest first.`,
    params: CallParams,
    response: { 200: CallHistoryView, ...errors(403, 404) },
  }), async (request) => {
    const { callId } = request.params;
    const h = await center.callHistory(String(caller(request).sub), callId);
    if (h === undefined) throw notFound('call', callId);
    if (h === null) throw new ApiError('ERR_FORBIDDEN', `call ${callId} is not offered to you and you did not talk on it`);
    return {
      notes: h.notes.map(noteView),
      previousCalls: h.previousCalls.map((c) => ({ ...c, at: c.at.toISOString() })),
    };
  });

  app.put('/api/agent/calls/:callId/note', agentDesk('The agent\'s note on a call they talked on (one per agent and call: saving again replaces it; an empty text deletes it)', {
    description: 'The agents who take the call after a transfer see it, and so do the agents of the customer\'s later calls and supervisors (GET /api/calls/{id}).',
    params: CallParams,
    body: Type.Object({ text: Type.String({ maxLength: MAX_NOTE_LENGTH }) }, { additionalProperties: false }),
    response: { 200: Type.Object({ callId: Type.String(), text: Type.String() }), ...errors(403, 404) },
  }), async (request) => {
    const { callId } = request.params;
    const text = request.body.text.trim();
    const r = await center.saveNote(String(caller(request).sub), callId, text);
    if (r === 'unknown-call') throw notFound('call', callId);
    if (r === 'not-yours') throw new ApiError('ERR_FORBIDDEN', `you did not talk on call ${callId}`);
    return { callId, text };
  });

  app.post('/api/agent/calls/:callId/link', agentDesk('Sends the customer of the agent\'s connected browser call a link (http or https) that their page offers to open', {
    description: `Only the agent connected to the call, only to a caller in the browser widget, at most ${MAX_LINKS_PER_CALL} links a call. `
      + 'The widget shows it at once with an Open button; the customer decides whether to open it. Written to the call\'s queue events as LINK.',
    params: Type.Object({ callId: Type.String({ minLength: 1, maxLength: 64 }) }),
    body: Type.Object(
      {
        url: Type.String({ minLength: 1, maxLength: MAX_LINK_URL_LENGTH, description: 'an absolute http:// or https:// URL' }),
        title: Type.Optional(Type.String({ maxLength: MAX_LINK_TITLE_LENGTH, description: 'what the customer reads; without one, the URL\'s host' })),
      },
      { additionalProperties: false },
    ),
    response: {
      202: Type.Object({
        sent: Type.Literal(true),
        customerConnected: Type.Boolean({ description: 'the customer\'s page was connected and was sent the link now (false: it is only in the call\'s log)' }),
      }),
      ...errors(404, 409, 429),
    },
  }), async (request, reply) => {
    const { callId } = request.params;
    const checked = linkUrl(request.body.url);
    if ('problem' in checked) throw new ApiError('ERR_VALIDATION', `body.url ${checked.problem}`, 'body.url');
    const r = center.sendLink(String(caller(request).sub), callId, checked.url, linkTitle(request.body.title));
    switch (r.outcome) {
      case 'sent':
        return reply.status(202).send({ sent: true as const, customerConnected: r.customerConnected });
      case 'unknown-call':
        throw new ApiError('ERR_NOT_FOUND', `call ${callId} is not in progress`);
      case 'not-connected':
        throw new ApiError('ERR_INVALID_STATE', `call ${callId} is not connected to an agent yet (${r.state}): a link can be sent once you talk with the caller`);
      case 'not-yours':
        throw new ApiError('ERR_FORBIDDEN', `call ${callId} is connected to another agent: only the agent on the call may send its caller a link`);
      case 'phone':
        throw new ApiError('ERR_INVALID_STATE', 'the caller is on a phone: there is no browser to open a link in');
      case 'too-many':
        throw new ApiError('ERR_TOO_MANY_REQUESTS', `at most ${r.max} links can be sent in one call`);
    }
  });

  app.post('/api/agent/calls/:callId/callback', agentDesk('A personal callback: the agent arranges to call back the customer of a call they talked on, at a time (by default now, or when the queue opens)', {
    description: `The call's queue calls the caller's number (or \`number\`) at \`at\` through the callback trunk, offering it to this agent first for ${PERSONAL_CALLBACK_SECONDS / 60} minutes `
      + '(if they are logged in), then to anyone in the queue. It shows on the wall-board with the other callbacks (Cancel there); the queue log has CALLBACKREQUESTED with the agent.',
    params: CallParams,
    body: Type.Object({ at: Type.Optional(CallbackAt), number: Type.Optional(CallbackNumber) }, { additionalProperties: false }),
    response: { 201: CallbackView, ...errors(404, 409, 503) },
  }), async (request, reply) => {
    const { callId } = request.params;
    const me = String(caller(request).sub);
    const found = await center.personalCallback(me, callId);
    if (found.outcome !== 'ok') {
      if (found.outcome === 'unknown-call') throw notFound('call', callId);
      if (found.outcome === 'not-yours') throw new ApiError('ERR_FORBIDDEN', `you did not talk on call ${callId}`);
      throw new ApiError('ERR_INVALID_STATE', `call ${callId}'s queue was deleted: no queue to call back from`);
    }
    const { call, queue } = found;
    const number = request.body.number !== undefined ? phoneNumber(request.body.number) : numberOfUri(call.caller);
    if (number === null) throw new ApiError('ERR_INVALID_STATE', `the caller (${call.channel === 'webrtc' ? 'in the browser' : call.caller}) left no phone number: give the number to call`, 'body.number');
    if (center.blocklist.blocks(customerKey(null, number))) throw new ApiError('ERR_FORBIDDEN', `${number} is a blocked number: it is not called back`, 'body.number');
    let at: Date;
    if (request.body.at !== undefined) at = callbackTime(request.body.at, queue);
    else {
      const opens = queueNextOpening(queue, new Date());
      if (opens === null) throw new ApiError('ERR_CLOSED', 'the queue does not open within the next 7 days: no callback can be arranged', 'body.at');
      at = opens;
    }
    return reply.status(201).send(callbackCreated(center.scheduleCallback(queue, {
      number, at, language: call.language ?? queue.language ?? 'en', customerId: call.customer_id, page: null, owner: me,
    })));
  });

  app.put('/api/agent/calls/:callId/recording', agentDesk('Pauses or resumes the recording of the agent\'s connected call (as while the customer reads out a card number)', {
    description: 'Only the agent connected to the call, only on a recorded call (its queue records calls). What either party says while it is paused is '
      + 'not kept: the file leaves it out, marked by a second of silence. A transfer resumes it. Written to the call\'s queue events as RECORDPAUSE / RECORDRESUME.',
    params: CallParams,
    body: Type.Object({ paused: Type.Boolean() }, { additionalProperties: false }),
    response: { 200: Type.Object({ callId: Type.String(), paused: Type.Boolean() }), ...errors(404, 409) },
  }), async (request) => {
    const { callId } = request.params;
    const me = String(caller(request).sub);
    const call = center.call(callId);
    if (call === undefined || call.state === CustomerCallState.Ended) throw new ApiError('ERR_NOT_FOUND', `call ${callId} is not in progress`);
    if (call.agentId !== null && call.agentId !== me) throw new ApiError('ERR_FORBIDDEN', `call ${callId} is connected to another agent: only the agent on the call may pause its recording`);
    const r = await call.setRecordingPaused(me, request.body.paused);
    if (r === 'not-connected') throw new ApiError('ERR_INVALID_STATE', `call ${callId} is not connected to you (${call.state})`);
    if (r === 'not-recorded') throw new ApiError('ERR_INVALID_STATE', `call ${callId} is not recorded: its queue does not record calls`);
    return { callId, paused: call.recordingPaused };
  });

  app.get('/api/agent/stats', agentDesk("The agent's own figures since local midnight (or `since`): conversations, handle time, missed offers, time by state, callers' ratings", {
    description: 'The same figures as a row of GET /api/reports/agents; a state\'s time counts when the agent leaves it.',
    querystring: Type.Object({ since: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
    response: { 200: Type.Object({ since: Type.String({ format: 'date-time' }), ...agentFigureFields }), ...errors() },
  }), async (request) => {
    const since = request.query.since === undefined ? startOfDay(Date.now()) : new Date(request.query.since);
    if (Number.isNaN(since.getTime())) throw new ApiError('ERR_VALIDATION', 'since must be a date-time', 'querystring.since');
    await center.log.flush();
    const agentId = caller(request).sub;
    const [row] = await agentActivity(ctx.database.db, { from: since, agentId });
    return { since: since.toISOString(), ...agentFigures(row ?? { ...NO_ACTIVITY }) };
  });

  app.get('/api/agent/state', agentDesk('The logged-in agent\'s ACD state', { response: { 200: AgentStateView, ...errors() } }), async (request) => center.desk.stateEvent(String(caller(request).sub)));

  app.put('/api/agent/state', agentDesk('Log in, go ready / not ready (with a reason), end wrap-up, or log out', {
    body: AgentStateBody,
    response: { 200: AgentStateView, ...errors(409) },
  }), async (request) => {
    const agentId = String(caller(request).sub);
    const reason = request.body.state === 'not-ready' ? request.body.reason : undefined;
    const wrong = center.notReadyReasons.refusal(reason);
    if (wrong !== null) throw new ApiError('ERR_VALIDATION', wrong, 'body.reason');
    const refused = center.desk.request(agentId, request.body.state, request.body.reason);
    if (refused !== undefined) throw new ApiError('ERR_IN_USE', refused);
    return center.desk.stateEvent(agentId);
  });
};
