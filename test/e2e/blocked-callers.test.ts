import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawUdp } from '../sip/helpers.ts';
import { makeTone } from '../support/baresip.ts';
import { launchBrowser } from './support/browser.ts';
import { type Harness, eventually, helpQueue, signInBoard, startCallCenter } from './support/harness.ts';
import { inDialog, inviteQueue } from './support/queue-invite.ts';

/**
 * Blocked callers end to end: a supervisor blocks the caller of a call from the history (their phone number), or a
 * web customer id; the phone's next INVITE gets 603 Decline, the widget's call and callback requests 403; unblocked,
 * the caller gets through again. The phone is raw SIP over UDP (its SIP account's user is its number).
 */
describe('blocked callers', () => {
  let h: Harness;
  let udp: RawUdp;
  let caller: { user: string; password: string };
  let sue: string;
  let agentToken: string;

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 47200, rtpPortMax: 47299 });
    let carl: { password: string };
    ({ caller, carl, sue, udp } = await helpQueue(h, '5551921'));
    agentToken = await h.login('carl', carl.password);
  }, 60_000);

  afterAll(async () => {
    udp?.close();
    await h?.close();
  });

  /** The phone dials `help`: the final status; a call that was answered is hung up at once. */
  async function dial(): Promise<number> {
    const r = await inviteQueue(h, udp, { to: 'help', ...caller });
    if (r.status === 200) {
      inDialog(h, udp, r, 'ACK');
      inDialog(h, udp, r, 'BYE');
      await udp.take((m) => 'status' in m && m.callId === r.callId && m.cseq.method === 'BYE');
    } else {
      inDialog(h, udp, r, 'ACK', { cseq: 2 }); // (the ACK of a failure)
    }
    return r.status;
  }
  const block = (body: object, token = sue) => h.api('POST', '/api/blocked-callers', body, token);
  const startWebCall = (customerId?: string) =>
    h.api('POST', '/api/public/calls', { queue: 'help', language: 'en', page: { url: 'https://shop.example/', title: 'Shop' }, ...(customerId ? { customerId } : {}) });

  it("blocks a phone caller named by a call of theirs, for a while; the phone's calls are declined until unblocked", async () => {
    expect(await dial()).toBe(200);
    const last = (await h.api('GET', '/api/calls?limit=1', undefined, sue)).body.items[0] as { id: string; caller: string };
    expect(last.caller).toContain('5551921');
    const b = await block({ callId: last.id, reason: ' abusive ', days: 7 });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    expect(b.body).toMatchObject({ number: '5551921', customerId: null, reason: 'abusive', blockedBy: 'sue', active: true });
    expect(new Date(b.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    expect(await dial()).toBe(603);
    // … nor may they ask to be called back on that number from a page
    const cb = await h.api('POST', '/api/public/callbacks', { queue: 'help', number: '555 19 21', language: 'en' });
    expect(cb).toMatchObject({ status: 403, body: { message: 'Sorry, we cannot take your call.' } });
    // the same number again is one block; the block ends when it expires
    expect((await block({ number: '555-1921' })).status).toBe(409);
    expect(h.server.center.blocklist.blocks('tel:5551921', Date.now() + 8 * 86_400_000)).toBe(false);

    expect((await h.api('GET', '/api/blocked-callers', undefined, sue)).body.map((x: { number: string }) => x.number)).toEqual(['5551921']);
    expect((await h.api('DELETE', `/api/blocked-callers/${b.body.id}`, undefined, sue)).status).toBe(204);
    expect((await h.api('DELETE', `/api/blocked-callers/${b.body.id}`, undefined, sue)).status).toBe(404);
    expect(await dial()).toBe(200);
  }, 60_000);

  it('blocks a web customer by the customer id their page passes: the widget is refused a call', async () => {
    expect((await startWebCall('c-77')).status).toBe(201);
    const b = await block({ customerId: 'c-77' });
    expect(b.body).toMatchObject({ number: null, customerId: 'c-77', expiresAt: null, active: true });
    expect(await startWebCall('c-77')).toMatchObject({ status: 403, body: { message: 'Sorry, we cannot take your call.' } });
    expect((await startWebCall('c-78')).status).toBe(201);
    expect((await startWebCall()).status).toBe(201);
  });

  it('refuses a block that names nobody, or two at once, and agents may not block', async () => {
    expect((await block({ reason: 'x' })).status).toBe(400);
    expect((await block({ number: '5551234', customerId: 'c-1' })).status).toBe(400);
    expect(await block({ number: 'call me' })).toMatchObject({ status: 400, body: { field: 'body.number' } });
    expect((await block({ callId: 'no-such-call' })).status).toBe(404);
    expect((await block({ number: '5551234' }, agentToken)).status).toBe(403);
    // a browser call without a customer id: nobody to block
    const web = (await startWebCall()).body;
    const ok = await inviteQueue(h, udp, { to: 'help', user: web.sip.authorizationUsername, password: web.sip.authorizationPassword, headers: [`X-Call-Token: ${web.token}`] });
    expect(ok.status).toBe(200);
    inDialog(h, udp, ok, 'ACK');
    inDialog(h, udp, ok, 'BYE');
    await eventually(() => h.server.center.call(web.callId) === undefined, 10_000, 'the call to end');
    expect(await block({ callId: web.callId })).toMatchObject({ status: 422, body: { field: 'body.callId' } });
  }, 30_000);

  it("a supervisor blocks a call's caller from the wall-board's call history, and unblocks them", async () => {
    expect(await dial()).toBe(200);
    const last = (await h.api('GET', '/api/calls?limit=1', undefined, sue)).body.items[0] as { id: string };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-block-'));
    const browser = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
    try {
      const page = browser.page;
      await signInBoard(page, h, 'sue', 'sue-password-1');
      const section = page.getByTestId('wb-calls');
      await section.getByTestId(`wb-calls-row-${last.id}`).getByTestId('wb-calls-details').click();
      await page.getByTestId('call-block').click();
      await page.getByTestId('call-block-reason').fill('threatening');
      await page.getByTestId('call-block-submit').click();
      await eventually(async () => (await page.getByTestId('call-block-status').textContent()) === 'Caller blocked', 10_000, 'the block');
      // (the web customer blocked above is listed too)
      const rows = page.getByTestId('blocked-rows').getByTestId('blocked-row').filter({ hasText: '5551921' });
      await eventually(async () => (await rows.count()) === 1, 10_000, 'the block listed');
      expect(await rows.first().textContent()).toContain('threatening');
      expect(await dial()).toBe(603);
      await rows.first().getByTestId('blocked-unblock').click();
      await eventually(async () => (await rows.count()) === 0, 10_000, 'the block gone from the list');
      expect(await dial()).toBe(200);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("erases what is kept about a customer (their right to erasure): not while they call; admins only", async () => {
    const erase = (body: object, token = h.admin) => h.api('POST', '/api/customers/erase', body, token);
    expect((await erase({})).status).toBe(400);
    expect((await erase({ number: '5551921', customerId: 'c-77' })).status).toBe(400);
    expect(await erase({ number: 'call me' })).toMatchObject({ status: 400, body: { field: 'body.number' } });
    expect((await erase({ number: '5551921' }, sue)).status).toBe(403);
    // while a call of theirs is in progress: refused
    const ok = await inviteQueue(h, udp, { to: 'help', ...caller });
    expect(ok.status).toBe(200);
    inDialog(h, udp, ok, 'ACK');
    expect(await erase({ number: '555 1921' })).toMatchObject({ status: 409, body: { message: expect.stringContaining('in progress') } });
    inDialog(h, udp, ok, 'BYE');
    await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
    await eventually(() => h.server.center.activeCalls === 0, 10_000, 'the call to end');
    const theirs = (await h.api('GET', '/api/calls?limit=100', undefined, sue)).body.items.filter((c: { caller: string }) => c.caller.includes('5551921'));
    expect(theirs.length).toBeGreaterThan(3);
    const r = await erase({ number: '555 1921' });
    expect(r).toMatchObject({ status: 200, body: { calls: theirs.length, notes: 0, recordings: 0, voicemails: 0, callbacks: 0 } });
    const after = (await h.api('GET', `/api/calls/${theirs[0].id}`, undefined, sue)).body;
    expect(after).toMatchObject({ caller: 'erased', customerId: null, context: {}, queueId: theirs[0].queueId });
    expect((await h.api('GET', '/api/calls?limit=100', undefined, sue)).body.items.some((c: { caller: string }) => c.caller.includes('5551921'))).toBe(false);
  }, 30_000);
});
