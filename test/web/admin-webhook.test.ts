import { describe, expect, it } from 'vitest';
import { QUEUE_EVENT_TYPES } from '../../db/schema.ts';
import { WEBHOOK_EVENTS, type WebhookForm, type WebhookStats, webhookBody, webhookStatsText, webhookTestText } from '../../web-softphone/admin/webhook.ts';

/** The form as an admin leaves it: a URL, the secret kept, all events. */
function filled(more: Partial<WebhookForm> = {}): WebhookForm {
  return { url: 'https://crm.example.com/hooks/callflow', secret: '', noSecret: false, allEvents: true, events: [], ...more };
}

const STATS: WebhookStats = { delivered: 120, failures: 2, dropped: 0, pending: 0, lastError: 'HTTP 503', lastDeliveredAt: '2026-12-07T06:01:02.000Z' };

describe('the webhook form in the admin console', () => {
  it('offers the events the server knows, in its order', () => {
    expect([...WEBHOOK_EVENTS]).toEqual([...QUEUE_EVENT_TYPES]);
  });

  it('sends events null for all events, else the ticked ones in the server\'s order', () => {
    expect(webhookBody(filled({ events: ['ABANDON'] }))).toEqual({ url: 'https://crm.example.com/hooks/callflow', events: null });
    expect(webhookBody(filled({ allEvents: false, events: ['ABANDON', 'ENTERQUEUE', 'NOSUCH'] })).events).toEqual(['ENTERQUEUE', 'ABANDON']);
    expect(() => webhookBody(filled({ allEvents: false, events: [] }))).toThrow('events: tick the ones to send, or All events');
  });

  it('leaves the secret out to keep it, sends a new one, or null for none', () => {
    expect(webhookBody(filled())).not.toHaveProperty('secret');
    expect(webhookBody(filled({ secret: 'a-long-enough-webhook-secret' }))).toEqual({
      url: 'https://crm.example.com/hooks/callflow', secret: 'a-long-enough-webhook-secret', events: null,
    });
    expect(webhookBody(filled({ noSecret: true }))).toHaveProperty('secret', null);
    // (unsigned wins over what is typed in the secret field)
    expect(webhookBody(filled({ noSecret: true, secret: 'a-long-enough-webhook-secret' }))).toHaveProperty('secret', null);
  });

  it('trims the URL and refuses none (Turn off is how it stops)', () => {
    expect(webhookBody(filled({ url: '  http://127.0.0.1:8080/x ' })).url).toBe('http://127.0.0.1:8080/x');
    expect(() => webhookBody(filled({ url: ' ' }))).toThrow(/^URL: required/);
  });

  it('words the delivery figures, with the last error when there is one', () => {
    expect(webhookStatsText(STATS)).toBe('delivered 120 · failures 2 · pending 0 · dropped 0 · last error: HTTP 503');
    expect(webhookStatsText({ ...STATS, delivered: 3, failures: 0, pending: 4, dropped: 1, lastError: null })).toBe('delivered 3 · failures 0 · pending 4 · dropped 1');
  });

  it("words a test's answer: the receiver's status and time, or why it failed", () => {
    expect(webhookTestText({ ok: true, status: 204, ms: 12, error: null })).toBe('Receiver answered 204 in 12 ms');
    expect(webhookTestText({ ok: false, status: 503, ms: 40, error: 'HTTP 503' })).toBe('Failed: HTTP 503');
    expect(webhookTestText({ ok: false, status: null, ms: 5000, error: 'fetch failed' })).toBe('Failed: fetch failed');
    expect(webhookTestText({ ok: false, status: 302, ms: 3, error: null })).toBe('Failed: HTTP 302');
  });
});
