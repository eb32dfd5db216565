import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { InvalidValueError, UnknownReferenceError } from '../../db/errors.ts';
import {
  type IvrMenu as IvrMenuRecord,
  createIvrMenu,
  deleteIvrMenu,
  getIvrMenu,
  listIvrMenus,
  updateIvrMenu,
} from '../../db/repositories/ivr-menus.ts';
import type { AppContext } from '../app-context.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { checkOpeningHours } from '../http/opening-hours-check.ts';
import { IdParams, IvrMenu, IvrMenuCreate, IvrMenuUpdate, PageOf, PageQuery, errors } from '../http/schemas.ts';

const tags = ['ivr-menus'];
const security = [{ bearer: [] }];

function view(m: IvrMenuRecord) {
  return { ...m, createdAt: m.createdAt.toISOString(), updatedAt: m.updatedAt.toISOString() };
}

/** The repository names a field of the menu it was given; the answer names it in the request body. */
async function inBody<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof InvalidValueError) throw new ApiError('ERR_VALIDATION', `body.${err.message}`, `body.${err.field}`);
    if (err instanceof UnknownReferenceError) throw new ApiError('ERR_UNKNOWN_REFERENCE', `body.${err.message}`, `body.${err.field}`);
    throw err;
  }
}

export const ivrMenuRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const db = ctx.database.db;

  app.get('/api/ivr-menus', {
    config: { roles: ['admin', 'supervisor'] },
    schema: { tags, security, summary: 'List IVR menus', querystring: PageQuery, response: { 200: PageOf(IvrMenu), ...errors() } },
  }, async (request) => {
    const page = await listIvrMenus(db, request.query);
    return { ...page, items: page.items.map(view) };
  });

  app.post('/api/ivr-menus', {
    schema: { tags, security, summary: 'Create an IVR menu', body: IvrMenuCreate, response: { 201: IvrMenu, ...errors(409, 422) } },
  }, async (request, reply) => {
    checkOpeningHours(request.body);
    const menu = await inBody(createIvrMenu(db, request.body));
    return reply.status(201).send(view(menu));
  });

  app.get('/api/ivr-menus/:id', {
    config: { roles: ['admin', 'supervisor'] },
    schema: { tags, security, summary: 'Read an IVR menu', params: IdParams, response: { 200: IvrMenu, ...errors(404) } },
  }, async (request) => {
    const menu = await getIvrMenu(db, request.params.id);
    if (menu === undefined) throw notFound('IVR menu', request.params.id);
    return view(menu);
  });

  app.patch('/api/ivr-menus/:id', {
    schema: { tags, security, summary: 'Change an IVR menu (calls reaching it from now on)', params: IdParams, body: IvrMenuUpdate, response: { 200: IvrMenu, ...errors(404, 409, 422) } },
  }, async (request) => {
    checkOpeningHours(request.body);
    const menu = await inBody(updateIvrMenu(db, request.params.id, request.body));
    if (menu === undefined) throw notFound('IVR menu', request.params.id);
    return view(menu);
  });

  app.delete('/api/ivr-menus/:id', {
    schema: { tags, security, summary: 'Delete an IVR menu (not while another menu goes to it)', params: IdParams, response: { 204: Type.Null(), ...errors(404, 409) } },
  }, async (request, reply) => {
    if (!(await deleteIvrMenu(db, request.params.id))) throw notFound('IVR menu', request.params.id);
    return reply.status(204).send(null);
  });
};
