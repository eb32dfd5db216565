import { Emitter } from '../shared/emitter.ts';
import type { Logger } from '../shared/logger.ts';
import { parseJsonObject } from '../shared/json.ts';
import { parseLink } from './customer-links.ts';

/** What the server tells a waiting customer over the call's events socket. */
export type CustomerEvent =
  | { type: 'queued'; position: number; ewtSeconds: number | null }
  | { type: 'position'; position: number; ewtSeconds: number | null }
  | { type: 'ringing' }
  | { type: 'connected'; agentName: string }
  /** the agent sent a link to open (an absolute http(s) URL; title null: none) */
  | { type: 'link'; url: string; title: string | null }
  /** the agent put the call on hold (held) or took it back */
  | { type: 'hold'; held: boolean }
  /** nobody could take the call: the caller hears a prompt and a tone, leaves a message and hangs up */
  | { type: 'voicemail' }
  | { type: 'ended'; reason: string }
  | { type: 'error'; message: string };

export interface CustomerEventsMap extends Record<string, unknown[]> {
  event: [CustomerEvent];
  close: [];
}

/** Checks one message against the protocol; undefined for anything else (ignored, logged). */
export function parseCustomerEvent(data: unknown): CustomerEvent | undefined {
  const m = parseJsonObject(data);
  if (m === undefined) return undefined;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  switch (m.type) {
    case 'queued':
    case 'position': {
      const position = num(m.position);
      if (position === undefined) return undefined;
      // No estimate yet (a new queue without history) comes as null.
      return { type: m.type, position, ewtSeconds: num(m.ewtSeconds) ?? null };
    }
    case 'ringing':
      return { type: 'ringing' };
    case 'connected':
      return { type: 'connected', agentName: typeof m.agentName === 'string' ? m.agentName : '' };
    case 'link': {
      // (only an absolute http(s) URL: anything else is dropped, whatever the server sent)
      const link = parseLink(m.url, m.title);
      return link && { type: 'link', ...link };
    }
    case 'hold':
      return typeof m.held === 'boolean' ? { type: 'hold', held: m.held } : undefined;
    case 'voicemail':
      return { type: 'voicemail' };
    case 'ended':
      return { type: 'ended', reason: typeof m.reason === 'string' ? m.reason : '' };
    case 'error':
      return { type: 'error', message: typeof m.message === 'string' ? m.message : 'The server reported an error.' };
    default:
      return undefined;
  }
}

/** The customer's live events WebSocket (place in line, ringing, connected, links from the agent, voicemail, ended). close() is idempotent. */
export class CustomerEventsSocket extends Emitter<CustomerEventsMap> {
  readonly #ws: WebSocket;
  readonly #log: Logger;
  #closed = false;

  constructor(url: string, log: Logger) {
    super(log);
    this.#log = log;
    this.#ws = new WebSocket(url);
    this.#ws.addEventListener('message', (e) => {
      const event = parseCustomerEvent(e.data);
      if (!event) {
        this.#log.warn({ data: String(e.data).slice(0, 200) }, 'ignored an unknown customer event');
        return;
      }
      this.emit('event', event);
    });
    this.#ws.addEventListener('close', () => this.close());
    this.#ws.addEventListener('error', () => this.#log.warn({ url }, 'customer events socket error'));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ws.readyState === WebSocket.CONNECTING || this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1000);
    this.emit('close');
    this.removeAll();
  }
}
