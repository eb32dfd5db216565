/**
 * STAND-IN, not the real server: a tiny static HTTP server for the browser-app tests in test/web/.
 *
 * It serves the BUILT browser apps (web-softphone/dist) the way the real server lays them out (/widget.js,
 * /agent/, /demo/), plus extra HTML pages a test supplies (a "foreign" site that embeds the widget).
 * A test may also script a few API routes and WebSocket endpoints with canned answers. Those canned answers
 * are deliberate, labelled stand-ins for the lead's server (server/), which the end-to-end tests drive for
 * real; here they let the browser code be tested on its own: a 401 from /api/login, a refusal from
 * /api/public/calls, events pushed down a socket. Every request is recorded so tests can assert what the
 * browser sent.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';

export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web-softphone', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface RecordedRequest {
  method: string;
  path: string;
  /** the query string, '?' included ('' when none) */
  search: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A canned answer for one API route. */
export interface CannedResponse {
  status: number;
  body: unknown;
}

export type RouteHandler = (req: RecordedRequest) => CannedResponse | Promise<CannedResponse>;

export interface StandIn {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** ws://127.0.0.1:PORT */
  wsOrigin: string;
  /** API requests received, in order (static files are not recorded). */
  requests: RecordedRequest[];
  /** Adds or replaces an HTML page served at `urlPath`. */
  page(urlPath: string, html: string): void;
  /** Scripts an API route ("POST /api/login"). */
  route(methodAndPath: string, handler: RouteHandler): void;
  /** Accepts WebSocket connections on `urlPath` (query string ignored); `protocol` is echoed when given ("sip"). */
  socket(urlPath: string, onConnection: (ws: WebSocket, url: URL) => void, protocol?: string): void;
  close(): Promise<void>;
}

/** Starts the stand-in on 127.0.0.1 with a free port. Cross-origin requests are allowed (CORS), as a widget on a foreign site needs. */
export async function startStandIn(): Promise<StandIn> {
  const pages = new Map<string, string>();
  const routes = new Map<string, RouteHandler>();
  const sockets = new Map<string, { onConnection: (ws: WebSocket, url: URL) => void; protocol?: string }>();
  const requests: RecordedRequest[] = [];
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered, req) => {
      const wanted = sockets.get(new URL(req.url ?? '/', 'http://x').pathname)?.protocol;
      return wanted && offered.has(wanted) ? wanted : false;
    },
  });

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    };
    if (method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    const handler = routes.get(`${method} ${url.pathname}`);
    if (handler || url.pathname.startsWith('/api/')) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the raw text
      }
      const recorded: RecordedRequest = { method, path: url.pathname, search: url.search, headers: req.headers, body };
      requests.push(recorded);
      const answer = handler ? await handler(recorded) : { status: 404, body: { message: `stand-in: no route ${method} ${url.pathname}` } };
      res.writeHead(answer.status, { ...cors, 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    const html = pages.get(url.pathname);
    if (html !== undefined) {
      res.writeHead(200, { 'content-type': TYPES['.html'] });
      res.end(html);
      return;
    }
    let file = path.join(DIST, decodeURIComponent(url.pathname));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { location: `${url.pathname}/` }).end();
        return;
      }
      file = path.join(file, 'index.html');
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { ...cors, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry = sockets.get(url.pathname);
    if (!entry) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => entry.onConnection(ws, url));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    wsOrigin: `ws://127.0.0.1:${port}`,
    requests,
    page: (urlPath, html) => void pages.set(urlPath, html),
    route: (key, handler) => void routes.set(key, handler),
    socket: (urlPath, onConnection, protocol) => void sockets.set(urlPath, protocol ? { onConnection, protocol } : { onConnection }),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a test adds to a response it makes up (sipResponse): a To tag, headers (a Contact), a body (SDP). */
export interface SipResponseParts {
  /** added to the To header when the request's has no tag (the first answer in a dialog) */
  toTag?: string;
  headers?: string[];
  body?: string;
  /** of the body; 'application/sdp' when not said */
  contentType?: string;
}

/**
 * A response (`status`: "200 OK", "486 Agent not ready") to a SIP request the browser sent, with the request's Via,
 * From, To, Call-ID and CSeq as RFC 3261 8.2.6.2 asks. It is what a test makes up to play the server's part.
 */
export function sipResponse(request: string, status: string, parts: SipResponseParts = {}): string {
  const copied = request
    .split('\r\n\r\n')[0]!
    .split('\r\n')
    .filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l))
    .map((l) => (parts.toTag !== undefined && /^To:/i.test(l) && !/;tag=/i.test(l) ? `${l};tag=${parts.toTag}` : l));
  const body = parts.body ?? '';
  const type = body ? [`Content-Type: ${parts.contentType ?? 'application/sdp'}`] : [];
  return [`SIP/2.0 ${status}`, ...copied, ...(parts.headers ?? []), ...type, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/**
 * STAND-IN for the SIP-over-WebSocket endpoint: records every SIP message the browser sends on `urlPath`
 * and answers an INVITE with "100 Trying" only (never a final answer), which is enough to see what sip.js
 * sends: the INVITE, its headers and SDP, a CANCEL. It is not a SIP server. `send` writes a message the test
 * made up (an INVITE to the browser, say) down the latest connection; `reply` answers a request the browser
 * sent (an INVITE of its own, a re-INVITE, a BYE) with a response the test makes up (see sipResponse).
 */
export function recordSip(
  standIn: StandIn,
  urlPath: string,
): { messages: string[]; send(text: string): void; reply(request: string, status: string, parts?: SipResponseParts): void } {
  const messages: string[] = [];
  let latest: WebSocket | undefined;
  standIn.socket(
    urlPath,
    (ws) => {
      latest = ws;
      ws.on('message', (data) => {
        const text = String(data);
        messages.push(text);
        if (!text.startsWith('INVITE ')) return;
        const lines = text.split('\r\n');
        const copy = lines.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
        ws.send(['SIP/2.0 100 Trying', ...copy, 'Content-Length: 0', '', ''].join('\r\n'));
      });
    },
    'sip',
  );
  const send = (text: string): void => {
    if (!latest) throw new Error('stand-in: the browser has not connected to the SIP endpoint');
    latest.send(text);
  };
  return {
    messages,
    send,
    reply: (request, status, parts) => send(sipResponse(request, status, parts)),
  };
}

/** A wall-board view (GET /api/wallboard) with no traffic and no queue, and these agents: what a page's tests start from. */
export function emptyWallBoard(agents: unknown[] = []): Record<string, unknown> {
  const states = { 'logged-out': 0, 'not-ready': 0, ready: 0, reserved: 0, busy: 0, 'wrap-up': 0 };
  const traffic = { offered: 0, answered: 0, abandoned: 0, overflowed: 0, missedOffers: 0, serviceLevelPercent: null, serviceLevelOfferedPercent: null, asaSeconds: null, abandonPercent: null };
  const now = new Date().toISOString();
  return { type: 'wallboard', at: now, since: now, totals: { ...traffic, waiting: 0, longestWaitSeconds: null, agents: states }, queues: [], agents };
}

