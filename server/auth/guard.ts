import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../../db/schema.ts';
import { ApiError } from '../http/errors.ts';
import type { Sessions } from './sessions.ts';
import type { TokenClaims, TokenSigner } from './tokens.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route; `public` routes need no token. Routes without `roles` are admin-only. */
    roles?: readonly Role[] | 'public';
  }
  interface FastifyRequest {
    user: TokenClaims | null;
  }
}

/** The message of a signed, unexpired token whose user's sessions have ended (server/auth/sessions.ts). */
export const SESSION_ENDED = 'session ended (password or role changed, account disabled or deleted): sign in again';

/**
 * Every /api route needs a valid bearer token of an allowed role unless its config says `roles: 'public'`; the token's
 * session must still stand (its user not disabled or gone, no password or role change since).
 */
export function installAuthGuard(app: FastifyInstance, signer: TokenSigner, sessions: Sessions): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const roles = request.routeOptions.config?.roles;
    if (roles === 'public' || !request.url.startsWith('/api/')) return;
    if (request.routeOptions.url === undefined) return; // unknown route: the 404 handler answers
    const header = request.headers.authorization;
    if (header === undefined) throw new ApiError('ERR_UNAUTHENTICATED', 'missing Authorization: Bearer <token>');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const claims = m ? signer.verify(m[1]!) : null;
    if (claims === null) {
      throw new ApiError('ERR_UNAUTHENTICATED', 'invalid or expired token');
    }
    if (!(await sessions.valid(claims))) throw new ApiError('ERR_UNAUTHENTICATED', SESSION_ENDED);
    request.user = claims;
    const allowed = roles ?? ['admin'];
    if (!allowed.includes(claims.role)) {
      throw new ApiError('ERR_FORBIDDEN', `role ${claims.role} may not ${request.method} ${request.routeOptions.url}`);
    }
  });
}

/** The authenticated caller; only for routes behind the guard. */
export function caller(request: FastifyRequest): TokenClaims {
  if (request.user === null) throw new ApiError('ERR_UNAUTHENTICATED', 'not authenticated');
  return request.user;
}
