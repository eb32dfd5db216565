import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { SipStack } from '../../sip/index.ts';
import { errors } from '../http/schemas.ts';
import type { AppContext } from '../app-context.ts';

const Count = (description: string) => Type.Integer({ minimum: 0, description });

const SipStats = Type.Object({
  received: Count('SIP messages received and parsed since start'),
  sent: Count('SIP messages sent since start'),
  dropped: Count('datagrams, frames and streams that could not be parsed or framed, dropped unanswered'),
  invalidRequests: Count('requests that parsed but broke a rule, answered with a 4xx/5xx'),
  droppedResponses: Count('invalid responses, and responses that matched no transaction'),
  authFailures: Count('REGISTERs and INVITEs whose credentials were wrong'),
  refusedConnections: Count('inbound TCP/TLS/WebSocket connections closed at once: over the limit per address or in all'),
  silentConnections: Count('connections closed because no SIP message came, or one begun did not end, in time'),
  activeDialogs: Count('dialogs (call legs) in progress'),
  bindings: Count('registered contacts'),
  serverTransactions: Count('server transactions in progress'),
  clientTransactions: Count('client transactions in progress'),
  overload: Type.Object({
    load: Type.Number({ description: 'event-loop utilisation of the last reading, 0..1' }),
    late: Count('retransmissions in the last reading'),
    rejectShare: Type.Number({ description: 'share of new INVITEs refused with 503 now' }),
    rejected: Count('new INVITEs refused with 503 since start'),
  }),
});

/** The SIP stack's counters, for admins watching what phones and the network send it (malformed traffic, floods). */
export const sipStatsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; sip: SipStack }> = async (app, { sip }) => {
  app.get('/api/sip/stats', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['system'],
      security: [{ bearer: [] }],
      summary: "The SIP stack's counters since start: messages received, sent and dropped, refused requests and connections, authentication failures, dialogs, registrations, overload",
      response: { 200: SipStats, ...errors() },
    },
  }, async () => sip.stats());
};
