import type { Logger } from '../shared/logger.ts';
import { LiveSocket, liveSocketUrl } from '../shared/live-socket.ts';
import { parseServerMessage, type ClientMessage, type ServerMessage } from './agent-messages.ts';

export type { SocketStatus } from '../shared/live-socket.ts';

/** The WebSocket URL of the agent events socket on this page's origin. */
export function agentSocketUrl(origin: string, token: string): string {
  return liveSocketUrl(origin, '/ws/agent', token);
}

/** The agent's events WebSocket (see LiveSocket: it reconnects; the server sends the current state on every connection). */
export class AgentSocket extends LiveSocket<ServerMessage, ClientMessage> {
  constructor(url: string, log: Logger) {
    super(url, parseServerMessage, log, 'agent');
  }
}
