import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type Voicemail, deleteVoicemail, listVoicemails, setVoicemailDone, voicemailAudio } from '../../db/repositories/voicemails.ts';
import type { AppContext } from '../app-context.ts';
import { caller } from '../auth/guard.ts';
import { numberOfUri } from '../calls/phone-numbers.ts';
import { notFound } from '../http/errors.ts';
import { IdParams, PageOf, PageQuery, errors } from '../http/schemas.ts';
import { Wav, sendStoredWav } from '../http/wav.ts';

const tags = ['voicemail'];
const security = [{ bearer: [] }];
const READERS = ['admin', 'supervisor'] as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const VoicemailView = Type.Object({
  id: Type.Integer(),
  callId: Type.String({ description: 'the call record (GET /api/calls/{callId})' }),
  queueId: Nullable(Type.Integer()),
  caller: Type.String({ description: "a phone's SIP URI, or the browser caller's" }),
  number: Nullable(Type.String({ description: 'the phone number the caller called from (a callback can reach it: POST /api/voicemails/{id}/callback), null when none' })),
  customerId: Nullable(Type.String()),
  language: Nullable(Type.String()),
  seconds: Type.Number(),
  createdAt: Type.String({ format: 'date-time' }),
  doneAt: Nullable(Type.String({ format: 'date-time', description: 'when someone marked it dealt with; null: new' })),
  doneBy: Nullable(Type.Integer({ description: 'the user who did' })),
});

function view(v: Voicemail) {
  return { ...v, number: numberOfUri(v.caller), seconds: Math.round(v.seconds * 10) / 10, createdAt: v.createdAt.toISOString(), doneAt: v.doneAt?.toISOString() ?? null };
}

/**
 * Voicemail: the messages callers left when their queue overflowed to voicemail (`overflow: {"action":"voicemail"}`),
 * for supervisors and admins to hear, mark dealt with, and delete.
 */
export const voicemailRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; onChange?: () => void }> = async (app, { ctx, onChange }) => {
  const db = ctx.database.db;

  app.get('/api/voicemails', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'Voicemails, newest first: new ones (default), the ones dealt with, or all; of one queue',
      querystring: Type.Object(
        {
          ...PageQuery.properties,
          queueId: Type.Optional(Type.Integer({ minimum: 1 })),
          state: Type.Union([Type.Literal('new'), Type.Literal('done'), Type.Literal('all')], { default: 'new' }),
        },
        { additionalProperties: false },
      ),
      response: { 200: PageOf(VoicemailView), ...errors() },
    },
  }, async (request) => {
    const { limit, offset, queueId, state } = request.query;
    const page = await listVoicemails(db, { state, ...(queueId !== undefined ? { queueId } : {}) }, { limit, offset });
    return { ...page, items: page.items.map(view) };
  });

  app.get('/api/voicemails/:id/audio', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'The message as a WAV file (8 kHz, 16-bit, mono)',
      params: IdParams,
      response: { 200: Wav, ...errors(404) },
    },
  }, async (request, reply) => sendStoredWav(reply, await voicemailAudio(db, request.params.id), 'voicemail', request.params.id));

  app.put('/api/voicemails/:id', {
    config: { roles: READERS },
    schema: {
      tags,
      security,
      summary: 'Marks a voicemail dealt with (done: true: by you, now) or new again (false)',
      params: IdParams,
      body: Type.Object({ done: Type.Boolean() }, { additionalProperties: false }),
      response: { 200: VoicemailView, ...errors(404) },
    },
  }, async (request) => {
    const v = await setVoicemailDone(db, request.params.id, request.body.done, caller(request).sub);
    if (v === undefined) throw notFound('voicemail', request.params.id);
    onChange?.();
    return view(v);
  });

  app.delete('/api/voicemails/:id', {
    config: { roles: READERS },
    schema: { tags, security, summary: 'Deletes a voicemail and its audio', params: IdParams, response: { 204: Type.Null(), ...errors(404) } },
  }, async (request, reply) => {
    if (!(await deleteVoicemail(db, request.params.id))) throw notFound('voicemail', request.params.id);
    onChange?.();
    return reply.status(204).send(null);
  });
};
