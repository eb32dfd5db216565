import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { getCall, listCalls, listQueueEvents } from '../../db/repositories/call-log.ts';
import { callRecordingAudio, deleteCallRecording, recordingsOfCall } from '../../db/repositories/call-recordings.ts';
import { notesOfCalls } from '../../db/repositories/call-notes.ts';
import type { CallRow } from '../../db/schema.ts';
import type { AppContext } from '../app-context.ts';
import { notFound } from '../http/errors.ts';
import { CallNoteView, IdParams, PageOf, errors, noteView } from '../http/schemas.ts';
import { Wav, sendStoredWav } from '../http/wav.ts';

const tags = ['calls'];
const security = [{ bearer: [] }];
const READERS = ['admin', 'supervisor'] as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Time = Nullable(Type.String({ format: 'date-time' }));

const Call = Type.Object({
  id: Type.String(),
  queueId: Nullable(Type.Integer()),
  agentId: Nullable(Type.Integer()),
  direction: Type.String(),
  channel: Type.String(),
  caller: Type.String(),
  customerId: Nullable(Type.String()),
  language: Nullable(Type.String()),
  context: Type.Record(Type.String(), Type.Unknown()),
  state: Type.String(),
  endReason: Nullable(Type.String()),
  disposition: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  queuedAt: Time,
  answeredAt: Time,
  endedAt: Time,
  waitSeconds: Nullable(Type.Number()),
  talkSeconds: Nullable(Type.Number()),
  wrapUpSeconds: Nullable(Type.Number()),
  surveyScore: Nullable(Type.Integer({ description: "the caller's rating of the call, 1–5 (post-call survey)" })),
});
const QueueEvent = Type.Object({
  at: Type.String({ format: 'date-time' }),
  event: Type.String(),
  queueId: Nullable(Type.Integer()),
  agentId: Nullable(Type.Integer()),
  data: Type.Record(Type.String(), Type.Unknown()),
});

const Recording = Type.Object({
  id: Type.Integer({ description: 'GET /api/recordings/{id}/audio' }),
  agentId: Nullable(Type.Integer({ description: 'the agent who took the call (the first, when it was transferred)' })),
  startedAt: Type.String({ format: 'date-time' }),
  seconds: Type.Number(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function view(c: CallRow) {
  return {
    id: c.id,
    queueId: c.queue_id,
    agentId: c.agent_id,
    direction: c.direction,
    channel: c.channel,
    caller: c.caller,
    customerId: c.customer_id,
    language: c.language,
    context: c.context,
    state: c.state,
    endReason: c.end_reason,
    disposition: c.disposition,
    createdAt: c.created_at.toISOString(),
    queuedAt: iso(c.queued_at),
    answeredAt: iso(c.answered_at),
    endedAt: iso(c.ended_at),
    waitSeconds: c.wait_seconds,
    talkSeconds: c.talk_seconds,
    wrapUpSeconds: c.wrap_up_seconds,
    surveyScore: c.survey_score,
  };
}

/** Call records and their queue events, newest first (supervisors and admins). */
export const callRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const db = ctx.database.db;
  app.get('/api/calls', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'Call records, newest first; of one queue, one agent (the last who had the call) or one disposition',
      querystring: Type.Object(
        {
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
          queueId: Type.Optional(Type.Integer({ minimum: 1 })),
          agentId: Type.Optional(Type.Integer({ minimum: 1, description: 'calls this agent talked on (each agent of a transferred call)' })),
          disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        },
        { additionalProperties: false },
      ),
      response: { 200: PageOf(Call), ...errors() },
    },
  }, async (request) => {
    const { limit, offset, ...filter } = request.query;
    const page = await listCalls(db, { limit, offset }, filter);
    return { ...page, items: page.items.map(view) };
  });

  app.get('/api/calls/:id', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'One call record with its queue events in order',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: Type.Intersect([Call, Type.Object({ events: Type.Array(QueueEvent), recordings: Type.Array(Recording), notes: Type.Array(CallNoteView) })]), ...errors(404) },
    },
  }, async (request) => {
    const call = await getCall(db, request.params.id);
    if (call === undefined) throw notFound('call', request.params.id);
    const [events, recordings, notes] = await Promise.all([listQueueEvents(db, { callId: call.id }), recordingsOfCall(db, call.id), notesOfCalls(db, [call.id])]);
    return {
      ...view(call),
      events: events.map((e) => ({ at: e.at.toISOString(), event: e.event, queueId: e.queue_id, agentId: e.agent_id, data: e.data })),
      recordings: recordings.map((r) => ({ id: r.id, agentId: r.agentId, startedAt: r.startedAt.toISOString(), seconds: Math.round(r.seconds * 10) / 10 })),
      notes: notes.map(noteView),
    };
  });

  // Call recordings (a queue with recordCalls): supervisors and admins hear them, only admins delete them.
  app.get('/api/recordings/:id/audio', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'A call recording as a WAV file (8 kHz, 16-bit, stereo: the customer left, the agent right)',
      params: IdParams,
      response: { 200: Wav, ...errors(404) },
    },
  }, async (request, reply) => sendStoredWav(reply, await callRecordingAudio(db, request.params.id), 'recording', request.params.id));

  app.delete('/api/recordings/:id', {
    config: { roles: ['admin'] },
    schema: { tags, security, summary: 'Deletes a call recording', params: IdParams, response: { 204: Type.Null(), ...errors(404) } },
  }, async (request, reply) => {
    if (!(await deleteCallRecording(db, request.params.id))) throw notFound('recording', request.params.id);
    return reply.status(204).send(null);
  });
};
