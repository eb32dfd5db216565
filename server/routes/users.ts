import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createUser, deleteStaff, getUser, listStaff, updateStaff } from '../../db/repositories/users.ts';
import type { AppContext } from '../app-context.ts';
import { caller } from '../auth/guard.ts';
import { hashPassword } from '../auth/password.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { IdParams, Password, User, UserCreate, errors } from '../http/schemas.ts';

/** Admin and supervisor accounts (agents have their own resource). */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/users', {
    schema: {
      tags: ['users'],
      security: [{ bearer: [] }],
      summary: 'The admin and supervisor accounts',
      response: { 200: Type.Object({ items: Type.Array(User) }), ...errors() },
    },
  }, async () => ({ items: (await listStaff(ctx.database.db)).map(view) }));

  app.post('/api/users', {
    schema: {
      tags: ['users'],
      security: [{ bearer: [] }],
      summary: 'Create an admin or supervisor account',
      body: UserCreate,
      response: { 201: User, ...errors(409) },
    },
  }, async (request, reply) => {
    const { password, ...rest } = request.body;
    const user = await createUser(ctx.database.db, { ...rest, passwordHash: await hashPassword(password) });
    return reply.status(201).send(view(user));
  });

  app.patch('/api/users/:id', {
    schema: {
      tags: ['users'],
      security: [{ bearer: [] }],
      summary: 'Change an admin or supervisor account: name, role, a new password, disabled',
      description: 'A new password, another role or disabling ends the account\'s sessions (its tokens are refused, its wall-board closes). '
        + 'Your own account can be neither disabled nor given another role (so an admin always remains).',
      params: IdParams,
      body: Type.Object(
        {
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('supervisor')])),
          password: Type.Optional(Password),
          disabled: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
      response: { 200: User, ...errors(404, 409) },
    },
  }, async (request) => {
    const { id } = request.params;
    const { password, ...rest } = request.body;
    const before = await getUser(ctx.database.db, id);
    if (before === undefined || before.role === 'agent') throw notFound('user', id);
    const demoted = rest.role !== undefined && rest.role !== before.role;
    const disabling = rest.disabled === true && !before.disabled;
    if ((demoted || disabling) && id === caller(request).sub) throw new ApiError('ERR_INVALID_STATE', `your own account cannot be ${disabling ? 'disabled' : 'given another role'}`);
    const endSessions = password !== undefined || demoted || disabling;
    const user = await updateStaff(ctx.database.db, id, { ...rest, ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}), endSessions });
    if (user === undefined) throw notFound('user', id);
    if (endSessions) ctx.sessions.ended(id);
    return view(user);
  });

  app.delete('/api/users/:id', {
    schema: {
      tags: ['users'],
      security: [{ bearer: [] }],
      summary: 'Delete an admin or supervisor account (its sessions end); not your own (so an admin always remains)',
      params: IdParams,
      response: { 204: Type.Null(), ...errors(404, 409) },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const user = await getUser(ctx.database.db, id);
    if (user === undefined || user.role === 'agent') throw notFound('user', id);
    if (id === caller(request).sub) throw new ApiError('ERR_INVALID_STATE', 'your own account cannot be deleted');
    if (!(await deleteStaff(ctx.database.db, id))) throw notFound('user', id);
    ctx.sessions.ended(id);
    return reply.status(204).send(null);
  });
};

function view(u: { id: number; login: string; name: string; role: 'admin' | 'supervisor' | 'agent'; disabled: boolean }): { id: number; login: string; name: string; role: 'admin' | 'supervisor' | 'agent'; disabled: boolean } {
  return { id: u.id, login: u.login, name: u.name, role: u.role, disabled: u.disabled };
}
