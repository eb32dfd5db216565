import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listCallbacks } from '../../db/repositories/callbacks.ts';
import type { CallbackRow, CallbackState } from '../../db/schema.ts';
import type { AppContext } from '../app-context.ts';
import { caller } from '../auth/guard.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { ApiError } from '../http/errors.ts';
import { Nullable, PageOf, errors } from '../http/schemas.ts';

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
});

const STATES: Record<string, readonly CallbackState[]> = {
  open: ['waiting', 'scheduled', 'dialing'],
  done: ['completed', 'failed', 'cancelled'],
  all: ['waiting', 'scheduled', 'dialing', 'completed', 'failed', 'cancelled'],
};

function view(c: CallbackRow & { queue_name: string }) {
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
  };
}

/** The callbacks customers asked for: listed, and cancelled (supervisors and admins). */
export const callbackRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { ctx, center }) => {
  app.get('/api/callbacks', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'Callbacks, the next due first: open ones (in line, due later, being dialled) by default',
      querystring: Type.Object(
        {
          state: Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('all')], { default: 'open' }),
          queueId: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        },
        { additionalProperties: false },
      ),
      response: { 200: PageOf(Callback), ...errors() },
    },
  }, async (request) => {
    const { state, queueId, limit, offset } = request.query;
    await center.log.flush(); // (what was asked for a moment ago is in the database)
    const page = await listCallbacks(ctx.database.db, { limit, offset }, { states: STATES[state]!, ...(queueId !== undefined ? { queueId } : {}) });
    return { ...page, items: page.items.map(view) };
  });

  app.delete('/api/callbacks/:callId', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'Cancel an open callback (not while it is being dialled)',
      params: Type.Object({ callId: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 204: Type.Null(), ...errors(404, 409) },
    },
  }, async (request, reply) => {
    const outcome = center.callbacks.cancel(request.params.callId, caller(request).login);
    if (outcome === 'unknown') throw new ApiError('ERR_NOT_FOUND', `no open callback for call ${request.params.callId}`);
    if (outcome === 'dialing') throw new ApiError('ERR_INVALID_STATE', 'the customer is being dialled right now: it cannot be cancelled');
    return reply.status(204).send(null);
  });
};
