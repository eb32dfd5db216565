import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';

export type WsHandler = (socket: WebSocket, request: IncomingMessage, url: URL) => void | Promise<void>;

/**
 * WebSocket endpoints on the HTTP server's port: `/ws/agent`, `/ws/customer` (ours) next to `/sip` (the SIP
 * transport attaches its own upgrade listener for that path). An upgrade to any other path is answered 404.
 */
export class WsEndpoints {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  readonly #handlers = new Map<string, WsHandler>();
  readonly #listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(
    private readonly server: Server,
    private readonly logger: Logger,
    /** Paths another listener on the same server answers (e.g. '/sip'). */
    private readonly foreignPaths: readonly string[] = [],
  ) {
    this.#listener = (req, socket, head) => this.#upgrade(req, socket, head);
    server.on('upgrade', this.#listener);
  }

  handle(path: string, handler: WsHandler): void {
    this.#handlers.set(path, handler);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.foreignPaths.includes(url.pathname)) return;
    const handler = this.#handlers.get(url.pathname);
    if (handler === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const failed = (err: unknown): void => {
        this.logger.error({ err, path: url.pathname }, 'WebSocket handler failed');
        ws.close(1011, 'internal error');
      };
      try {
        void Promise.resolve(handler(ws, req, url)).catch(failed);
      } catch (err) {
        failed(err);
      }
    });
  }

  close(): void {
    this.server.off('upgrade', this.#listener);
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }
}

/** Sends a JSON message if the socket is open; never throws. */
export function sendJson(ws: WebSocket, message: object): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

/** Open sockets grouped by a key (an agent, a call): each forgets itself when it closes. */
export class SocketGroups {
  readonly #groups = new Map<string, Set<WebSocket>>();

  add(key: string, ws: WebSocket): void {
    let set = this.#groups.get(key);
    if (set === undefined) this.#groups.set(key, (set = new Set()));
    set.add(ws);
    ws.on('close', () => {
      set.delete(ws);
      if (set.size === 0 && this.#groups.get(key) === set) this.#groups.delete(key);
    });
  }

  /** Whether the key has a connection now. */
  has(key: string): boolean {
    return this.#groups.has(key);
  }

  /** The keys that have a connection now. */
  keys(): IterableIterator<string> {
    return this.#groups.keys();
  }

  /** Sends to every open socket of the key; returns how many there were. */
  send(key: string, message: object): number {
    let sent = 0;
    for (const ws of this.#groups.get(key) ?? []) {
      if (ws.readyState !== ws.OPEN) continue;
      sendJson(ws, message);
      sent++;
    }
    return sent;
  }

  close(key: string, code: number, reason: string): void {
    for (const ws of this.#groups.get(key) ?? []) ws.close(code, reason);
    this.#groups.delete(key);
  }
}
