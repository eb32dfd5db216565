import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAudit } from '../../db/repositories/audit-log.ts';
import type { AppContext } from '../app-context.ts';
import { ApiError } from '../http/errors.ts';
import { Nullable, PageOf, errors } from '../http/schemas.ts';

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  userId: Nullable(Type.Integer()),
  login: Nullable(Type.String({ description: 'who (for a failed login: the login tried)' })),
  role: Nullable(Type.String()),
  ip: Type.String(),
  method: Type.String(),
  route: Type.String({ description: 'the route, e.g. PUT /api/queues/:id' }),
  path: Type.String({ description: 'the path asked for, with its ids' }),
  status: Type.Integer({ description: 'the HTTP status it was answered with (4xx: refused)' }),
  detail: Type.Unknown({ description: 'the request body with its secrets masked (***); a file upload by its size' }),
  error: Nullable(Type.String({ description: 'why it was refused' })),
});

/** The audit log (admins): who changed what through the API, and every login attempt. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/audit', {
    schema: {
      tags: ['system'],
      security: [{ bearer: [] }],
      summary: "The audit log, newest first: admins' and supervisors' changes through the API (refused ones too) and every login attempt",
      querystring: Type.Object(
        {
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
          userId: Type.Optional(Type.Integer({ minimum: 1 })),
          login: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          path: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^/', description: 'entries whose path starts with this, e.g. /api/queues' })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        },
        { additionalProperties: false },
      ),
      response: { 200: PageOf(AuditEntry), ...errors() },
    },
  }, async (request) => {
    const { limit, offset, from, to, ...filter } = request.query;
    const date = (v: string | undefined, field: string) => {
      if (v === undefined) return undefined;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw new ApiError('ERR_VALIDATION', `${field} must be a date-time`, `querystring.${field}`);
      return d;
    };
    const page = await listAudit(ctx.database.db, { limit, offset }, { ...filter, from: date(from, 'from'), to: date(to, 'to') });
    return { ...page, items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })) };
  });
};
