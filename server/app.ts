import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { AppContext } from './app-context.ts';
import { installAuthGuard } from './auth/guard.ts';
import { installAuditLog } from './http/audit.ts';
import { installErrorHandler } from './http/errors.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import { agentRoutes } from './routes/agents.ts';
import { auditRoutes } from './routes/audit.ts';
import { planningRoutes } from './routes/planning.ts';
import { authRoutes } from './routes/auth.ts';
import { voicemailRoutes } from './routes/voicemails.ts';
import { callRoutes } from './routes/calls.ts';
import { ivrMenuRoutes } from './routes/ivr-menus.ts';
import { promptRoutes } from './routes/prompts.ts';
import { queueRoutes } from './routes/queues.ts';
import { skillRoutes } from './routes/skills.ts';
import { userRoutes } from './routes/users.ts';

const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web-softphone', 'dist');

export interface AppHooks {
  /** Called after an agent's profile or SIP credentials changed (the ACD reloads it). */
  onAgentChanged?: (agentId: number) => void;
  /** Called after a queue changed (the ACD reloads it). */
  onQueueChanged?: (queueId: number) => void;
  /** Called after a voicemail was marked or deleted (the wall-board counts the new ones again). */
  onVoicemailChanged?: () => void;
}

/** The HTTP application as a plugin tree; the caller listens (server/main.ts) or injects (tests). */
export async function buildApp(ctx: AppContext, hooks: AppHooks = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // Per-request access lines only when debugging.
    logController: new LogController({ disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace' }),
    bodyLimit: 256 * 1024,
    // Behind a reverse proxy (TRUSTED_PROXIES), request.ip is the client's address from X-Forwarded-For.
    trustProxy: ctx.config.trustedProxies.length > 0 ? [...ctx.config.trustedProxies] : false,
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: 'array' } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandler(app);
  installSecurityHeaders(app);

  // The widget runs on customers' own sites: the public call API answers cross-origin requests from the
  // configured sites (WIDGET_ORIGINS, default any). Nothing else is cross-origin.
  const allowed = ctx.config.widgetOrigins;
  await app.register(cors, {
    delegator: (req, done) => {
      const isPublic = (req.url ?? '').startsWith('/api/public/');
      const origin = req.headers.origin;
      const ok = isPublic && origin !== undefined && (allowed.includes('*') || allowed.includes(origin));
      done(null, ok ? { origin: allowed.includes('*') ? '*' : origin, methods: ['POST'], allowedHeaders: ['content-type'], maxAge: 600 } : { origin: false });
    },
  });
  installAuthGuard(app, ctx.tokens, ctx.sessions);
  installAuditLog(app, ctx);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Callflow contact-center API', version: '0.1.0', description: 'Admin, supervisor and agent REST API.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(authRoutes, { ctx });
  await app.register(skillRoutes, { ctx });
  await app.register(agentRoutes, { ctx, ...(hooks.onAgentChanged ? { onChange: hooks.onAgentChanged } : {}) });
  await app.register(queueRoutes, { ctx, ...(hooks.onQueueChanged ? { onChange: hooks.onQueueChanged } : {}) });
  await app.register(ivrMenuRoutes, { ctx });
  await app.register(promptRoutes, { ctx });
  await app.register(userRoutes, { ctx });
  await app.register(callRoutes, { ctx });
  await app.register(voicemailRoutes, { ctx, ...(hooks.onVoicemailChanged ? { onChange: hooks.onVoicemailChanged } : {}) });
  await app.register(planningRoutes, { ctx });
  await app.register(auditRoutes, { ctx });

  // The built browser apps: /widget.js, /agent/, /demo/ (npm run build:web; the README commands build them).
  if (existsSync(WEB_ROOT)) {
    await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', redirect: true, index: ['index.html'] });
    app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/demo/'));
  }
  return app;
}
