import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { erlangA, erlangC, staffing } from '../../acd/queueing.ts';
import type { AppContext } from '../app-context.ts';
import { ApiError } from '../http/errors.ts';
import { errors } from '../http/schemas.ts';
import { scenarioFromConfig } from '../planning/scenario-from-config.ts';
import { Simulations } from '../planning/simulation.ts';

const tags = ['planning'];
const security = [{ bearer: [] }];
const PLANNERS = ['admin', 'supervisor'] as const;

const Model = Type.Object({
  agents: Type.Integer(),
  serviceLevel: Type.Number({ description: 'answered within the threshold ÷ answered (0..1)' }),
  serviceLevelOffered: Type.Number({ description: 'answered within the threshold ÷ (answered + abandoned)' }),
  asa: Type.Number({ description: 'mean wait of answered calls, seconds' }),
  probWait: Type.Number(),
  abandonRate: Type.Number(),
  occupancy: Type.Number(),
});

/** The what-if tools: the staffing calculator (Erlang C / Erlang A) and the simulator on the live configuration. */
export const planningRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const simulations = new Simulations();
  app.addHook('onClose', async () => simulations.close());

  app.post('/api/planning/staffing', {
    config: { roles: PLANNERS },
    schema: {
      tags,
      security,
      summary: 'Agents needed for a service-level target (Erlang C, or Erlang A with patienceSeconds), with the figures around that number',
      body: Type.Object(
        {
          ratePerHour: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
          handleSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }),
          serviceLevelSeconds: Type.Number({ minimum: 0, maximum: 3600 }),
          targetServiceLevel: Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'e.g. 0.8 for 80 %' }),
          maxOccupancy: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
          patienceSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400, description: 'mean patience of callers: abandons (Erlang A)' })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ model: Type.String(), needed: Model, around: Type.Array(Model) }), ...errors() },
    },
  }, async (request) => {
    const b = request.body;
    let needed;
    try {
      needed = staffing({ ...b, maxAgents: 20_000 });
    } catch (err) {
      if (err instanceof RangeError || err instanceof TypeError) throw new ApiError('ERR_VALIDATION', err.message, 'body');
      throw err;
    }
    const around = [];
    for (let c = Math.max(1, needed.agents - 2); c <= needed.agents + 2; c++) {
      const input = { ratePerHour: b.ratePerHour, handleSeconds: b.handleSeconds, agents: c, serviceLevelSeconds: b.serviceLevelSeconds };
      const r = b.patienceSeconds === undefined ? erlangC(input) : erlangA({ ...input, patienceSeconds: b.patienceSeconds });
      if (r.stable) around.push({ ...r, agents: c });
    }
    return { model: b.patienceSeconds === undefined ? 'erlang-c' : 'erlang-a', needed, around };
  });

  app.get('/api/planning/scenario', {
    config: { roles: PLANNERS },
    schema: {
      tags,
      security,
      summary: 'A simulator scenario of the live configuration (queues, agents grouped by profile, last week\'s calls an hour and handle time), to edit and run',
      querystring: Type.Object({ hours: Type.Integer({ minimum: 1, maximum: 168, default: 8 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ scenario: Type.Record(Type.String(), Type.Unknown()), notes: Type.Array(Type.String()) }), ...errors() },
    },
  }, async (request) => scenarioFromConfig(ctx.database.db, request.query.hours));

  app.post('/api/planning/simulate', {
    config: { roles: PLANNERS },
    schema: {
      tags,
      security,
      summary: 'Runs a scenario (shared format of npm run sim) on the real routing engine, off the server\'s event loop: a week of simulated time, 2 000 agents and 200 000 calls at most, 20 s of computing',
      body: Type.Record(Type.String(), Type.Unknown()),
      response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errors(429, 503) },
    },
  }, async (request) => {
    const outcome = await simulations.run(request.body);
    if (outcome.ok) return { ...outcome.report };
    const code = outcome.status === 400 ? 'ERR_VALIDATION' : outcome.status === 429 ? 'ERR_TOO_MANY_REQUESTS' : 'ERR_UNAVAILABLE';
    throw new ApiError(code, outcome.message, outcome.status === 400 ? 'body' : undefined);
  });
};
