import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { endSessions, findUserByLogin, getAgent, getUser, setPassword } from '../../db/repositories/users.ts';
import type { User } from '../../db/schema.ts';
import { AuthLockout } from '../../sip/auth/lockout.ts';
import { caller } from '../auth/guard.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../auth/password.ts';
import { ApiError } from '../http/errors.ts';
import { ErrorResponse, Password, Role, errors } from '../http/schemas.ts';
import type { AppContext } from '../app-context.ts';

export const authRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Password guessing: an address with LOGIN_MAX_FAILURES wrong passwords within a minute is refused for
  // 5 minutes, with the right password too (per address, not per login: a login can't be locked out by others).
  const lockout = new AuthLockout({ maxFailures: ctx.config.loginMaxFailures, windowMs: 60_000, lockMs: 300_000 });
  /** A session token for the user, issued under their current session version. */
  const session = (user: Pick<User, 'id' | 'login' | 'role' | 'session_version'>): { token: string; expiresAt: string } => {
    const exp = Math.floor(Date.now() / 1000) + ctx.config.tokenTtlSeconds;
    return { token: ctx.tokens.sign({ sub: user.id, login: user.login, role: user.role, exp, ver: user.session_version }), expiresAt: new Date(exp * 1000).toISOString() };
  };
  /** Refuses an address locked out after repeated wrong passwords (429 with Retry-After). */
  const refuseLocked = (ip: string, reply: { header(name: string, value: string): unknown }, what: string): void => {
    const lockedMs = lockout.lockedForMs(ip);
    if (lockedMs <= 0) return;
    reply.header('retry-after', String(Math.ceil(lockedMs / 1000)));
    throw new ApiError('ERR_TOO_MANY_REQUESTS', `too many ${what} from ${ip}; try again in ${Math.ceil(lockedMs / 1000)} s`);
  };

  app.get('/api/health', {
    config: { roles: 'public' },
    schema: {
      tags: ['system'],
      summary: 'Liveness and the database in use',
      response: { 200: Type.Object({ status: Type.Literal('ok'), db: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]) }) },
    },
  }, async () => ({ status: 'ok' as const, db: ctx.database.kind }));

  app.post('/api/login', {
    config: { roles: 'public' },
    schema: {
      tags: ['auth'],
      summary: 'Exchange a login and password for a bearer token',
      body: Type.Object(
        { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), role: Role, userId: Type.Integer() }),
        400: ErrorResponse,
        401: ErrorResponse,
        429: ErrorResponse,
      },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    refuseLocked(request.ip, reply, 'failed logins');
    const user = await findUserByLogin(ctx.database.db, username);
    // Verify against a dummy hash for unknown users too, so the answer time does not tell which logins exist.
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (user === undefined || !ok || user.disabled) {
      request.log.info({ login: username, source: request.ip }, 'login failed');
      if (lockout.fail(request.ip)) request.log.warn({ source: request.ip }, 'login refused from this address for 5 min after repeated failures');
      throw new ApiError('ERR_BAD_CREDENTIALS', 'wrong username or password');
    }
    lockout.succeed(request.ip);
    return { ...session(user), role: user.role, userId: user.id };
  });

  app.put('/api/me/password', {
    config: { roles: ['admin', 'supervisor', 'agent'] },
    schema: {
      tags: ['auth'],
      summary: 'Change your own password: every other session of yours ends; the answer is a new token for this one',
      description: 'A wrong current password counts as a failed login from your address (LOGIN_MAX_FAILURES a minute, then 5 minutes refused).',
      security: [{ bearer: [] }],
      body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password }, { additionalProperties: false }),
      response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), ...errors(429) },
    },
  }, async (request, reply) => {
    const me = caller(request);
    refuseLocked(request.ip, reply, 'wrong passwords');
    const { currentPassword, newPassword } = request.body;
    const user = await getUser(ctx.database.db, me.sub);
    if (user === undefined || !(await verifyPassword(currentPassword, user.password_hash))) {
      request.log.info({ login: me.login, source: request.ip }, 'password change refused: wrong current password');
      if (lockout.fail(request.ip)) request.log.warn({ source: request.ip }, 'login refused from this address for 5 min after repeated failures');
      throw new ApiError('ERR_FORBIDDEN', 'the current password is wrong', 'body.currentPassword');
    }
    if (newPassword === currentPassword) throw new ApiError('ERR_VALIDATION', 'the new password is the current one', 'body.newPassword');
    const version = await setPassword(ctx.database.db, user.id, await hashPassword(newPassword));
    ctx.sessions.ended(user.id);
    request.log.info({ login: me.login }, 'password changed');
    return session({ ...user, session_version: version ?? user.session_version + 1 });
  });

  app.delete('/api/me/sessions', {
    config: { roles: ['admin', 'supervisor', 'agent'] },
    schema: {
      tags: ['auth'],
      summary: 'Sign out everywhere: every token of yours, this one included, is refused from now on (a lost laptop, a shared computer)',
      security: [{ bearer: [] }],
      response: { 204: Type.Null(), ...errors() },
    },
  }, async (request, reply) => {
    const me = caller(request);
    await endSessions(ctx.database.db, me.sub);
    ctx.sessions.ended(me.sub);
    return reply.status(204).send(null);
  });

  app.get('/api/me', {
    config: { roles: ['admin', 'supervisor', 'agent'] },
    schema: {
      tags: ['auth'],
      summary: 'The caller\'s own profile',
      security: [{ bearer: [] }],
      response: {
        200: Type.Object({
          id: Type.Integer(),
          login: Type.String(),
          name: Type.String(),
          role: Role,
          skills: Type.Record(Type.String(), Type.Integer()),
          languages: Type.Record(Type.String(), Type.Integer()),
          sipUsername: Type.Union([Type.String(), Type.Null()]),
        }),
        ...errors(404),
      },
    },
  }, async (request) => {
    const me = caller(request);
    const user = await getUser(ctx.database.db, me.sub);
    if (user === undefined) throw new ApiError('ERR_NOT_FOUND', `user ${me.sub} no longer exists`);
    const agent = user.role === 'agent' ? await getAgent(ctx.database.db, user.id) : undefined;
    return {
      id: user.id,
      login: user.login,
      name: user.name,
      role: user.role,
      skills: agent?.skills ?? {},
      languages: agent?.languages ?? {},
      sipUsername: agent?.sipUsername ?? null,
    };
  });
};
