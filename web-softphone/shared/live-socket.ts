import { Emitter } from './emitter.ts';
import type { Logger } from './logger.ts';

export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveSocketEvents<In> extends Record<string, unknown[]> {
  message: [In];
  status: [SocketStatus];
  /** The server closed the socket for good (bad or expired token). */
  refused: [reason: string];
}

/** The WebSocket URL of a live channel (`/ws/agent`, `/ws/supervisor`) on this page's origin. */
export function liveSocketUrl(origin: string, path: string, token: string): string {
  return `${origin.replace(/^http/, 'ws')}${path}?token=${encodeURIComponent(token)}`;
}

/**
 * A live channel's WebSocket: messages in are parsed by `parse` (null or undefined: not one of ours, logged and ignored),
 * messages out are JSON. It reconnects with a growing delay (1 s … 10 s) until close() is called;
 * the server sends the current state again on every connection. close() is idempotent.
 */
export class LiveSocket<In, Out> extends Emitter<LiveSocketEvents<In>> {
  #url: string;
  readonly #log: Logger;
  readonly #parse: (data: unknown) => In | null | undefined;
  readonly #what: string;
  #ws: WebSocket | undefined;
  #status: SocketStatus = 'connecting';
  #retryMs = 1000;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** close() was called: the socket is done for good (its listeners are gone) */
  #ended = false;

  constructor(url: string, parse: (data: unknown) => In | null | undefined, log: Logger, what: string) {
    super(log);
    this.#url = url;
    this.#log = log;
    this.#parse = parse;
    this.#what = what;
    this.#connect();
  }

  get status(): SocketStatus {
    return this.#status;
  }

  /** Sends a message; false when the socket is not open (the caller shows it). */
  send(msg: Out): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(msg));
    return true;
  }

  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ws?.close(1000);
    this.#setStatus('closed');
    this.removeAll();
  }

  /**
   * Connects again at `url` (the session's new token, after a password change), the listeners kept: the connection
   * open now is closed and forgotten (its close, a 4401 for the old token say, is not reported), and a socket the
   * server refused comes back. Nothing after close().
   */
  reconnect(url: string): void {
    if (this.#ended) return;
    clearTimeout(this.#timer);
    const old = this.#ws;
    this.#ws = undefined;
    this.#url = url;
    this.#closed = false;
    this.#retryMs = 1000;
    old?.close(1000);
    this.#setStatus('connecting');
    this.#connect();
  }

  #connect(): void {
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    ws.addEventListener('open', () => {
      if (ws !== this.#ws) return;
      this.#retryMs = 1000;
      this.#setStatus('open');
    });
    ws.addEventListener('message', (e) => {
      if (ws !== this.#ws) return; // (a connection reconnect() let go)
      const msg = this.#parse(e.data);
      if (msg) this.emit('message', msg);
      else this.#log.warn({ data: String(e.data).slice(0, 200) }, `ignored an unknown ${this.#what} message`);
    });
    ws.addEventListener('close', (e) => {
      if (this.#closed || ws !== this.#ws) return;
      if (e.code === 1008 || (e.code >= 4000 && e.code < 5000)) {
        // The server refused this session (policy / application codes): retrying would not help.
        this.#log.warn({ code: e.code, reason: e.reason }, `${this.#what} socket refused by the server`);
        this.#closed = true;
        this.#setStatus('closed');
        this.emit('refused', e.reason || `closed with code ${e.code}`);
        return;
      }
      this.#log.warn({ code: e.code, retryMs: this.#retryMs }, `${this.#what} socket closed; reconnecting`);
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
