import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import { type CallbackSettings, callerIdProblem, prefixProblem, trunkProblem } from '../calls/callback-settings.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { ApiError } from '../http/errors.ts';
import { Nullable, errors } from '../http/schemas.ts';

const tags = ['settings'];
const security = [{ bearer: [] }];

const View = Type.Object({
  trunk: Nullable(Type.String()),
  callerId: Type.String(),
  dialSeconds: Type.Integer(),
  retrySeconds: Type.Integer(),
  attempts: Type.Integer(),
  username: Nullable(Type.String()),
  /** the trunk's password is never shown, only whether one is set */
  passwordSet: Type.Boolean(),
  agentCalls: Type.Boolean(),
  allowedPrefixes: Type.Array(Type.String()),
  source: Type.Union([Type.Literal('database'), Type.Literal('environment')]),
});

const Body = Type.Object(
  {
    trunk: Nullable(Type.String({ maxLength: 300, description: 'SIP URI of the gateway without a user part, e.g. sip:gw.example.net:5060;transport=udp; null: no callbacks' })),
    callerId: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    dialSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 300 })),
    retrySeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600 })),
    attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    username: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100, description: "the trunk's account at its provider (digest authentication); null: none" }))),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'its password; left out: the one set stays' })),
    agentCalls: Type.Optional(Type.Boolean({ description: 'agents may dial phone numbers through the trunk (from their desk phone or the browser softphone)' })),
    allowedPrefixes: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 100, description: 'the numbers agents may dial start with one of these, e.g. ["+372", "+49"]; empty: any' })),
  },
  { additionalProperties: false },
);

function view(s: Readonly<CallbackSettings>, stored: boolean) {
  return {
    trunk: s.trunk,
    callerId: s.callerId,
    dialSeconds: s.dialSeconds,
    retrySeconds: s.retrySeconds,
    attempts: s.attempts,
    username: s.auth?.username ?? null,
    passwordSet: (s.auth?.password ?? '') !== '',
    agentCalls: s.agentCalls,
    allowedPrefixes: s.allowedPrefixes,
    source: stored ? ('database' as const) : ('environment' as const),
  };
}

/** How customers are called back: the trunk to their phones, caller id, ringing time, retries (admins). */
export const callbackSettingsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { center }) => {
  app.get('/api/settings/callbacks', {
    schema: { tags, security, summary: 'How customers are called back (the trunk, caller id, ringing time, retries)', response: { 200: View, ...errors() } },
  }, async () => {
    const { settings, stored } = center.callbackSettings;
    return view(settings, stored);
  });

  app.put('/api/settings/callbacks', {
    schema: {
      tags,
      security,
      summary: 'Set how customers are called back; kept in the database (over CALLBACK_*), used from the next attempt on',
      body: Body,
      response: { 200: View, ...errors() },
    },
  }, async (request) => {
    const b = request.body;
    const current = center.callbackSettings.settings;
    const trunk = b.trunk;
    const trunkBad = trunk === null ? null : trunkProblem(trunk);
    if (trunkBad !== null) throw new ApiError('ERR_VALIDATION', `body.trunk: ${trunkBad}`, 'body.trunk');
    const callerId = b.callerId ?? current.callerId;
    const callerIdBad = callerIdProblem(callerId);
    if (callerIdBad !== null) throw new ApiError('ERR_VALIDATION', `body.callerId: ${callerIdBad}`, 'body.callerId');
    const username = b.username === undefined ? (current.auth?.username ?? null) : b.username;
    const password = b.password ?? (username !== null && username === current.auth?.username ? current.auth.password : undefined);
    if (username !== null && password === undefined) throw new ApiError('ERR_VALIDATION', 'body.password: required with a new username', 'body.password');
    const prefixes = b.allowedPrefixes ?? current.allowedPrefixes;
    for (const [i, prefix] of prefixes.entries()) {
      const bad = prefixProblem(prefix);
      if (bad !== null) throw new ApiError('ERR_VALIDATION', `body.allowedPrefixes[${i}]: ${bad}`, 'body.allowedPrefixes');
    }
    const settings: CallbackSettings = {
      trunk,
      callerId,
      dialSeconds: b.dialSeconds ?? current.dialSeconds,
      retrySeconds: b.retrySeconds ?? current.retrySeconds,
      attempts: b.attempts ?? current.attempts,
      auth: username === null ? null : { username, password: password! },
      agentCalls: b.agentCalls ?? current.agentCalls,
      allowedPrefixes: prefixes,
    };
    await center.setCallbackSettings(settings);
    return view(settings, true);
  });
};
