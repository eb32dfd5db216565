import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deleteSipCredential, upsertSipCredential } from '../../db/repositories/sip-credentials.ts';
import { type Agent as AgentRecord, createAgent, deleteAgent, getAgent, listAgents, updateAgent } from '../../db/repositories/users.ts';
import { computeHa1 } from '../../sip/auth/ha1.ts';
import type { AppContext } from '../app-context.ts';
import { caller } from '../auth/guard.ts';
import { hashPassword } from '../auth/password.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { Agent, AgentCreate, AgentUpdate, IdParams, PageOf, PageQuery, SipCredentials, SipCredentialsPut, errors } from '../http/schemas.ts';

const tags = ['agents'];
const security = [{ bearer: [] }];

function view(a: AgentRecord) {
  return {
    id: a.id,
    login: a.login,
    name: a.name,
    skills: a.skills,
    languages: a.languages,
    sipUsername: a.sipUsername,
    disabled: a.disabled,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export const agentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; onChange?: (agentId: number) => void }> = async (
  app,
  { ctx, onChange },
) => {
  const db = ctx.database.db;
  const changed = (id: number) => onChange?.(id);

  app.get('/api/agents', {
    config: { roles: ['admin', 'supervisor'] },
    schema: { tags, security, summary: 'List agents', querystring: PageQuery, response: { 200: PageOf(Agent), ...errors() } },
  }, async (request) => {
    const page = await listAgents(db, request.query);
    return { ...page, items: page.items.map(view) };
  });

  app.post('/api/agents', {
    schema: { tags, security, summary: 'Create an agent', body: AgentCreate, response: { 201: Agent, ...errors(409, 422) } },
  }, async (request, reply) => {
    const { password, ...rest } = request.body;
    const agent = await createAgent(db, { ...rest, passwordHash: await hashPassword(password) });
    changed(agent.id);
    return reply.status(201).send(view(agent));
  });

  app.get('/api/agents/:id', {
    config: { roles: ['admin', 'supervisor', 'agent'] },
    schema: { tags, security, summary: 'Read an agent (agents: only themselves)', params: IdParams, response: { 200: Agent, ...errors(404) } },
  }, async (request) => {
    const me = caller(request);
    if (me.role === 'agent' && me.sub !== request.params.id) {
      throw new ApiError('ERR_FORBIDDEN', 'agents may read only their own profile');
    }
    const agent = await getAgent(db, request.params.id);
    if (agent === undefined) throw notFound('agent', request.params.id);
    return view(agent);
  });

  app.patch('/api/agents/:id', {
    schema: { tags, security, summary: 'Change an agent', params: IdParams, body: AgentUpdate, response: { 200: Agent, ...errors(404, 409, 422) } },
  }, async (request) => {
    const { password, ...rest } = request.body;
    // a new password or disabling ends the agent's sessions (their desk closes; a disabled agent is logged out)
    const endSessions = password !== undefined || rest.disabled === true;
    const agent = await updateAgent(db, request.params.id, {
      ...rest,
      ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}),
      endSessions,
    });
    if (agent === undefined) throw notFound('agent', request.params.id);
    if (endSessions) ctx.sessions.ended(agent.id);
    changed(agent.id);
    return view(agent);
  });

  app.delete('/api/agents/:id', {
    schema: { tags, security, summary: 'Delete an agent', params: IdParams, response: { 204: Type.Null(), ...errors(404) } },
  }, async (request, reply) => {
    if (!(await deleteAgent(db, request.params.id))) throw notFound('agent', request.params.id);
    ctx.sessions.ended(request.params.id);
    changed(request.params.id);
    return reply.status(204).send(null);
  });

  app.put('/api/agents/:id/sip-credentials', {
    schema: {
      tags,
      security,
      summary: 'Set the digest credentials of the agent\'s SIP desk phone or headset (only HA1s are stored)',
      params: IdParams,
      body: SipCredentialsPut,
      response: { 200: SipCredentials, ...errors(404, 409) },
    },
  }, async (request) => {
    const agent = await getAgent(db, request.params.id);
    if (agent === undefined) throw notFound('agent', request.params.id);
    const { username, password } = request.body;
    const realm = ctx.config.sipRealm;
    const row = await upsertSipCredential(db, {
      userId: agent.id,
      username,
      realm,
      ha1Md5: computeHa1('MD5', username, realm, password),
      ha1Sha256: computeHa1('SHA-256', username, realm, password),
    });
    changed(agent.id);
    return { username: row.username, realm: row.realm, updatedAt: row.updated_at.toISOString() };
  });

  app.delete('/api/agents/:id/sip-credentials', {
    schema: { tags, security, summary: 'Remove the agent\'s SIP credentials', params: IdParams, response: { 204: Type.Null(), ...errors(404) } },
  }, async (request, reply) => {
    if (!(await deleteSipCredential(db, request.params.id))) throw notFound('SIP credentials of agent', request.params.id);
    changed(request.params.id);
    return reply.status(204).send(null);
  });
};
