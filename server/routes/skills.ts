import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createSkill, deleteSkill, getSkill, listSkills, updateSkill } from '../../db/repositories/skills.ts';
import type { Skill as SkillRow } from '../../db/schema.ts';
import type { AppContext } from '../app-context.ts';
import { notFound } from '../http/errors.ts';
import { IdParams, PageOf, PageQuery, Skill, SkillCreate, SkillUpdate, errors } from '../http/schemas.ts';

const READERS = ['admin', 'supervisor'] as const;
const tags = ['skills'];
const security = [{ bearer: [] }];

function view(s: SkillRow) {
  return { id: s.id, name: s.name, description: s.description, createdAt: s.created_at.toISOString() };
}

export const skillRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const db = ctx.database.db;

  app.get('/api/skills', {
    config: { roles: READERS },
    schema: { tags, security, summary: 'List skills', querystring: PageQuery, response: { 200: PageOf(Skill), ...errors() } },
  }, async (request) => {
    const page = await listSkills(db, request.query);
    return { ...page, items: page.items.map(view) };
  });

  app.post('/api/skills', {
    schema: { tags, security, summary: 'Create a skill', body: SkillCreate, response: { 201: Skill, ...errors(409) } },
  }, async (request, reply) => reply.status(201).send(view(await createSkill(db, request.body))));

  app.get('/api/skills/:id', {
    config: { roles: READERS },
    schema: { tags, security, summary: 'Read a skill', params: IdParams, response: { 200: Skill, ...errors(404) } },
  }, async (request) => {
    const skill = await getSkill(db, request.params.id);
    if (skill === undefined) throw notFound('skill', request.params.id);
    return view(skill);
  });

  app.patch('/api/skills/:id', {
    schema: { tags, security, summary: 'Rename or describe a skill', params: IdParams, body: SkillUpdate, response: { 200: Skill, ...errors(404, 409) } },
  }, async (request) => {
    const skill = await updateSkill(db, request.params.id, request.body);
    if (skill === undefined) throw notFound('skill', request.params.id);
    return view(skill);
  });

  app.delete('/api/skills/:id', {
    schema: { tags, security, summary: 'Delete a skill no agent or queue uses', params: IdParams, response: { 204: Type.Null(), ...errors(404, 409) } },
  }, async (request, reply) => {
    if (!(await deleteSkill(db, request.params.id))) throw notFound('skill', request.params.id);
    return reply.status(204).send(null);
  });
};
