import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { CallCenter } from '../calls/call-center.ts';
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

/** The supervisors' live view over REST (the same view is pushed on /ws/supervisor). */
export const supervisionRoutes: FastifyPluginAsyncTypebox<{ center: CallCenter }> = async (app, { center }) => {
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
    const { since } = request.query;
    const from = since === undefined ? undefined : new Date(since);
    if (from !== undefined && Number.isNaN(from.getTime())) throw new ApiError('ERR_VALIDATION', 'since must be a date-time', 'querystring.since');
    if (from !== undefined && from.getTime() > Date.now()) throw new ApiError('ERR_VALIDATION', 'since must not be in the future', 'querystring.since');
    return center.board.view(from);
  });
};
