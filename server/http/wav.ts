import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { notFound } from './errors.ts';

/** A WAV file in a response schema. */
export const Wav = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'audio/wav' });

/** Sends a stored recording (a voicemail, a call's) to its listener, or 404 naming `what` when there is none. */
export function sendStoredWav(reply: FastifyReply, audio: Buffer | undefined, what: string, id: number): FastifyReply {
  if (audio === undefined) throw notFound(what, id);
  // (private: personal data, kept in the listener's browser only, for an hour)
  return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(audio);
}
