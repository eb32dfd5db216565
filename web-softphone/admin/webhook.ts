/**
 * The webhook form of the admin console: the body of PUT /api/settings/webhook it sends, and the delivery figures and
 * the answer of a test (POST /api/settings/webhook/test) in words.
 */

/** The queue log's events, the ones a webhook may ask for (db/schema.ts QUEUE_EVENT_TYPES, in its order). */
export const WEBHOOK_EVENTS = [
  'ENTERQUEUE', 'OFFER', 'CONNECT', 'ABANDON', 'COMPLETEAGENT', 'COMPLETECALLER', 'TRANSFER', 'RINGNOANSWER', 'EXITWITHTIMEOUT',
  'OVERFLOW', 'EXITWITHKEY', 'CALLBACKREQUESTED', 'CALLBACKATTEMPT', 'CALLBACKFAILED', 'CALLBACKCANCELLED', 'HOLD', 'UNHOLD',
  'AGENTLOGIN', 'AGENTLOGOFF', 'PAUSE', 'UNPAUSE', 'WRAPUPEND', 'DISPOSITION', 'LINK', 'LISTEN', 'COACH', 'BARGE', 'VOICEMAIL',
  'SURVEY', 'AGENTSTATE', 'RECORDPAUSE', 'RECORDRESUME', 'CALLBACKRESCHEDULED',
] as const;

export interface WebhookStats {
  delivered: number;
  failures: number;
  dropped: number;
  pending: number;
  lastError: string | null;
  lastDeliveredAt: string | null;
}

/** GET /api/settings/webhook (and the answer of PUT). */
export interface WebhookView {
  url: string | null;
  secretSet: boolean;
  /** null: all */
  events: string[] | null;
  stats: WebhookStats;
}

/** POST /api/settings/webhook/test */
export interface WebhookTest {
  ok: boolean;
  status: number | null;
  ms: number;
  error: string | null;
}

/** What the form holds. */
export interface WebhookForm {
  url: string;
  /** a new secret; empty: the one set stays */
  secret: string;
  /** sign nothing (the secret set is removed) */
  noSecret: boolean;
  allEvents: boolean;
  /** the events ticked (read only when not all) */
  events: readonly string[];
}

export interface WebhookBody {
  url: string | null;
  secret?: string | null;
  events: string[] | null;
}

/**
 * The body of PUT /api/settings/webhook for Save. An empty URL is refused (Turn off is how the webhook stops), as is
 * no event at all; the server judges the URL and the secret's length.
 */
export function webhookBody(f: WebhookForm): WebhookBody {
  const url = f.url.trim();
  if (url === '') throw new Error('URL: required, e.g. https://crm.example.com/hooks/callflow (Turn off stops the webhook)');
  // (in the server's order, whatever order they were ticked in)
  const events = f.allEvents ? null : WEBHOOK_EVENTS.filter((e) => f.events.includes(e));
  if (events !== null && events.length === 0) throw new Error('events: tick the ones to send, or All events');
  const secret = f.noSecret ? { secret: null } : f.secret !== '' ? { secret: f.secret } : {};
  return { url, ...secret, events };
}

/** "delivered 120 · failures 2 · pending 0 · dropped 0 · last error: HTTP 503" (no last error: none said). */
export function webhookStatsText(s: WebhookStats): string {
  const figures = `delivered ${s.delivered} · failures ${s.failures} · pending ${s.pending} · dropped ${s.dropped}`;
  return s.lastError === null ? figures : `${figures} · last error: ${s.lastError}`;
}

/** "Receiver answered 204 in 12 ms", or "Failed: HTTP 503" / "Failed: fetch failed". */
export function webhookTestText(t: WebhookTest): string {
  if (t.ok) return `Receiver answered ${t.status} in ${t.ms} ms`;
  return `Failed: ${t.error ?? `HTTP ${t.status}`}`;
}
