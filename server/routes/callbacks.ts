import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { listCallbacks } from '../../db/repositories/callbacks.ts';
import { getQueue } from '../../db/repositories/queues.ts';
import { getAgent } from '../../db/repositories/users.ts';
import { getVoicemail, setVoicemailDone } from '../../db/repositories/voicemails.ts';
import type { CallbackRow, CallbackState } from '../../db/schema.ts';
import type { AppContext } from '../app-context.ts';
import { caller } from '../auth/guard.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { closedNow, queueNextOpening } from '../calls/opening-hours.ts';
import { numberOfUri } from '../calls/phone-numbers.ts';
import { ApiError } from '../http/errors.ts';
import { IdParams, Nullable, PageOf, errors } from '../http/schemas.ts';
import { CallbackAt, CallbackView, agentDesk, callbackCreated, callbackTime } from './telephony.ts';

const tags = ['callbacks'];
const security = [{ bearer: [] }];
const READERS = ['admin', 'supervisor'] as const;

const Callback = Type.Object({
  callId: Type.String(),
  queueId: Type.Integer(),
  queue: Type.String(),
  number: Type.String(),
  state: Type.String({ description: 'waiting (in line), scheduled (due later), dialing, completed, failed or cancelled' }),
  attempts: Type.Integer(),
  requestedAt: Type.String({ format: 'date-time', description: 'its place in line' }),
  scheduledFor: Nullable(Type.String({ format: 'date-time' })),
  updatedAt: Type.String({ format: 'date-time' }),
  /** a personal callback: the agent who arranged it (offered to them first) */
  agent: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
});

const STATES: Record<string, readonly CallbackState[]> = {
  open: ['waiting', 'scheduled', 'dialing'],
  done: ['completed', 'failed', 'cancelled'],
  all: ['waiting', 'scheduled', 'dialing', 'completed', 'failed', 'cancelled'],
};

function view(c: CallbackRow & { queue_name: string; owner_id: number | null; owner_name: string | null }) {
  return {
    callId: c.call_id ?? '',
    queueId: c.queue_id,
    queue: c.queue_name,
    number: c.target,
    state: c.state,
    attempts: c.attempts,
    requestedAt: c.requested_at.toISOString(),
    scheduledFor: c.scheduled_for?.toISOString() ?? null,
    updatedAt: c.updated_at.toISOString(),
    agent: c.owner_id === null ? null : { id: c.owner_id, name: c.owner_name ?? '' },
  };
}

const ListQuery = Type.Object(
  {
    state: Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('all')], { default: 'open' }),
    queueId: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);

const CallbackParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * The callbacks customers asked for: listed, and cancelled (supervisors and admins); an agent's own personal
 * callbacks (the ones they arranged on a call): listed, and cancelled by them.
 */
