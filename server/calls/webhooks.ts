import { createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { QueueEventInput } from '../../db/repositories/call-log.ts';
import { getSetting, putSetting } from '../../db/repositories/settings.ts';
import { addToOutbox, clearOutbox, readOutbox, removeFromOutbox } from '../../db/repositories/webhook-outbox.ts';
import type { Database } from '../../db/schema.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import type { Logger } from '../logger.ts';

/** Where the call center's events go (PUT /api/settings/webhook): an http(s) URL, a signing secret, which events. */
export interface WebhookSettings {
  /** null: no webhook */
  url: string | null;
  /** signs every delivery (X-Callflow-Signature); null: unsigned */
  secret: string | null;
  /** the queue log events sent (ENTERQUEUE, CONNECT, …); null: all */
  events: string[] | null;
}

/** What the receiver gets for one event: the queue log entry, and who the caller is when the call is in progress. */
export interface WebhookEvent {
  /** unique: a receiver that sees it twice (a retried delivery it had taken) knows */
  id: string;
  event: string;
  at: string;
  callId: string | null;
  queueId: number | null;
  agentId: number | null;
  data: Record<string, unknown>;
  call?: { caller: string; customerId: string | null; channel: string; language: string | null };
}

export interface WebhookStats {
  delivered: number;
  /** deliveries that failed (each is retried) */
  failures: number;
  /** events dropped because too many were waiting (the receiver was down too long) */
  dropped: number;
  pending: number;
  lastError: string | null;
  lastDeliveredAt: string | null;
}

export const NO_WEBHOOK: WebhookSettings = { url: null, secret: null, events: null };

/** Events waiting at most (the oldest go first beyond it), events a delivery carries at most, how long one may take. */
const MAX_PENDING = 10_000;
const BATCH = 100;
const TIMEOUT_MS = 5000;
const MAX_BACKOFF_MS = 60_000;

/** A webhook URL's problem (absolute http or https, no credentials in it), or null when it is fine. */
export function webhookUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `not an absolute URL: ${JSON.stringify(url)}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `expected http:// or https://, got ${u.protocol}`;
  if (u.username !== '' || u.password !== '') return 'put no credentials in the URL: set a secret, which signs every delivery';
  return null;
}

/** The signature of a delivery: HMAC-SHA256 over "<timestamp>.<body>" with the secret, hex. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Sends the queue log's events, as they happen, to an admin's URL (a CRM, a data warehouse, a chat alert): POSTs of
 * `{"events": [...]}` in order, up to BATCH at a time, one at a time; a failed delivery (an error, a timeout, a status
 * that is not 2xx) is tried again after 1, 2, 4 … 60 s, so nothing is lost while the receiver is down for a while. At
 * most MAX_PENDING events wait (then the oldest are dropped and counted). What waits is also kept in the database
 * (webhook_outbox, per server), so a restart loses none: the server sends it when it starts again. At least once: an
 * event whose delivery went through just before a crash may come again (same id).
 */
export class Webhooks {
  #settings: WebhookSettings = NO_WEBHOOK;
  #pending: WebhookEvent[] = [];
  #sending = false;
  #retry: NodeJS.Timeout | undefined;
  #backoffMs = 0;
  #closed = false;
  readonly #stats = { delivered: 0, failures: 0, dropped: 0, lastError: null as string | null, lastDeliveredAt: null as string | null };
  /** the outbox's writes, one after another (an event is stored before its delivery's removal runs) */
  #writes: Promise<void> = Promise.resolve();
  /** queued events not stored yet (stored together by the next write) */
  #unsaved: WebhookEvent[] = [];

  constructor(private readonly deps: { db: Kysely<Database>; box: SecretBox; logger: Logger; node: string }) {}

  get settings(): Readonly<WebhookSettings> {
    return this.#settings;
  }

