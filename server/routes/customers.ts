import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { eraseCustomer, openCallbacksOf } from '../../db/repositories/erase.ts';
import type { AppContext } from '../app-context.ts';
import type { CallCenter } from '../calls/call-center.ts';
import { customerKey } from '../calls/call-log-writer.ts';
import { normalizeNumber } from '../calls/phone-numbers.ts';
import { ApiError } from '../http/errors.ts';
import { errors } from '../http/schemas.ts';

/** What is kept about customers, and the erasing of it (admins): a data subject's right to erasure (GDPR art. 17). */
export const customerRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; center: CallCenter }> = async (app, { ctx, center }) => {
  app.post('/api/customers/erase', {
    schema: {
      tags: ['calls'],
      security: [{ bearer: [] }],
      summary: 'Erases what is kept about a customer, named by phone number or by web customer id (exactly one)',
      description: "Deletes their calls' recordings, voicemails, agents' notes and callbacks, and blanks the caller, customer id, page and IVR path of their call records (the statistics keep queue, agent, times, outcome, disposition, rating). Refused while one of their calls is in progress or a callback of theirs is still to be made. A block of the customer stays.",
      body: Type.Object(
        { number: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })), customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({ calls: Type.Integer(), notes: Type.Integer(), recordings: Type.Integer(), voicemails: Type.Integer(), callbacks: Type.Integer() }),
        ...errors(409),
      },
    },
  }, async (request) => {
    const { number, customerId } = request.body;
    if ((number === undefined) === (customerId === undefined)) throw new ApiError('ERR_VALIDATION', 'name the customer by exactly one of number and customerId', 'body');
    let key: string;
    if (number !== undefined) {
      const n = normalizeNumber(number);
      if (n === null) throw new ApiError('ERR_VALIDATION', 'body.number: not a phone number (digits, optionally a leading +, 4 to 20 of them)', 'body.number');
      key = customerKey(null, n)!;
    } else {
      key = customerKey(customerId, '')!;
    }
    if (center.hasCallOf(key)) throw new ApiError('ERR_INVALID_STATE', 'a call of this customer is in progress: erase them when it has ended');
    await center.log.flush(); // (the records of calls that just ended are written)
    const open = await openCallbacksOf(ctx.database.db, key);
    if (open.length > 0) throw new ApiError('ERR_INVALID_STATE', `a callback of this customer is still to be made: cancel it first (DELETE /api/callbacks/${open[0]})`);
    const erased = await eraseCustomer(ctx.database.db, key);
    request.log.info({ ...erased }, 'customer erased');
    return erased;
  });
};
