import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawUdp } from '../sip/helpers.ts';
import { type Harness, SUPERVISOR_PASSWORD, consoleBrowser, createAgent, eventually, helpQueue, signInBoard, startCallCenter } from './support/harness.ts';
import { inviteQueue } from './support/queue-invite.ts';

/**
 * A supervisor closes a queue at once until a time (an outage, a fire drill), whatever its hours say: the widget's
 * page and a browser call are told when it opens again, a phone dialling it gets 480 saying so, the wall-board shows
 * it; opening it again (until: null) takes calls at once.
 */
describe('closing a queue now', () => {
  let h: Harness;
  let udp: RawUdp;
  let sue: string;
  let queueId: number;
  let phone: { user: string; password: string };

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 47700, rtpPortMax: 47799 });
    ({ queueId, caller: phone, sue, udp } = await helpQueue(h, '5551977'));
  }, 60_000);

  afterAll(async () => {
    udp?.close();
    await h?.close();
  });

  const close = (until: string | null, token = sue, id = queueId) => h.api('PUT', `/api/queues/${id}/closed`, { until }, token);
  const browserCall = () => h.api('POST', '/api/public/calls', { queue: 'help', language: 'en', page: { url: 'https://shop.example/x', title: 'X' } });

  it('closes the queue to new calls of every kind until then, and opens it again', async () => {
    const until = new Date(Date.now() + 3600_000);
    until.setUTCSeconds(0, 0);
    const closed = await close(until.toISOString());
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toEqual({ queueId, closedUntil: until.toISOString(), open: false, opensAt: until.toISOString() });

    expect((await h.api('GET', '/api/public/queues/help')).body).toMatchObject({ open: false, opensAt: until.toISOString() });
    const refused = await browserCall();
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/^Sorry, we are closed\. We open again /);
    const invite = await inviteQueue(h, udp, { to: 'help', ...phone });
    expect(invite.status).toBe(480);
    expect(invite.reason).toMatch(/closed/);
    const board = await h.api('GET', '/api/wallboard', undefined, sue);
    expect(board.body.queues.find((q: { id: number }) => q.id === queueId)).toMatchObject({ open: false, closedUntil: until.toISOString() });
    expect((await h.api('GET', `/api/queues/${queueId}`, undefined, h.admin)).body.closedUntil).toBe(until.toISOString());

    const opened = await close(null);
    expect(opened.body).toEqual({ queueId, closedUntil: null, open: true, opensAt: null });
    expect((await browserCall()).status).toBe(201);
    expect((await h.api('GET', '/api/public/queues/help')).body).toMatchObject({ open: true, opensAt: null });
    expect((await h.api('GET', '/api/wallboard', undefined, sue)).body.queues.find((q: { id: number }) => q.id === queueId)).toMatchObject({ open: true, closedUntil: null });

    // who closed it is in the audit log
    const audit = await eventually(async () => {
      const items = (await h.api('GET', '/api/audit?path=/api/queues', undefined, h.admin)).body.items as Array<{ login: string; route: string; status: number }>;
      const mine = items.filter((a) => a.route === 'PUT /api/queues/:id/closed');
      return mine.length >= 2 ? mine : undefined;
    }, 5000, 'the audit entries');
    expect(audit.map((a) => [a.login, a.status])).toEqual([['sue', 200], ['sue', 200]]);
  });

  it("the wall-board's Close and Open now buttons do it", async () => {
    const b = await consoleBrowser(); // (confirmations accepted)
    try {
      await signInBoard(b.page, h, 'sue', SUPERVISOR_PASSWORD);
      await b.page.getByTestId('wb-queue-close-for').first().selectOption({ label: '30 min' });
      await b.page.getByTestId('wb-queue-close').first().click();
      const state = await eventually(async () => {
        const s = (await h.api('GET', '/api/public/queues/help')).body as { open: boolean; opensAt: string | null };
        return s.open ? undefined : s;
      }, 10_000, 'the queue closed');
      expect(Math.abs(Date.parse(state.opensAt!) - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);
      await eventually(async () => (await b.page.getByTestId('wb-queue-closed-until').first().isVisible()) || undefined, 10_000, 'closed until on the board');
      await b.page.getByTestId('wb-queue-open').first().click();
      await eventually(async () => (await h.api('GET', '/api/public/queues/help')).body.open === true || undefined, 10_000, 'the queue open again');
    } finally {
      await b.close();
    }
  }, 60_000);

  it('refuses a time past or too far, an unknown queue and an agent', async () => {
    const past = await close(new Date(Date.now() - 60_000).toISOString());
    expect(past.status).toBe(400);
    expect(past.body.message).toBe('body.until: a time in the future (or null to open again)');
    expect((await close(new Date(Date.now() + 8 * 86_400_000).toISOString())).body.message).toMatch(/at most 7 days ahead/);
    expect((await close('tomorrow')).status).toBe(400);
    expect((await close(null, sue, 999_999)).status).toBe(404);
    const agent = await createAgent(h, { login: 'ann', name: 'Ann', languages: { en: 5 }, skills: {} });
    expect((await close(null, await h.login('ann', agent.password))).status).toBe(403);
  });
});
