import { Emitter } from '../shared/emitter.ts';
import type { Logger } from '../shared/logger.ts';
import { parseServerMessage, type ClientMessage, type ServerMessage } from './agent-messages.ts';

export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface AgentSocketEvents extends Record<string, unknown[]> {
  message: [ServerMessage];
  status: [SocketStatus];
  /** The server closed the socket for good (bad or expired token). */
  refused: [reason: string];
}

/** The WebSocket URL of the agent events socket on this page's origin. */
export function agentSocketUrl(origin: string, token: string): string {
  return `${origin.replace(/^http/, 'ws')}/ws/agent?token=${encodeURIComponent(token)}`;
}

/**
 * The agent's events WebSocket. It reconnects with a growing delay (1 s … 10 s) until close() is called;
 * the server sends the current state again on every connection. close() is idempotent.
 */
export class AgentSocket extends Emitter<AgentSocketEvents> {
  readonly #url: string;
  readonly #log: Logger;
  #ws: WebSocket | undefined;
  #status: SocketStatus = 'connecting';
  #retryMs = 1000;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(url: string, log: Logger) {
    super(log);
    this.#url = url;
    this.#log = log;
    this.#connect();
  }

  get status(): SocketStatus {
    return this.#status;
  }

  /** Sends a message; false when the socket is not open (the caller shows it). */
  send(msg: ClientMessage): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(msg));
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ws?.close(1000);
    this.#setStatus('closed');
    this.removeAll();
  }

  #connect(): void {
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    ws.addEventListener('open', () => {
      this.#retryMs = 1000;
      this.#setStatus('open');
    });
    ws.addEventListener('message', (e) => {
      const msg = parseServerMessage(e.data);
      if (msg) this.emit('message', msg);
      else this.#log.warn({ data: String(e.data).slice(0, 200) }, 'ignored an unknown agent message');
    });
    ws.addEventListener('close', (e) => {
      if (this.#closed || ws !== this.#ws) return;
      if (e.code === 1008 || (e.code >= 4000 && e.code < 5000)) {
        // The server refused this session (policy / application codes): retrying would not help.
        this.#log.warn({ code: e.code, reason: e.reason }, 'agent socket refused by the server');
        this.#closed = true;
        this.#setStatus('closed');
        this.emit('refused', e.reason || `closed with code ${e.code}`);
        return;
      }
      this.#log.warn({ code: e.code, retryMs: this.#retryMs }, 'agent socket closed; reconnecting');
      this.#setStatus('reconnecting');
      this.#timer = setTimeout(() => this.#connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 10_000);
    });
  }

  #setStatus(status: SocketStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.emit('status', status);
  }
}
