import type { FastifyInstance } from 'fastify';

/**
 * The browser apps' policy: their scripts and everything they fetch or open come from this server (the API, the
 * WebSockets, recordings as blob: URLs); styles may be inline (the widget on the demo page adds its own); nothing
 * else may frame them (clickjacking of the admin console), no plugins, no <base> or form posts elsewhere.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** /docs (Swagger UI, its own inline code): only never framed. */
const DOCS_CSP = "frame-ancestors 'none'";

/**
 * Headers that harden every answer: no MIME sniffing, no full URLs leaked in Referer to other sites; and for HTML
 * pages, never framed (X-Frame-Options for older browsers) and the content security policy above. The widget script
 * (`/widget.js`) is JavaScript, not a page: customers' sites load it as before.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header('x-frame-options', 'DENY');
      reply.header('content-security-policy', request.url.startsWith('/docs') ? DOCS_CSP : PAGE_CSP);
    }
    return payload;
  });
}
