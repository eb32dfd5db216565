import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { CODE_PATTERN, MAX_REASONS, SYSTEM_REASONS, reasonsProblem } from '../calls/not-ready-reasons.ts';
import { ApiError } from '../http/errors.ts';
import { Nullable, errors } from '../http/schemas.ts';

const tags = ['settings'];
const security = [{ bearer: [] }];

const Reason = Type.Object(
  {
    code: Type.String({ pattern: CODE_PATTERN, description: 'what the ACD, the queue log and the reports keep: lower-case letters, digits, dashes' }),
    label: Type.String({ minLength: 1, maxLength: 60, description: 'what agents and supervisors read' }),
    maxMinutes: Nullable(Type.Integer({ minimum: 1, maximum: 1440, description: 'the wall-board flags an agent away for longer; null: no limit' })),
  },
  { additionalProperties: false },
);
const View = Type.Object({
  items: Type.Array(Reason),
  /** the server's own reasons (not an agent's choice), by code: what people read for them */
  system: Type.Record(Type.String(), Type.String()),
  source: Type.Union([Type.Literal('database'), Type.Literal('default')]),
});

/** The reasons agents give for going not ready ("aux codes"): everyone signed in reads them, admins set them. */
export const notReadyReasonRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { center }) => {
  const reasons = center.notReadyReasons;
  const view = () => ({ items: reasons.list.map((r) => ({ ...r })), system: { ...SYSTEM_REASONS }, source: reasons.stored ? ('database' as const) : ('default' as const) });

  app.get('/api/not-ready-reasons', {
    config: { roles: ['admin', 'supervisor', 'agent'] },
    schema: { tags, security, summary: 'The reasons an agent may give for going not ready (break, lunch…), in the order the agent page lists them', response: { 200: View, ...errors() } },
  }, async () => view());

  app.put('/api/not-ready-reasons', {
    schema: {
      tags,
      security,
      summary: 'Set the reasons agents may give for going not ready (admins); the first is the agent page\'s default',
      description: 'An agent going not ready with a code not in the list is refused (400 naming the codes). Agents already not ready keep their reason; reports keep old codes.',
      body: Type.Object({ items: Type.Array(Reason, { minItems: 1, maxItems: MAX_REASONS }) }, { additionalProperties: false }),
      response: { 200: View, ...errors() },
    },
  }, async (request) => {
    const problem = reasonsProblem(request.body.items);
    if (problem !== null) throw new ApiError('ERR_VALIDATION', `body.${problem}`, 'body.items');
    await reasons.save(request.body.items);
    return view();
  });
};
