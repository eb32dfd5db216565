import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { QUEUE_EVENT_TYPES } from '../../db/schema.ts';
import type { AppContext } from '../app-context.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { type WebhookSettings, webhookUrlProblem } from '../calls/webhooks.ts';
import { ApiError } from '../http/errors.ts';
import { Nullable, errors } from '../http/schemas.ts';

const tags = ['settings'];
const security = [{ bearer: [] }];

const View = Type.Object({
  url: Nullable(Type.String()),
  /** the secret is never shown, only whether one is set */
  secretSet: Type.Boolean(),
  events: Nullable(Type.Array(Type.String(), { description: 'the queue log events sent; null: all' })),
  stats: Type.Object({
    delivered: Type.Integer(),
    failures: Type.Integer({ description: 'deliveries that failed (each is retried, after 1, 2, 4 … 60 s)' }),
    dropped: Type.Integer({ description: 'events dropped while over 10 000 waited' }),
    pending: Type.Integer(),
    lastError: Nullable(Type.String()),
    lastDeliveredAt: Nullable(Type.String({ format: 'date-time' })),
  }),
});

function view(center: CallCenter) {
  const s = center.webhooks.settings;
  return { url: s.url, secretSet: s.secret !== null, events: s.events, stats: center.webhooks.stats };
}

/**
 * The webhook (admins): the queue log's events, as they happen, POSTed to a URL of the admin's (a CRM, a data
 * warehouse, a chat alert), signed with a secret.
 */
export const webhookSettingsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { center }) => {
  app.get('/api/settings/webhook', {
    schema: { tags, security, summary: 'Where the call center sends its events, and how delivery goes', response: { 200: View, ...errors() } },
  }, async () => view(center));

  app.put('/api/settings/webhook', {
    schema: {
      tags,
      security,
      summary: 'Send the queue log events to a URL (POST {"events":[…]}, signed: X-Callflow-Signature sha256=HMAC(secret, "<X-Callflow-Timestamp>.<body>")); url null: none',
      body: Type.Object(
        {
          url: Nullable(Type.String({ minLength: 1, maxLength: 2000 })),
          secret: Type.Optional(Nullable(Type.String({ minLength: 16, maxLength: 200, description: 'left out: the one set stays; null: unsigned' }))),
          events: Type.Optional(Nullable(Type.Array(Type.String(), { maxItems: 100, uniqueItems: true, description: `some of ${QUEUE_EVENT_TYPES.join(', ')}; null: all` }))),
        },
        { additionalProperties: false },
      ),
      response: { 200: View, ...errors() },
    },
  }, async (request) => {
    const b = request.body;
    const bad = b.url === null ? null : webhookUrlProblem(b.url);
    if (bad !== null) throw new ApiError('ERR_VALIDATION', `body.url: ${bad}`, 'body.url');
    const unknown = (b.events ?? []).filter((e) => !(QUEUE_EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length > 0) throw new ApiError('ERR_VALIDATION', `body.events: unknown ${unknown.join(', ')}; the events are ${QUEUE_EVENT_TYPES.join(', ')}`, 'body.events');
    const current = center.webhooks.settings;
    const settings: WebhookSettings = {
      url: b.url,
      secret: b.secret === undefined ? current.secret : b.secret,
      events: b.events === undefined ? current.events : b.events,
    };
    await center.webhooks.configure(settings);
    return view(center);
  });

  app.post('/api/settings/webhook/test', {
    schema: {
      tags,
      security,
      summary: 'Sends a PING event to the webhook now and says how the receiver answered',
      response: { 200: Type.Object({ ok: Type.Boolean(), status: Nullable(Type.Integer()), ms: Type.Integer(), error: Nullable(Type.String()) }), ...errors(409) },
    },
  }, async () => {
    if (center.webhooks.settings.url === null) throw new ApiError('ERR_INVALID_STATE', 'no webhook URL is set (PUT /api/settings/webhook)');
    return center.webhooks.test();
  });
};