export const callbackRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { ctx, center }) => {
  async function list(query: Static<typeof ListQuery>, ownerId?: number) {
    const { state, queueId, limit, offset } = query;
    await center.log.flush(); // (what was asked for a moment ago is in the database)
    const page = await listCallbacks(ctx.database.db, { limit, offset }, {
      states: STATES[state]!, ...(queueId !== undefined ? { queueId } : {}), ...(ownerId !== undefined ? { ownerId } : {}),
    });
    return { ...page, items: page.items.map(view) };
  }

  function cancel(callId: string, by: string): void {
    const outcome = center.callbacks.cancel(callId, by);
    if (outcome === 'unknown') throw new ApiError('ERR_NOT_FOUND', `no open callback for call ${callId}`);
    if (outcome === 'dialing') throw new ApiError('ERR_INVALID_STATE', 'the customer is being dialled right now: it cannot be cancelled');
  }

  /**
   * Changes an open callback: moves it to `iso` (in the future, within 7 days, while its queue is open), and/or hands it
   * to another agent (`agentId`; null: anyone), who must exist.
   */
  async function reschedule(callId: string, change: { at?: string; agentId?: number | null }, by: string): Promise<Static<typeof CallbackView>> {
    const queueId = center.callbacks.queueOf(callId)?.id;
    if (queueId === undefined) throw new ApiError('ERR_NOT_FOUND', `no open callback for call ${callId}`);
    if (change.at === undefined && change.agentId === undefined) throw new ApiError('ERR_VALIDATION', 'body: give at (another time) or agentId (another agent, null: anyone)');
    const at = change.at === undefined ? undefined : callbackTime(change.at, await getQueue(ctx.database.db, queueId));
    if (typeof change.agentId === 'number' && (await getAgent(ctx.database.db, change.agentId)) === undefined) {
      throw new ApiError('ERR_VALIDATION', `body.agentId: no agent ${change.agentId}`, 'body.agentId');
    }
    const owner = change.agentId === undefined ? {} : { owner: change.agentId === null ? null : String(change.agentId) };
    const r = center.callbacks.reschedule(callId, { ...(at === undefined ? {} : { at }), ...owner }, by);
    if (r.outcome === 'unknown') throw new ApiError('ERR_NOT_FOUND', `no open callback for call ${callId}`);
    if (r.outcome === 'dialing') throw new ApiError('ERR_INVALID_STATE', 'the customer is being dialled right now: it cannot be changed');
    return { callId, number: r.number, scheduledFor: r.scheduledFor?.toISOString() ?? null };
  }

  /** An agent may change only the personal callbacks they arranged. */
  function checkOwner(callId: string, me: number): void {
    const owner = center.callbacks.ownerOf(callId);
    if (owner === undefined) throw new ApiError('ERR_NOT_FOUND', `no open callback for call ${callId}`);
    if (owner !== String(me)) throw new ApiError('ERR_FORBIDDEN', `the callback of call ${callId} is not one you arranged: a supervisor can change it`);
  }

  const RescheduleBody = Type.Object({ at: CallbackAt }, { additionalProperties: false });
  const ChangeBody = Type.Object(
    {
      at: Type.Optional(CallbackAt),
      agentId: Type.Optional(Nullable(Type.Integer({ minimum: 1, description: 'the agent it is offered to first (a personal callback); null: anyone' }))),
    },
    { additionalProperties: false },
  );

  app.get('/api/callbacks', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'Callbacks, the next due first: open ones (in line, due later, being dialled) by default',
      querystring: ListQuery,
      response: { 200: PageOf(Callback), ...errors() },
    },
  }, async (request) => list(request.query));

  app.delete('/api/callbacks/:callId', {
    config: { roles: READERS },
    schema: { tags, security, summary: 'Cancel an open callback (not while it is being dialled)', params: CallbackParams, response: { 204: Type.Null(), ...errors(404, 409) } },
  }, async (request, reply) => {
    cancel(request.params.callId, caller(request).login);
    return reply.status(204).send(null);
  });

  app.put('/api/callbacks/:callId', {
    config: { roles: READERS },
    schema: {
      tags, security, summary: 'Move an open callback to another time (it joins the line then) or hand it to another agent (it keeps its time or place); not while it is being dialled',
      params: CallbackParams, body: ChangeBody, response: { 200: CallbackView, ...errors(404, 409) },
    },
  }, async (request) => reschedule(request.params.callId, request.body, caller(request).login));

  app.put('/api/agent/callbacks/:callId', agentDesk('The agent moves a personal callback they arranged to another time (not while it is being dialled)', {
    params: CallbackParams,
    body: RescheduleBody,
    response: { 200: CallbackView, ...errors(403, 404, 409) },
  }), async (request) => {
    checkOwner(request.params.callId, caller(request).sub);
    return reschedule(request.params.callId, { at: request.body.at }, caller(request).login);
  });

  app.get('/api/agent/callbacks', agentDesk("The agent's personal callbacks (the ones they arranged on a call), the next due first: open ones by default", {
    querystring: ListQuery,
    response: { 200: PageOf(Callback), ...errors() },
  }), async (request) => list(request.query, caller(request).sub));

  app.delete('/api/agent/callbacks/:callId', agentDesk('The agent cancels a personal callback they arranged (not while it is being dialled)', {
    params: CallbackParams,
    response: { 204: Type.Null(), ...errors(403, 404, 409) },
  }), async (request, reply) => {
    const { callId } = request.params;
    checkOwner(callId, caller(request).sub);
    cancel(callId, caller(request).login);
    return reply.status(204).send(null);
  });

  // A voicemail answered by calling the customer back: a callback in the message's queue (now, or when it opens),
  // which the ACD routes like any other; the voicemail is marked dealt with.
  app.post('/api/voicemails/:id/callback', {
    config: { roles: READERS },
    schema: {
      tags: ['voicemail'],
      security,
      summary: "Call back the customer who left a voicemail: a callback to the caller's number in the message's queue, now (or when the queue opens); the voicemail is then done",
      params: IdParams,
      response: { 201: CallbackView, ...errors(404, 409, 503) },
    },
  }, async (request, reply) => {
    const db = ctx.database.db;
    const v = await getVoicemail(db, request.params.id);
    if (v === undefined) throw new ApiError('ERR_NOT_FOUND', `voicemail ${request.params.id} not found`);
    const number = numberOfUri(v.caller);
    if (number === null) throw new ApiError('ERR_INVALID_STATE', `the caller (${v.caller}) left no phone number to call back`);
    const queue = v.queueId === null ? undefined : await getQueue(db, v.queueId);
    if (queue === undefined) throw new ApiError('ERR_INVALID_STATE', "the voicemail's queue was deleted: no queue to call back from");
    const now = new Date();
    const at = closedNow(queue, now) === null ? now : queueNextOpening(queue, now);
    if (at === null) throw new ApiError('ERR_CLOSED', 'the queue does not open within the next 7 days: no callback can be arranged');
    const created = callbackCreated(center.scheduleCallback(queue, { number, at, language: v.language ?? queue.language ?? 'en', customerId: v.customerId, page: null }));
    await setVoicemailDone(db, v.id, true, caller(request).sub);
    center.board.storedChanged();
    return reply.status(201).send(created);
  });
};
