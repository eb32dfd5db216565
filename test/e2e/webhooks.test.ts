import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSignature } from '../../server/calls/webhooks.ts';
import type { RawUdp } from '../sip/helpers.ts';
import { type Harness, eventually, helpQueue, startCallCenter } from './support/harness.ts';
import { inDialog, inviteQueue } from './support/queue-invite.ts';

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  events: Array<{ id: string; event: string; callId: string | null; queueId: number | null; data: Record<string, unknown>; call?: { caller: string; channel: string } }>;
}

/**
 * The webhook end to end: a receiver of ours on 127.0.0.1 gets the queue log's events of real calls (a raw-SIP phone
 * dialling a queue and hanging up), signed with the admin's secret, only the events asked for; a receiver that fails
 * gets them later (retried), and a webhook turned off sends nothing.
 */
describe('webhook', () => {
  let h: Harness;
  let udp: RawUdp;
  let receiver: Server;
  let url: string;
  const got: Delivery[] = [];
  /** answers this many deliveries with 503 before taking them */
  let failNext = 0;
  let caller: { user: string; password: string };
  let sue: string;
  const SECRET = 'a-long-enough-webhook-secret';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        got.push({ headers: req.headers, body, events: JSON.parse(body).events });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/callflow`;
    h = await startCallCenter({ rtpPortMin: 47300, rtpPortMax: 47399 });
    ({ caller, sue, udp } = await helpQueue(h, '5551931'));
  }, 60_000);

  afterAll(async () => {
    udp?.close();
    await h?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** The phone dials `help`, waits in line a moment and hangs up (an ENTERQUEUE and an ABANDON). */
  async function callAndHangUp(): Promise<string> {
    const ok = await inviteQueue(h, udp, { to: 'help', ...caller });
    expect(ok.status).toBe(200);
    inDialog(h, udp, ok, 'ACK');
    await new Promise((r) => setTimeout(r, 300));
    inDialog(h, udp, ok, 'BYE');
    await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
    return ok.callId;
  }
  const signed = (d: Delivery) => d.headers['x-callflow-signature'] === `sha256=${webhookSignature(SECRET, String(d.headers['x-callflow-timestamp']), d.body)}`;
  const settings = (body: object, token = h.admin) => h.api('PUT', '/api/settings/webhook', body, token);

  it('is set by admins only, to an http(s) URL and known events; the secret is never shown', async () => {
    expect(await settings({ url: 'ftp://example.com/x' })).toMatchObject({ status: 400, body: { field: 'body.url' } });
    expect(await settings({ url: 'https://user:pw@example.com/x' })).toMatchObject({ status: 400, body: { field: 'body.url' } });
    expect(await settings({ url, events: ['ENTERQUEUE', 'NOSUCH'] })).toMatchObject({ status: 400, body: { field: 'body.events' } });
    expect((await settings({ url }, sue)).status).toBe(403);
    expect((await h.api('POST', '/api/settings/webhook/test', {}, h.admin)).status).toBe(409); // (none set yet)
    const set = await settings({ url, secret: SECRET, events: ['ENTERQUEUE', 'ABANDON'] });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ url, secretSet: true, events: ['ENTERQUEUE', 'ABANDON'] });
    expect(JSON.stringify((await h.api('GET', '/api/settings/webhook', undefined, h.admin)).body)).not.toContain(SECRET);

    const ping = await h.api('POST', '/api/settings/webhook/test', {}, h.admin);
    expect(ping.body).toMatchObject({ ok: true, status: 204, error: null });
    expect(got.at(-1)!.events.map((e) => e.event)).toEqual(['PING']);
    expect(signed(got.at(-1)!)).toBe(true);
  });

  it("sends a call's events as they happen, signed, with who calls; only the events asked for", async () => {
    got.length = 0;
    await callAndHangUp();
    const events = await eventually(() => {
      const all = got.flatMap((d) => d.events);
      return all.some((e) => e.event === 'ABANDON') ? all : undefined;
    }, 10_000, 'the events delivered');
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'ABANDON']); // (no AGENTSTATE, OFFER, …)
    expect(got.every(signed)).toBe(true);
    const [enter, abandon] = events;
    expect(enter!.callId).toBe(abandon!.callId);
    expect(enter!.call).toMatchObject({ caller: expect.stringContaining('5551931'), channel: 'sip' });
    expect(abandon!.data).toMatchObject({ waited: expect.any(Number) });
    const record = (await h.api('GET', `/api/calls/${enter!.callId}`, undefined, sue)).body;
    expect(record.queueId).toBe(enter!.queueId);
    // (a forged body does not match the signature)
    expect(signed({ ...got[0]!, body: got[0]!.body.replace('ABANDON', 'CONNECT').replace('ENTERQUEUE', 'CONNECT') })).toBe(false);
  }, 30_000);

  it('keeps the events while the receiver fails and delivers them when it is back; turned off, sends nothing', async () => {
    got.length = 0;
    failNext = 2;
    const before = (await h.api('GET', '/api/settings/webhook', undefined, h.admin)).body.stats;
    await callAndHangUp();
    await eventually(() => got.flatMap((d) => d.events).some((e) => e.event === 'ABANDON'), 20_000, 'the events after two failures');
    const after = (await h.api('GET', '/api/settings/webhook', undefined, h.admin)).body.stats;
    expect(after.failures - before.failures).toBe(2);
    expect(after.delivered - before.delivered).toBe(2);
    expect(after).toMatchObject({ pending: 0, dropped: 0, lastError: 'HTTP 503' });

    expect((await settings({ url: null })).body).toMatchObject({ url: null });
    got.length = 0;
    await callAndHangUp();
    await new Promise((r) => setTimeout(r, 1500));
    expect(got).toEqual([]);
  }, 40_000);
});
