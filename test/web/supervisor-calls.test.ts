import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStandIn, type StandIn } from '../support/web-stand-in.ts';
import { launchBrowser, requireBuild } from './browser.ts';

// The wall-board's call history in the built page; the board and the calls come from the labelled stand-in
// (test/support/web-stand-in.ts), the real server's are driven by the end-to-end tests.
let browser: Browser;
let server: StandIn;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  requireBuild();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startStandIn();
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
  await server?.close();
});

const agents = { 'logged-out': 0, 'not-ready': 0, ready: 0, reserved: 0, busy: 0, 'wrap-up': 0 };
const traffic = { offered: 0, answered: 0, abandoned: 0, overflowed: 0, missedOffers: 0, serviceLevelPercent: null, serviceLevelOfferedPercent: null, asaSeconds: null, abandonPercent: null };
const board = {
  type: 'wallboard',
  at: new Date().toISOString(),
  since: new Date().toISOString(),
  totals: { ...traffic, waiting: 0, longestWaitSeconds: null, agents },
  queues: [],
  agents: [{ id: 7, name: 'Anna Tamm', state: 'ready', reason: '', since: null, callQueueId: null }],
};
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
