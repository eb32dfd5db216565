import type { CallCenter } from '../calls/call-center.ts';
import type { TokenSigner } from '../auth/tokens.ts';
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
export function installChannels(ws: WsEndpoints, center: CallCenter, tokens: TokenSigner, logger: Logger): void {
  ws.handle('/ws/agent', (socket, _req, url) => {
    const claims = tokens.verify(url.searchParams.get('token') ?? '');
    if (claims === null || claims.role !== 'agent') {
      sendJson(socket, { type: 'error', message: claims === null ? 'invalid or expired token' : 'only agents have a desk' });
      socket.close(4401, 'unauthorized');
      return;
    }
    const agentId = String(claims.sub);
    center.attachAgent(agentId, socket);
    socket.on('message', (data) => {
      const m = parseAgentMessage(String(data));
      if (typeof m === 'string') {
        sendJson(socket, { type: 'error', message: m });
        return;
      }
      const want = m.type === 'logout' ? 'logged-out' : m.type;
      const refused = center.desk.request(agentId, want, m.type === 'not-ready' ? m.reason : undefined);
      if (refused !== undefined) sendJson(socket, { type: 'error', message: refused });
    });
    socket.on('error', (err) => logger.debug({ err, agentId }, 'agent socket error'));
  });

  ws.handle('/ws/supervisor', (socket, _req, url) => {
    const claims = tokens.verify(url.searchParams.get('token') ?? '');
    if (claims === null || (claims.role !== 'supervisor' && claims.role !== 'admin')) {
      sendJson(socket, { type: 'error', message: claims === null ? 'invalid or expired token' : 'only supervisors and admins see the wall-board' });
      socket.close(4401, 'unauthorized');
      return;
    }
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
