import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createUser, listStaff } from '../../db/repositories/users.ts';
import type { AppContext } from '../app-context.ts';
import { hashPassword } from '../auth/password.ts';
import { User, UserCreate, errors } from '../http/schemas.ts';

/** Admin and supervisor accounts (agents have their own resource). */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/users', {
    schema: {
      tags: ['users'],
      security: [{ bearer: [] }],
      summary: 'The admin and supervisor accounts',
      response: { 200: Type.Object({ items: Type.Array(User) }), ...errors() },
    },
  }, async () => ({ items: (await listStaff(ctx.database.db)).map((u) => ({ id: u.id, login: u.login, name: u.name, role: u.role })) }));

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
    return reply.status(201).send({ id: user.id, login: user.login, name: user.name, role: user.role });
  });
};
