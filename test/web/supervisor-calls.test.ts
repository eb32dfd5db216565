import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type StandIn, emptyWallBoard } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

// The wall-board's call history in the built page; the board and the calls come from the labelled stand-in
// (test/support/web-stand-in.ts), the real server's are driven by the end-to-end tests.
let server: StandIn;
let page: Page;
pageWithStandIn((t) => ({ server, page } = t));

const board = emptyWallBoard([{ id: 7, name: 'Anna Tamm', state: 'ready', reason: '', since: null, callQueueId: null }]);
// (local times: the page shows them in this machine's time zone, as Node makes them)
const createdAt = new Date(2026, 2, 1, 10, 0).toISOString();
const record = (id: string) => ({
  id, queueId: null, agentId: 7, direction: 'inbound', channel: 'sip', caller: 'sip:+3725551234@carrier.example', customerId: null, language: 'en',
  context: {}, state: 'ended', endReason: 'caller-hangup', disposition: null, createdAt, queuedAt: createdAt, answeredAt: createdAt, endedAt: createdAt,
  waitSeconds: 3, talkSeconds: 60, wrapUpSeconds: 5, surveyScore: null,
});

describe("the wall-board's call history", () => {
  it("shows the agents' notes on a call in its details, with when they were written, and no Notes for a call without", async () => {
    server.socket('/ws/supervisor', (ws, url) => {
      if (url.searchParams.get('token') === 'sup-token') ws.send(JSON.stringify(board));
      else ws.close(4401, 'unauthorized');
    });
    server.route('GET /api/calls', () => ({ status: 200, body: { items: [record('c1'), record('c2')], total: 2, limit: 25, offset: 0 } }));
    server.route('GET /api/calls/c1', () => ({
      status: 200,
      body: {
        ...record('c1'),
        events: [],
        recordings: [],
        notes: [
          { agentId: 12, agent: 'Bob Berg', text: 'wants a refund for order 123', at: new Date(2026, 2, 1, 10, 1, 2).toISOString() },
          { agentId: 7, agent: 'Anna Tamm', text: 'refund sent', at: new Date(2026, 2, 1, 10, 4, 30).toISOString() },
        ],
      },
    }));
    server.route('GET /api/calls/c2', () => ({ status: 200, body: { ...record('c2'), events: [], recordings: [], notes: [] } }));
    await page.goto(`${server.origin}/supervisor/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
    await page.reload();

    await page.getByTestId('wb-calls-row-c1').click();
    await page.getByTestId('wb-call-detail').waitFor({ state: 'visible' });
    await expect.poll(() => page.getByTestId('wb-call-note').allTextContents()).toEqual(['10:01:02 Bob Berg: wants a refund for order 123', '10:04:30 Anna Tamm: refund sent']);
    expect(await page.getByTestId('wb-call-notes').isVisible()).toBe(true);
    expect(server.requests.find((r) => r.path === '/api/calls/c1')?.headers.authorization).toBe('Bearer sup-token');

    await page.getByTestId('wb-calls-row-c2').click();
    await expect.poll(() => page.getByTestId('wb-call-id').textContent()).toBe('c2');
    expect(await page.getByTestId('wb-call-note').count()).toBe(0);
    expect(await page.getByTestId('wb-call-notes').isVisible()).toBe(false);
  });
});

describe('blocking callers from the wall-board', () => {
  const token = 'Bearer sup-token';
  const blocks: unknown[] = [];
  const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/api/blocked-callers');
  const listReads = () => server.requests.filter((r) => r.method === 'GET' && r.path === '/api/blocked-callers');
  const block = (b: Record<string, unknown>) => ({
    id: 1, number: null, customerId: null, reason: '', blockedBy: 'sue', createdAt: new Date(2026, 2, 1, 9, 0).toISOString(), expiresAt: null, active: true, ...b,
  });
  const rows = () => page.getByTestId('blocked-row');

  async function openBoard(calls: Array<Record<string, unknown> & { id: string }>): Promise<void> {
    blocks.length = 0;
    server.socket('/ws/supervisor', (ws, url) => {
      if (url.searchParams.get('token') === 'sup-token') ws.send(JSON.stringify(board));
      else ws.close(4401, 'unauthorized');
    });
    server.route('GET /api/calls', () => ({ status: 200, body: { items: calls, total: calls.length, limit: 25, offset: 0 } }));
    for (const c of calls) server.route(`GET /api/calls/${c.id}`, () => ({ status: 200, body: { ...c, events: [], recordings: [], notes: [] } }));
    server.route('GET /api/blocked-callers', () => ({ status: 200, body: blocks }));
    await page.goto(`${server.origin}/supervisor/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
    await page.reload();
    await page.getByTestId('blocked-none').waitFor({ state: 'visible' });
  }

  it("blocks a call's caller with the reason and days chosen, says so and lists the block, and shows the server's message when already blocked", async () => {
    const answers = [
      { status: 201, body: block({ id: 4, number: '+3725551234', reason: 'Abusive to agents', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() }) },
      { status: 409, body: { statusCode: 409, code: 'ERR_CONFLICT', message: 'the caller is already blocked' } },
    ];
    server.route('POST /api/blocked-callers', () => {
      const a = answers.shift()!;
      if (a.status === 201) blocks.unshift(a.body);
      return a;
    });
    await openBoard([record('c1')]);
    expect(await rows().count()).toBe(0);

    await page.getByTestId('wb-calls-row-c1').click();
    await page.getByTestId('call-block').waitFor({ state: 'visible' });
    expect(await page.getByTestId('call-block-reason').isVisible()).toBe(false);
    await page.getByTestId('call-block').click();
    await page.getByTestId('call-block-reason').fill('Abusive to agents');
    await page.getByTestId('call-block-days').selectOption({ label: '7 days' });
    await page.getByTestId('call-block-submit').click();
    await expect.poll(() => page.getByTestId('call-block-status').textContent()).toBe('Caller blocked');
    expect(posts().map((r) => [r.headers.authorization, r.body])).toEqual([[token, { callId: 'c1', reason: 'Abusive to agents', days: 7 }]]);
    expect(await page.getByTestId('call-block-reason').isVisible()).toBe(false);
    // the list below is read again and shows the block
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().getByTestId('blocked-who').textContent()).toBe('+3725551234');
    expect(listReads().length).toBe(2);

    await page.getByTestId('call-block').click();
    await page.getByTestId('call-block-days').selectOption({ label: 'until unblocked' });
    await page.getByTestId('call-block-submit').click();
    await expect.poll(() => page.getByTestId('call-block-status').textContent()).toBe('the caller is already blocked');
    expect(await page.getByTestId('call-block-status').getAttribute('class')).toBe('error');
    expect(posts()[1]?.body).toEqual({ callId: 'c1' });
    // (the form stays, to be changed or closed)
    expect(await page.getByTestId('call-block-submit').isVisible()).toBe(true);
    expect(await page.getByTestId('wb-error').isVisible()).toBe(false);
  });

  it('offers Block caller for a phone caller and a browser customer, not for a browser caller without a customer id', async () => {
    const web = (id: string, customerId: string | null) => ({ ...record(id), channel: 'webrtc', caller: 'web', customerId });
    await openBoard([record('c1'), web('c2', null), web('c3', 'cust-42')]);
    await page.getByTestId('wb-calls-row-c2').click();
    await expect.poll(() => page.getByTestId('wb-call-id').textContent()).toBe('c2');
    expect(await page.getByTestId('call-block').isVisible()).toBe(false);
    await page.getByTestId('wb-calls-row-c3').click();
    await expect.poll(() => page.getByTestId('wb-call-id').textContent()).toBe('c3');
    expect(await page.getByTestId('call-block').isVisible()).toBe(true);
    await page.getByTestId('wb-calls-row-c1').click();
    await expect.poll(() => page.getByTestId('wb-call-id').textContent()).toBe('c1');
    expect(await page.getByTestId('call-block').isVisible()).toBe(true);
  });

  it('lists active and expired blocks, unblocks with DELETE and reads the list again, and blocks a number typed in', async () => {
    const ends = new Date(2026, 2, 2, 9, 0).toISOString();
    server.route('DELETE /api/blocked-callers/2', () => {
      blocks.splice(blocks.findIndex((b) => (b as { id: number }).id === 2), 1);
      return { status: 204, body: null };
    });
    server.route('POST /api/blocked-callers', (req) => {
      const b = block({ id: 3, number: '+3725550000', reason: 'spam', expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
      if ((req.body as { number?: string }).number) blocks.unshift(b);
      return { status: 201, body: b };
    });
    await openBoard([]);
    blocks.push(block({ id: 2, number: '+3725551234', reason: 'Abusive to agents' }), block({ id: 1, customerId: 'cust-42', blockedBy: null, expiresAt: ends, active: false }));
    await page.getByTestId('blocked-reload').click();
    await expect.poll(() => rows().count()).toBe(2);
    const cells = (i: number) => rows().nth(i).locator('td').allTextContents();
    expect(await cells(0)).toEqual(['+3725551234', 'Abusive to agents', 'sue', new Date(2026, 2, 1, 9, 0).toLocaleString(), 'until unblocked', 'Unblock']);
    expect(await cells(1)).toEqual(['customer cust-42', '–', '–', new Date(2026, 2, 1, 9, 0).toLocaleString(), `expired ${new Date(ends).toLocaleString()}`, 'Unblock']);
    expect(await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-active')))).toEqual(['true', 'false']);

    await rows().first().getByTestId('blocked-unblock').click();
    await expect.poll(() => rows().count()).toBe(1);
    const deletes = server.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => [r.path, r.headers.authorization])).toEqual([['/api/blocked-callers/2', token]]);
    expect(await rows().first().getByTestId('blocked-who').textContent()).toBe('customer cust-42');

    await page.getByTestId('block-number').fill(' +372 555 0000 ');
    await page.getByTestId('block-number-reason').fill('spam');
    await page.getByTestId('block-number-days').selectOption({ label: '30 days' });
    await page.getByTestId('block-number-submit').click();
    await expect.poll(() => page.getByTestId('blocked-status').textContent()).toBe('Blocked +3725550000');
    expect(posts().map((r) => [r.headers.authorization, r.body])).toEqual([[token, { number: '+372 555 0000', reason: 'spam', days: 30 }]]);
    await expect.poll(() => rows().count()).toBe(2);
    expect(await page.getByTestId('block-number').inputValue()).toBe('');
  });
});
