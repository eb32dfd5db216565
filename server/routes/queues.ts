import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type Queue as QueueRecord, createQueue, deleteQueue, getQueue, listQueues, updateQueue } from '../../db/repositories/queues.ts';
import type { AppContext } from '../app-context.ts';
import { notFound } from '../http/errors.ts';
import { checkOpeningHours } from '../http/opening-hours-check.ts';
import { IdParams, PageOf, PageQuery, Queue, QueueCreate, QueueUpdate, errors } from '../http/schemas.ts';

const tags = ['queues'];
const security = [{ bearer: [] }];

function view(q: QueueRecord) {
  return { ...q, closedUntil: q.closedUntil?.toISOString() ?? null, createdAt: q.createdAt.toISOString(), updatedAt: q.updatedAt.toISOString() };
}

export const queueRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; onChange?: (queueId: number) => void }> = async (
  app,
  { ctx, onChange },
) => {
  const db = ctx.database.db;
  const changed = (id: number) => onChange?.(id);

  app.get('/api/queues', {
    config: { roles: ['admin', 'supervisor'] },
    schema: { tags, security, summary: 'List queues', querystring: PageQuery, response: { 200: PageOf(Queue), ...errors() } },
  }, async (request) => {
    const page = await listQueues(db, request.query);
    return { ...page, items: page.items.map(view) };
  });

  app.post('/api/queues', {
    schema: { tags, security, summary: 'Create a queue', body: QueueCreate, response: { 201: Queue, ...errors(409, 422) } },
  }, async (request, reply) => {
    checkOpeningHours(request.body);
    const queue = await createQueue(db, request.body);
    changed(queue.id);
    return reply.status(201).send(view(queue));
  });

  app.get('/api/queues/:id', {
    config: { roles: ['admin', 'supervisor'] },
    schema: { tags, security, summary: 'Read a queue', params: IdParams, response: { 200: Queue, ...errors(404) } },
  }, async (request) => {
    const queue = await getQueue(db, request.params.id);
    if (queue === undefined) throw notFound('queue', request.params.id);
    return view(queue);
  });

  app.patch('/api/queues/:id', {
    schema: { tags, security, summary: 'Change a queue (takes effect for waiting calls at once)', params: IdParams, body: QueueUpdate, response: { 200: Queue, ...errors(404, 409, 422) } },
  }, async (request) => {
    checkOpeningHours(request.body);
    const queue = await updateQueue(db, request.params.id, request.body);
    if (queue === undefined) throw notFound('queue', request.params.id);
    changed(queue.id);
    return view(queue);
  });

  app.delete('/api/queues/:id', {
    schema: { tags, security, summary: 'Delete a queue', params: IdParams, response: { 204: Type.Null(), ...errors(404, 409) } },
  }, async (request, reply) => {
    if (!(await deleteQueue(db, request.params.id))) throw notFound('queue', request.params.id);
    changed(request.params.id);
    return reply.status(204).send(null);
  });
};
