import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../sip/index.ts';
import { RawUdp } from '../sip/helpers.ts';
import { type Harness, startCallCenter } from './support/harness.ts';
import { inDialog, inviteQueue } from './support/queue-invite.ts';

const BODY = { queue: 'support', language: 'en', page: { url: 'https://shop.example/help', title: 'Help' } };

/** POST /api/public/calls from a chosen loopback address (fetch cannot pick its source address). */
function announceFrom(h: Harness, localAddress: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const url = new URL('/api/public/calls', h.baseUrl);
  const payload = JSON.stringify(BODY);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * The public call API needs no login: each announced call holds one-call SIP credentials and memory until it is
 * dialled or expires (5 min), so one address may only have PUBLIC_CALLS_PER_SOURCE of them at once.
 */
describe('public call limits', () => {
  let h: Harness;
  let udp: RawUdp;

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 45100, rtpPortMax: 45199, env: { PUBLIC_CALLS_PER_SOURCE: '3' } });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 } }, h.admin);
    udp = await new RawUdp().open();
  }, 60_000);

  afterAll(async () => {
    udp?.close();
    await h?.close();
  });

  it('refuses an address its calls beyond the limit with 429 until one is dialled; other addresses go on', async () => {
    const calls = [];
    for (let i = 0; i < 3; i++) {
      const r = await announceFrom(h, '127.0.0.1');
      expect(r.status).toBe(201);
      calls.push(r.body);
    }
    const refused = await announceFrom(h, '127.0.0.1');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'ERR_TOO_MANY_REQUESTS' });
    expect(refused.body.message).toMatch(/3 calls from 127\.0\.0\.1 are waiting to be dialled/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    expect((await announceFrom(h, '127.0.0.2')).status).toBe(201);

    // the browser dials one of its calls: that one no longer counts
    const first = calls[0];
    const ringing = await inviteQueue(
      h,
      udp,
      { to: 'support', user: first.sip.authorizationUsername, password: first.sip.authorizationPassword, headers: [`X-Call-Token: ${first.token}`] },
      (status) => status > 100,
    );
    expect(ringing.status).toBeLessThan(300);
    expect((await announceFrom(h, '127.0.0.1')).status).toBe(201);
    expect((await announceFrom(h, '127.0.0.1')).status).toBe(429);
    if (ringing.status >= 200) {
      // (the queue answers at once to play its announcements: acknowledge, then hang up)
      inDialog(h, udp, ringing, 'ACK');
      inDialog(h, udp, ringing, 'BYE');
      const byeOk = await udp.take((m) => (m as SipResponse).callId === ringing.callId && (m as SipResponse).cseq?.method === 'BYE');
      expect(byeOk.status).toBe(200);
    }
  });
});
