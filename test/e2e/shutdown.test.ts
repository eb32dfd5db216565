import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawUdp } from '../sip/helpers.ts';
import { type Harness, helpQueue, startCallCenter } from './support/harness.ts';
import { inDialog, inviteQueue } from './support/queue-invite.ts';

/**
 * What an admin sees of the SIP traffic (GET /api/sip/stats), and a server stopped (Ctrl-C) while a caller whose phone
 * has gone away is still on the line: the shutdown hangs up and does not wait out the BYE's transaction timeout.
 */
describe('SIP counters and shutdown with a caller gone', () => {
  let h: Harness;
  let udp: RawUdp;
  let phone: { user: string; password: string };
  let closed = false;

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 42800, rtpPortMax: 42899 });
    ({ caller: phone, udp } = await helpQueue(h, '5551988'));
  }, 60_000);

  afterAll(async () => {
    udp?.close();
    if (!closed) await h?.close();
  });

  it('counts what the SIP port dropped and the dialogs in progress, for admins only; a shutdown does not wait for a caller gone', async () => {
    expect((await h.api('GET', '/api/sip/stats')).status).toBe(401);
    const before = (await h.api('GET', '/api/sip/stats', undefined, h.admin)).body;
    udp.send(Buffer.from('this is not SIP\r\n\r\n'), h.sipPort);

    // a phone caller waits in the queue (no agent: the server answers to play the prompts), then its phone goes away
    const ok = await inviteQueue(h, udp, { to: 'help', ...phone });
    expect(ok.status).toBe(200);
    inDialog(h, udp, ok, 'ACK');
    const stats = await h.api('GET', '/api/sip/stats', undefined, h.admin);
    expect(stats.status).toBe(200);
    expect(stats.body.dropped).toBe(before.dropped + 1);
    expect(stats.body.received).toBeGreaterThan(before.received);
    expect(stats.body.activeDialogs).toBe(1);
    expect(stats.body.authFailures).toBe(0);
    expect(stats.body.bindings).toBe(0);
    expect(stats.body.overload).toMatchObject({ rejected: 0 });
    udp.close();

    // the BYE to the caller gets no answer: its transaction would last 64 * T1 = 32 s
    const t0 = Date.now();
    closed = true;
    await h.close();
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 60_000);
});
