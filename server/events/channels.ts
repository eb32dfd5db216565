import type { WebSocket } from 'ws';
import type { CallCenter } from '../calls/call-center.ts';
import { SESSION_ENDED } from '../auth/guard.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { TokenClaims, TokenSigner } from '../auth/tokens.ts';
import type { Logger } from '../logger.ts';
import { type WsEndpoints, sendJson } from './ws-endpoints.ts';

type AgentMessage =
  | { type: 'ready' }
  | { type: 'not-ready'; reason?: string }
  | { type: 'wrap-up-done' }
  | { type: 'logout' };

function parseAgentMessage(raw: string): AgentMessage | string {
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return 'message is not JSON';
  }
  if (typeof m !== 'object' || m === null) return 'message must be a JSON object';
  const type = (m as { type?: unknown }).type;
  if (type === 'ready' || type === 'wrap-up-done' || type === 'logout') return { type };
  if (type === 'not-ready') {
    const reason = (m as { reason?: unknown }).reason;
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 100)) return 'reason must be a string of at most 100 characters';
    return { type, ...(reason ? { reason } : {}) };
  }
  return `unknown message type ${JSON.stringify(type)}`;
}

/**
 * `/ws/supervisor?token=<session token>` (supervisors, admins): the wall-board, at once and on every change.
 * `/ws/agent?token=<session token>`: the agent desktop's live channel (state, offers with the caller's context,
 * call ends; the agent sends ready / not-ready / wrap-up-done / logout).
 * `/ws/customer?token=<call token>`: the customer widget's live channel (place in line, EWT, ringing, connected).
 */
export function installChannels(ws: WsEndpoints, center: CallCenter, tokens: TokenSigner, sessions: Sessions, logger: Logger): void {
  // A user's sockets close when their sessions end (password or role changed, account disabled or deleted).
  const open = new Map<number, Set<WebSocket>>();
  sessions.on('ended', (userId) => {
    for (const socket of open.get(userId) ?? []) {
      sendJson(socket, { type: 'error', message: SESSION_ENDED });
      socket.close(4401, 'session ended');
    }
  });
  /** The socket's session, once it is known to stand (the socket is then closed with the user's sessions); null: refused. */
  const session = async (socket: WebSocket, url: URL, allowed: (c: TokenClaims) => string | null): Promise<TokenClaims | null> => {
    const claims = tokens.verify(url.searchParams.get('token') ?? '');
    const refusal = claims === null ? 'invalid or expired token' : (allowed(claims) ?? ((await sessions.valid(claims).catch(() => false)) ? null : SESSION_ENDED));
    if (refusal !== null || claims === null) {
      sendJson(socket, { type: 'error', message: refusal });
      socket.close(4401, 'unauthorized');
      return null;
    }
    if (socket.readyState !== socket.OPEN) return null; // (gone while its session was checked)
    let mine = open.get(claims.sub);
    if (mine === undefined) open.set(claims.sub, (mine = new Set()));
    mine.add(socket);
    socket.on('close', () => {
      mine.delete(socket);
      if (mine.size === 0 && open.get(claims.sub) === mine) open.delete(claims.sub);
    });
    return claims;
  };

  ws.handle('/ws/agent', (socket, _req, url) => {
    const checked = session(socket, url, (c) => (c.role === 'agent' ? null : 'only agents have a desk'));
    const attached = checked.then((claims) => {
      if (claims !== null) center.attachAgent(String(claims.sub), socket);
      return claims;
    });
    // (what the desk sends while its session is checked waits for it, in order)
    socket.on('message', (data) => void attached.then((claims) => {
      if (claims === null) return;
      const m = parseAgentMessage(String(data));
      if (typeof m === 'string') {
        sendJson(socket, { type: 'error', message: m });
        return;
      }
      const want = m.type === 'logout' ? 'logged-out' : m.type;
      const reason = m.type === 'not-ready' ? m.reason : undefined;
      const refused = center.notReadyReasons.refusal(reason) ?? center.desk.request(String(claims.sub), want, reason);
      if (refused !== undefined) sendJson(socket, { type: 'error', message: refused });
    }));
    socket.on('error', (err) => logger.debug({ err, url: url.pathname }, 'agent socket error'));
    return attached.then(() => undefined);
  });

  ws.handle('/ws/supervisor', async (socket, _req, url) => {
    const claims = await session(socket, url, (c) => (c.role === 'supervisor' || c.role === 'admin' ? null : 'only supervisors and admins see the wall-board'));
    if (claims === null) return;
    center.board.watch(socket);
    socket.on('error', (err) => logger.debug({ err }, 'supervisor socket error'));
  });

  ws.handle('/ws/customer', (socket, _req, url) => {
    const claims = tokens.verifyCall(url.searchParams.get('token') ?? '');
    if (claims === null) {
      sendJson(socket, { type: 'error', message: 'invalid or expired call token' });
      socket.close(4401, 'unauthorized');
      return;
    }
    center.attachCustomer(claims.callId, socket);
    socket.on('error', (err) => logger.debug({ err, callId: claims.callId }, 'customer socket error'));
  });
}