  get stats(): WebhookStats {
    return { ...this.#stats, pending: this.#pending.length };
  }

  async load(): Promise<void> {
    const text = await getSetting(this.deps.db, KEY);
    if (text === null) return;
    const s = JSON.parse(text) as { url: string | null; events: string[] | null; secretSealed: string | null };
    let secret: string | null = null;
    try {
      secret = s.secretSealed === null ? null : this.deps.box.open(s.secretSealed);
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'the webhook secret stored cannot be opened (was SECRET_KEY changed?): deliveries go unsigned until an admin sets it again');
    }
    this.#settings = { url: s.url, events: s.events, secret };
    if (s.url === null) return;
    // what this server had not delivered when it stopped goes first
    this.#pending = (await readOutbox(this.deps.db, this.deps.node, MAX_PENDING)) as unknown as WebhookEvent[];
    if (this.#pending.length > 0) this.deps.logger.info({ url: s.url, pending: this.#pending.length }, 'webhook: sending the events left undelivered');
    this.#kick();
  }

  /** Stores and applies new settings; events waiting for an old URL go to the new one, none when the webhook is off. */
  async configure(s: WebhookSettings): Promise<void> {
    await putSetting(this.deps.db, KEY, JSON.stringify({ url: s.url, events: s.events, secretSealed: s.secret === null ? null : this.deps.box.seal(s.secret) }));
    this.#settings = s;
    if (s.url === null) {
      this.#pending = [];
      this.#unsaved = [];
      this.#write(() => clearOutbox(this.deps.db, this.deps.node));
    }
    this.#backoffMs = 0;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#kick();
  }

  /** A queue log event (and, for a call in progress, who calls): sent when the webhook wants it. */
  enqueue(e: QueueEventInput, call?: WebhookEvent['call']): void {
    const s = this.#settings;
    if (s.url === null || this.#closed || (s.events !== null && !s.events.includes(e.event))) return;
    const event: WebhookEvent = {
      id: randomUUID(),
      event: e.event,
      at: (e.at ?? new Date()).toISOString(),
      callId: e.callId ?? null,
      queueId: e.queueId ?? null,
      agentId: e.agentId ?? null,
      data: e.data ?? {},
      ...(call ? { call } : {}),
    };
    this.#pending.push(event);
    this.#unsaved.push(event);
    if (this.#unsaved.length === 1) {
      this.#write(async () => {
        const batch = this.#unsaved;
        this.#unsaved = [];
        await addToOutbox(this.deps.db, this.deps.node, batch as unknown as Array<{ id: string } & Record<string, unknown>>);
      });
    }
    if (this.#pending.length > MAX_PENDING) {
      const over = this.#pending.length - MAX_PENDING;
      const dropped = this.#pending.splice(0, over).map((d) => d.id);
      this.#write(() => removeFromOutbox(this.deps.db, dropped));
      if (this.#stats.dropped === 0) this.deps.logger.warn({ url: this.#settings.url }, 'webhook receiver behind: the oldest events are dropped');
      this.#stats.dropped += over;
    }
    this.#kick();
  }

  /** Sends a PING event now (not queued): the receiver's status and the time it took, or the error. */
  async test(): Promise<{ ok: boolean; status: number | null; ms: number; error: string | null }> {
    const t0 = Date.now();
    const ping: WebhookEvent = { id: randomUUID(), event: 'PING', at: new Date().toISOString(), callId: null, queueId: null, agentId: null, data: {} };
    try {
      const status = await this.#post([ping]);
      return { ok: status >= 200 && status < 300, status, ms: Date.now() - t0, error: status >= 200 && status < 300 ? null : `HTTP ${status}` };
    } catch (err) {
      return { ok: false, status: null, ms: Date.now() - t0, error: (err as Error).message };
    }
  }

  /** Stops delivering; resolves once what waits is stored (it is sent when the server starts again). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#writes;
  }

  #write(op: () => Promise<void>): void {
    this.#writes = this.#writes.then(op).catch((err: unknown) => this.deps.logger.warn({ err }, 'webhook outbox: a write failed (an event may be lost or sent twice after a restart)'));
  }

  #kick(): void {
    if (this.#sending || this.#retry !== undefined || this.#pending.length === 0 || this.#closed || this.#settings.url === null) return;
    this.#sending = true;
    void this.#deliver().finally(() => {
      this.#sending = false;
      if (this.#retry === undefined) this.#kick();
    });
  }

  async #deliver(): Promise<void> {
    const batch = this.#pending.slice(0, BATCH);
    let problem: string | null;
    try {
      const status = await this.#post(batch);
      problem = status >= 200 && status < 300 ? null : `HTTP ${status}`;
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem === null) {
      // (the webhook may have been turned off or pointed elsewhere meanwhile: drop only what was sent)
      const sent = new Set(batch.map((e) => e.id));
      this.#pending = this.#pending.filter((e) => !sent.has(e.id));
      if (!this.#closed) this.#write(() => removeFromOutbox(this.deps.db, [...sent]));
      this.#stats.delivered += batch.length;
      this.#stats.lastDeliveredAt = new Date().toISOString();
      this.#backoffMs = 0;
      return;
    }
    this.#stats.failures++;
    this.#stats.lastError = problem;
    this.#backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(1000, this.#backoffMs * 2));
    this.deps.logger.warn({ url: this.#settings.url, problem, retryInMs: this.#backoffMs, pending: this.#pending.length }, 'webhook delivery failed');
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#kick();
    }, this.#backoffMs);
    this.#retry.unref();
  }

  async #post(events: WebhookEvent[]): Promise<number> {
    const { url, secret } = this.#settings;
    if (url === null) throw new Error('no webhook URL');
    const body = JSON.stringify({ events });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'callflow-webhook',
        'x-callflow-timestamp': timestamp,
        ...(secret === null ? {} : { 'x-callflow-signature': `sha256=${webhookSignature(secret, timestamp, body)}` }),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined); // (the connection is reused once the answer is read)
    return res.status;
  }
}

const KEY = 'webhook';
