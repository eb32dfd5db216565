import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MUSIC_ON_HOLD, MediaError, PromptStore, recordingOf } from '../../media/index.ts';
import type { AppContext } from '../app-context.ts';
import { ApiError } from '../http/errors.ts';
import { LanguageCode, errors } from '../http/schemas.ts';

const tags = ['prompts'];
const security = [{ bearer: [] }];
/** A recording's size at most (a minute of 48 kHz 16-bit stereo is about 11 MB). */
const MAX_RECORDING_BYTES = 16 * 1024 * 1024;

/** `n/3`, `all-agents-busy`, `welcome-sales`: the names prompts play by (a folder part is written with "/"). */
const PromptParams = Type.Object({
  language: LanguageCode,
  // (the name's own pattern is checked by the store, which names the problem)
  '*': Type.String({ minLength: 1, maxLength: 100 }),
});

/**
 * Prompts admins record: the waiting room's (all-agents-busy, you-are-number, …) in a voice of their own instead of the
 * shipped speech, and any name an IVR menu plays with a prompt text "@<name>". A recording replaces the shipped
 * prompt of its name until it is deleted.
 */
export const promptRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const store = new PromptStore(ctx.config.dataDir);
  app.addContentTypeParser(['audio/wav', 'audio/x-wav', 'audio/wave'], { parseAs: 'buffer', bodyLimit: MAX_RECORDING_BYTES }, (_req, body, done) => done(null, body));

  /** The store's refusals as API errors: a bad name (TypeError) 400 naming the name, a MediaError by `media`. */
  const refused = (err: unknown, media: (e: MediaError) => ApiError): never => {
    if (err instanceof TypeError) throw new ApiError('ERR_VALIDATION', `params.name: ${err.message}`, 'params.name');
    if (err instanceof MediaError) throw media(err);
    throw err;
  };

  // Admins hear a prompt before callers do: a text as the menus play it (the same voice and cache; "@<name>": the recording).
  app.post('/api/speech', {
    schema: {
      tags,
      security,
      summary: 'Plays a prompt text as IVR menus do (espeak-ng; "@<name>": that recording), to hear it before saving it: a WAV file',
      body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }), language: LanguageCode }, { additionalProperties: false }),
      response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'audio/wav' }), ...errors(422) },
    },
  }, async (request, reply) => {
    const { text, language } = request.body;
    if (text.trim() === '') throw new ApiError('ERR_VALIDATION', 'body.text: must hold something to say', 'body.text');
    const recording = recordingOf(text);
    const [file] = await store.files([{ text }], language).catch((err: unknown) =>
      refused(err, () => recording !== null
        ? new ApiError('ERR_UNKNOWN_REFERENCE', `body.text: no recording "${recording}" in "${language}"`, 'body.text')
        : new ApiError('ERR_UNKNOWN_REFERENCE', `body.language: no voice speaks "${language}"`, 'body.language')));
    return reply.type('audio/wav').send(await readFile(file!));
  });

  // A browser caller on hold hears this from their own page: rtpengine's music into a WebRTC call would leave the
  // agent's audio dead in Chrome after resume (media/README.md), so the widget plays it itself.
  app.get('/api/public/music-on-hold', {
    config: { roles: 'public' },
    schema: {
      tags: ['public'],
      summary: 'The music on hold (the recording an admin made, else the shipped one): the widget plays it while the agent holds the call',
      response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'audio/wav' }) },
    },
  }, async (_request, reply) => {
    const file = store.resolve(MUSIC_ON_HOLD, 'en');
    return reply.type('audio/wav').header('cache-control', 'public, max-age=300').send(await readFile(file));
  });

  app.get('/api/prompts', {
    config: { roles: ['admin', 'supervisor'] },
    schema: {
      tags, security, summary: 'Every prompt by language: shipped, recorded by an admin (which then plays instead), or both',
      response: { 200: Type.Object({ items: Type.Array(Type.Object({ name: Type.String(), language: Type.String(), shipped: Type.Boolean(), custom: Type.Boolean() })) }), ...errors() },
    },
  }, async () => ({ items: store.list() }));

  app.get('/api/prompts/:language/*', {
    config: { roles: ['admin', 'supervisor'] },
    schema: { tags, security, summary: 'The WAV that plays for a prompt (the recording, else the shipped one)', params: PromptParams, response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errors(404) } },
  }, async (request, reply) => {
    const { language, '*': name } = request.params;
    let file = '';
    try {
      file = store.resolve(name, language);
    } catch (err) {
      refused(err, () => new ApiError('ERR_NOT_FOUND', `no prompt "${name}" in "${language}"`));
    }
    return reply.type('audio/wav').send(await readFile(file));
  });

  app.put('/api/prompts/:language/*', {
    schema: {
      tags, security, summary: 'Records a prompt: a WAV body (Content-Type audio/wav, any rate or channels), stored as 8 kHz mono; plays instead of the shipped one of that name',
      params: PromptParams,
      response: { 204: Type.Null(), ...errors(413) },
    },
  }, async (request, reply) => {
    const { language, '*': name } = request.params;
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw new ApiError('ERR_VALIDATION', 'body: send the recording as a WAV file with Content-Type audio/wav', 'body');
    await store.saveCustom(name, language, body).catch((err: unknown) => refused(err, (e) => new ApiError('ERR_VALIDATION', `body: ${e.message}`, 'body')));
    ctx.logger.info({ name, language, bytes: body.length }, 'prompt recorded');
    return reply.status(204).send(null);
  });

  app.delete('/api/prompts/:language/*', {
    schema: { tags, security, summary: "Deletes an admin's recording: the shipped prompt of that name plays again", params: PromptParams, response: { 204: Type.Null(), ...errors(404) } },
  }, async (request, reply) => {
    const { language, '*': name } = request.params;
    const none = () => new ApiError('ERR_NOT_FOUND', `no recording of "${name}" in "${language}"`);
    let removed = false;
    try {
      removed = store.removeCustom(name, language);
    } catch (err) {
      refused(err, none);
    }
    if (!removed) throw none();
    return reply.status(204).send(null);
  });
};
