import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appendAudit, deleteAuditBefore } from '../../db/repositories/audit-log.ts';
import type { AppContext } from '../app-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** the message of the error this request was answered with (the audit log keeps it) */
    auditError: string | null;
  }
}

/** Keys whose values the audit log never keeps (passwords, SIP secrets, tokens). */
const SECRET_KEY = /pass|secret|token|ha1|authorization|credential/i;
/** The largest request body kept in an entry (as JSON); a larger one is kept as its size. */
const MAX_DETAIL_CHARS = 8192;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Reads kept too: hearing a caller's voice (a call recording, a voicemail) is personal data being used. */
const AUDITED_READS = new Set(['/api/recordings/:id/audio', '/api/voicemails/:id/audio']);
const AUDITED_ROLES = new Set(['admin', 'supervisor']);

/** A request body as the audit log keeps it: JSON with every secret masked; a binary body (a WAV upload) by its size. */
export function auditDetail(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  if (Buffer.isBuffer(body)) return { bytes: body.length };
  const masked = mask(body);
  const json = JSON.stringify(masked);
  return json.length > MAX_DETAIL_CHARS ? { truncated: true, chars: json.length } : masked;
}

function mask(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(mask);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_KEY.test(k) ? '***' : mask(x)]));
}

/**
 * The audit log: every API request by an admin or a supervisor that changes something (POST, PUT, PATCH, DELETE),
 * refused ones too, who listened to which call recording or voicemail, every login attempt and anyone's change of their own
 * password or sign-out everywhere, written after the answer went out (off the request's path). Entries
 * older than AUDIT_RETENTION_DAYS are deleted at start and every hour.
 */
export function installAuditLog(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('auditError', null);
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && audited(request) && typeof payload === 'string') {
      try {
        const m = (JSON.parse(payload) as { message?: unknown }).message;
        request.auditError = typeof m === 'string' ? m.slice(0, 500) : null;
      } catch {
        // (not JSON: no message to keep)
      }
    }
    return payload;
  });
  // (written one after another, so the log keeps the order the answers went out in)
  let tail: Promise<void> = Promise.resolve();
  app.addHook('onResponse', async (request, reply) => {
    if (!audited(request)) return;
    const login = request.user?.login ?? (request.routeOptions.url === '/api/login' ? loginTried(request.body) : null);
    const entry = {
      userId: request.user?.sub ?? null,
      login,
      role: request.user?.role ?? null,
      ip: request.ip,
      method: request.method,
      route: `${request.method} ${request.routeOptions.url}`,
      path: request.url.split('?')[0]!,
      status: reply.statusCode,
      detail: auditDetail(request.body),
      error: request.auditError,
      at: new Date(),
    };
    tail = tail.then(() => appendAudit(ctx.database.db, entry)).catch((err: unknown) => ctx.logger.error({ err, route: entry.route }, 'audit log write failed'));
  });
  app.addHook('onClose', async () => {
    await tail; // (no write after the database closes)
  });
  const days = ctx.config.auditRetentionDays;
  if (days > 0) {
    const sweep = () => {
      deleteAuditBefore(ctx.database.db, new Date(Date.now() - days * 86_400_000))
        .then((n) => n > 0 && ctx.logger.info({ deleted: n, retentionDays: days }, 'audit log entries past their retention deleted'))
        .catch((err: unknown) => ctx.logger.warn({ err }, 'audit log retention sweep failed'));
    };
    app.addHook('onReady', async () => sweep());
    const timer = setInterval(sweep, 3_600_000).unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
}

/** A change by an admin or a supervisor, or a login attempt (not a routing request: an unknown route has no pattern). */
function audited(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route === undefined || !(MUTATING.has(request.method) || (request.method === 'GET' && AUDITED_READS.has(route)))) return false;
  if (route === '/api/login' || route.startsWith('/api/me/')) return true; // (and every role's own password change, sign-out everywhere)
  return route.startsWith('/api/') && request.user !== null && AUDITED_ROLES.has(request.user.role);
}

function loginTried(body: unknown): string | null {
  const u = (body as { username?: unknown } | null)?.username;
  return typeof u === 'string' ? u.slice(0, 64) : null;
}
