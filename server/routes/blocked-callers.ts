import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type BlockedCaller, blockCaller, listBlockedCallers, unblockCaller } from '../../db/repositories/blocked-callers.ts';
import { getCall } from '../../db/repositories/call-log.ts';
import type { AppContext } from '../app-context.ts';
import { caller } from '../auth/guard.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { customerKey } from '../calls/call-log-writer.ts';
import { normalizeNumber } from '../calls/phone-numbers.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { IdParams, Nullable, errors } from '../http/schemas.ts';

const tags = ['calls'];
const security = [{ bearer: [] }];
const STAFF = ['admin', 'supervisor'] as const;

const BlockedCallerView = Type.Object({
  id: Type.Integer(),
  number: Nullable(Type.String({ description: 'the phone number blocked' })),
  customerId: Nullable(Type.String({ description: "the web page's customer id blocked" })),
  reason: Type.String(),
  blockedBy: Nullable(Type.String({ description: 'the login of who blocked them' })),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Nullable(Type.String({ format: 'date-time', description: 'null: until unblocked' })),
  active: Type.Boolean({ description: 'false once expired' }),
});

function view(b: BlockedCaller, now: number) {
  const key = b.customerKey;
  return {
    id: b.id,
    number: key.startsWith('tel:') ? key.slice(4) : null,
    customerId: key.startsWith('id:') ? key.slice(3) : null,
    reason: b.reason,
    blockedBy: b.blockedBy,
    createdAt: b.createdAt.toISOString(),
    expiresAt: b.expiresAt?.toISOString() ?? null,
    active: b.expiresAt === null || b.expiresAt.getTime() > now,
  };
}

/**
 * Blocked callers (supervisors and admins): a customer, by phone number or by the customer id their web page passes,
 * whose calls are refused (a phone gets 603 Decline, the widget "Sorry, we cannot take your call.") and whose callback
 * requests too; for a while or until unblocked. A call from the history can be named instead: its caller is blocked.
 */
export const blockedCallerRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { ctx, center }) => {
  const db = ctx.database.db;

  app.get('/api/blocked-callers', {
    config: { roles: STAFF },
    schema: { tags, security, summary: 'The blocked callers, newest first (expired blocks too, until deleted)', response: { 200: Type.Array(BlockedCallerView), ...errors() } },
  }, async () => {
    const now = Date.now();
    return (await listBlockedCallers(db)).map((b) => view(b, now));
  });

  app.post('/api/blocked-callers', {
    config: { roles: STAFF },
    schema: {
      tags,
      security,
      summary: "Blocks a caller: by phone number, by web customer id, or as the caller of a call (exactly one of the three)",
      body: Type.Object(
        {
          number: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
          customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          callId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "a call record's id: its caller is blocked" })),
          reason: Type.Optional(Type.String({ maxLength: 500 })),
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'the block ends after this many days; none: until unblocked' })),
        },
        { additionalProperties: false },
      ),
      response: { 201: BlockedCallerView, ...errors(404, 409, 422) },
    },
  }, async (request, reply) => {
    const { number, customerId, callId, reason, days } = request.body;
    const given = [number, customerId, callId].filter((v) => v !== undefined).length;
    if (given !== 1) throw new ApiError('ERR_VALIDATION', 'name the caller by exactly one of number, customerId and callId', 'body');
    let key: string | null;
    if (number !== undefined) {
      const n = normalizeNumber(number);
      if (n === null) throw new ApiError('ERR_VALIDATION', 'body.number: not a phone number (digits, optionally a leading +, 4 to 20 of them)', 'body.number');
      key = customerKey(null, n);
    } else if (customerId !== undefined) {
      key = customerKey(customerId, '');
    } else {
      await center.log.flush();
      const call = await getCall(db, callId!);
      if (call === undefined) throw notFound('call', callId!);
      key = call.customer_key;
      if (key === null) throw new ApiError('ERR_UNKNOWN_REFERENCE', `the caller of call ${callId} is known by no phone number or customer id: there is nobody to block`, 'body.callId');
    }
    const expiresAt = days === undefined ? null : new Date(Date.now() + days * 86_400_000);
    const id = await blockCaller(db, { customerKey: key!, reason: reason?.trim() ?? '', blockedBy: caller(request).sub, expiresAt });
    await center.blocklist.reload();
    const b = (await listBlockedCallers(db)).find((x) => x.id === id)!;
    return reply.status(201).send(view(b, Date.now()));
  });

  app.delete('/api/blocked-callers/:id', {
    config: { roles: STAFF },
    schema: { tags, security, summary: 'Unblocks a caller', params: IdParams, response: { 204: Type.Null(), ...errors(404) } },
  }, async (request, reply) => {
    if (!(await unblockCaller(db, request.params.id))) throw notFound('blocked caller', String(request.params.id));
    await center.blocklist.reload();
    return reply.status(204).send(null);
  });
};
