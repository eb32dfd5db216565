// The wall-board's figures of the callers' ratings, its agents' not-ready reasons and its History's calls by disposition
// and not-ready time by reason (board.ts), in Node; the agents' rows also in the built page, against the labelled stand-in.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  type DispositionReportRow, type NotReadyReportRow, agentReasonText, closedUntilText, dispositionCells, notReadyCells, notReadyColumns, surveyCells,
  surveyText,
} from '../../web-softphone/supervisor/board.ts';
import { type StandIn, emptyWallBoard } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

describe("the callers' ratings on the wall-board", () => {
  it('says how many callers rated, their mean score out of 5 and the CSAT share', () => {
    expect(surveyText({ surveys: 12, surveyAverage: 4.6, csatPercent: 92 })).toBe('rated 4.6 / 5 by 12 callers · CSAT 92%');
    expect(surveyText({ surveys: 1, surveyAverage: 3, csatPercent: 0 })).toBe('rated 3.0 / 5 by 1 caller · CSAT 0%');
    expect(surveyText({ surveys: 3, surveyAverage: 4.33, csatPercent: 66.66667 })).toBe('rated 4.3 / 5 by 3 callers · CSAT 66.7%');
    expect(surveyText({ surveys: 2, surveyAverage: 5, csatPercent: null })).toBe('rated 5.0 / 5 by 2 callers');
  });

  it('says nothing when nobody rated a call, or the server does not count ratings', () => {
    expect(surveyText({ surveys: 0, surveyAverage: null, csatPercent: null })).toBe('');
    expect(surveyText({})).toBe('');
  });

  it("fills the history's Rated, Avg and CSAT columns, with an older server's rows as none", () => {
    expect(surveyCells({ surveys: 12, surveyAverage: 4.6, csatPercent: 92 })).toEqual(['12', '4.6', '92%']);
    expect(surveyCells({ surveys: 0, surveyAverage: null, csatPercent: null })).toEqual(['0', '–', '–']);
    expect(surveyCells({})).toEqual(['0', '–', '–']);
  });
});

describe("the History's calls by disposition", () => {
  // (local times: the page shows them in the browser's time zone, as Node makes them here)
  const nine = new Date(2026, 11, 7, 9).toISOString();
  const ten = new Date(2026, 11, 7, 10).toISOString();
  const row = (start: string, queueId: number, disposition: string, calls: number): DispositionReportRow => ({
    queueId, queue: queueId === 1 ? 'support' : 'sales', start, disposition, calls,
  });
  const hour = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  it("gives each disposition its share of the calls its queue filed in the interval, in the server's order", () => {
    const rows = [row(nine, 1, 'Sale', 3), row(nine, 1, 'Resolved', 1), row(nine, 2, 'Sale', 2), row(ten, 1, 'Resolved', 2), row(ten, 1, 'Complaint', 1)];
    expect(dispositionCells(rows, 'hour')).toEqual([
      [hour(nine), 'support', 'Sale', '3', '75%'],
      [hour(nine), 'support', 'Resolved', '1', '25%'],
      [hour(nine), 'sales', 'Sale', '2', '100%'],
      [hour(ten), 'support', 'Resolved', '2', '66.7%'],
      [hour(ten), 'support', 'Complaint', '1', '33.3%'],
    ]);
  });

  it('labels a row by its day when the interval is a day, and has no rows for a period without filed calls', () => {
    const monday = new Date(2026, 11, 7).toISOString();
    expect(dispositionCells([row(monday, 2, 'Sale', 1)], 'day')).toEqual([[new Date(monday).toLocaleDateString(), 'sales', 'Sale', '1', '100%']]);
    expect(dispositionCells([], 'hour')).toEqual([]);
  });
});

describe("the History's not-ready time by reason", () => {
  const nine = new Date(2026, 11, 7, 9).toISOString();
  const row = (agent: string, reason: string, reasonLabel: string, times: number, seconds: number, start = nine): NotReadyReportRow => ({
    agentId: agent === 'Anna' ? 7 : 8, agent, start, reason, reasonLabel, times, seconds,
  });
  const hour = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  it("shows a row per interval, agent and reason in the server's order: the reason's label, how often, and the time as h:mm:ss", () => {
    const rows = [row('Anna', 'lunch', 'Lunch', 1, 3725), row('Anna', 'coffee', 'Coffee break', 3, 754), row('Bob', 'break', 'Break', 2, 59)];
    expect(notReadyColumns('hour')).toEqual(['From', 'Agent', 'Reason', 'Times', 'Time not ready']);
    expect(notReadyCells(rows, 'hour')).toEqual([
      [hour(nine), 'Anna', 'Lunch', '1', '1:02:05'],
      [hour(nine), 'Anna', 'Coffee break', '3', '12:34'],
      [hour(nine), 'Bob', 'Break', '2', '0:59'],
    ]);
  });

  it('labels a row by its day when by day, has no From column for the whole period, and shows a code without a label as it is', () => {
    const monday = new Date(2026, 11, 7).toISOString();
    expect(notReadyCells([row('Bob', 'old-code', '', 1, 60, monday)], 'day')).toEqual([[new Date(monday).toLocaleDateString(), 'Bob', 'old-code', '1', '1:00']]);
    expect(notReadyColumns('total')).toEqual(['Agent', 'Reason', 'Times', 'Time not ready']);
    expect(notReadyCells([row('Anna', 'lunch', 'Lunch', 2, 7200)], 'total')).toEqual([['Anna', 'Lunch', '2', '2:00:00']]);
    expect(notReadyCells([], 'hour')).toEqual([]);
  });
});

describe("the wall-board's agents: not-ready reasons", () => {
  it("says the reason's label, an older server's code, and nothing in other states", () => {
    expect(agentReasonText({ reason: 'coffee', reasonLabel: 'Coffee break' })).toBe('Coffee break');
    expect(agentReasonText({ reason: 'break' })).toBe('break');
    expect(agentReasonText({ reason: '', reasonLabel: '' })).toBe('');
  });

  describe('in the built page', () => {
    let server: StandIn;
    let page: Page;
    pageWithStandIn((t) => ({ server, page } = t));

    /** The signed-in wall-board showing `board` (its agent Anna's row visible); a row by agent name. */
    async function showBoard(board: object): Promise<(name: string) => ReturnType<Page['getByTestId']>> {
      server.socket('/ws/supervisor', (ws) => ws.send(JSON.stringify(board)));
      await page.goto(`${server.origin}/supervisor/`);
      await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
      await page.reload();
      const row = (name: string) => page.getByTestId(`wb-agent-${name}`);
      await row('Anna').waitFor({ state: 'visible' });
      return row;
    }

    it("shows the reason's label beside a not-ready agent and flags one away longer than the reason allows", async () => {
      const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
      const board = emptyWallBoard([
        { id: 7, name: 'Anna', state: 'not-ready', reason: 'coffee', reasonLabel: 'Coffee break', overLimit: true, since: ago(12), callQueueId: null },
        { id: 8, name: 'Bob', state: 'not-ready', reason: 'lunch', reasonLabel: 'Lunch', overLimit: false, since: ago(5), callQueueId: null },
        // (an older server: no label, no flag)
        { id: 9, name: 'Cara', state: 'not-ready', reason: 'break', since: ago(30), callQueueId: null },
        { id: 10, name: 'Dan', state: 'ready', reason: '', reasonLabel: '', overLimit: false, since: ago(1), callQueueId: null },
      ]);
      const row = await showBoard(board);

      expect((await row('Anna').getByTestId('wb-agent-reason').textContent())?.trim()).toBe('Coffee break');
      expect(await row('Anna').getByTestId('wb-agent-reason').getAttribute('title')).toBe('coffee');
      expect(await row('Anna').getByTestId('wb-agent-over-limit').textContent()).toBe('over limit');
      expect(await row('Anna').getByTestId('wb-agent-over-limit').isVisible()).toBe(true);
      expect(await row('Anna').getAttribute('class')).toBe('over-limit');

      expect((await row('Bob').getByTestId('wb-agent-reason').textContent())?.trim()).toBe('Lunch');
      expect(await row('Bob').getByTestId('wb-agent-over-limit').count()).toBe(0);
      expect(await row('Bob').getAttribute('class')).toBeNull();

      expect((await row('Cara').getByTestId('wb-agent-reason').textContent())?.trim()).toBe('break');
      expect(await row('Cara').getByTestId('wb-agent-over-limit').count()).toBe(0);

      expect(await row('Dan').getByTestId('wb-agent-reason').count()).toBe(0);
      expect(await page.getByTestId('wb-agent-over-limit').count()).toBe(1);
    });

    it('says who consults whom (attended transfer) beside the agents in a consult', async () => {
      const now = new Date().toISOString();
      const board = emptyWallBoard([
        { id: 7, name: 'Anna', state: 'busy', since: now, callId: 'c1', callQueueId: null, consult: { role: 'consulting', with: 'Bob Bell' } },
        { id: 8, name: 'Bob', state: 'busy', since: now, callId: 'k1', callQueueId: null, consult: { role: 'consulted', with: 'Anna Ait' } },
        { id: 9, name: 'Cara', state: 'busy', since: now, callId: 'c2', callQueueId: null, consult: null },
      ]);
      const row = await showBoard(board);
      expect(await row('Anna').getByTestId('wb-agent-consult').textContent()).toBe('consulting Bob Bell');
      expect(await row('Bob').getByTestId('wb-agent-consult').textContent()).toBe('consulted by Anna Ait');
      expect(await row('Cara').getByTestId('wb-agent-consult').count()).toBe(0);
    });
  });
});

describe('closing a queue at once from the wall-board', () => {
  it('says until when a queue is closed: the time today, the day too when not today', () => {
    const now = new Date(2026, 11, 7, 9, 30).getTime();
    const time = (d: Date) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const today = new Date(2026, 11, 7, 14, 5);
    const tomorrow = new Date(2026, 11, 8, 8, 0);
    expect(closedUntilText(today.toISOString(), now)).toBe(`closed until ${time(today)}`);
    expect(closedUntilText(tomorrow.toISOString(), now)).toBe(`closed until ${tomorrow.toLocaleDateString()} ${time(tomorrow)}`);
  });

  describe('in the built page', () => {
    let server: StandIn;
    let page: Page;
    pageWithStandIn((t) => ({ server, page } = t));

    const states = { 'logged-out': 0, 'not-ready': 0, ready: 1, reserved: 0, busy: 0, 'wrap-up': 0 };
    const traffic = { offered: 0, answered: 0, abandoned: 0, overflowed: 0, missedOffers: 0, serviceLevelPercent: null, serviceLevelOfferedPercent: null, asaSeconds: null, abandonPercent: null };
    const queue = (id: number, name: string, closedUntil: string | null) => ({
      id, name, thresholdSeconds: 20, target: 0.8, open: closedUntil === null, closedUntil, waiting: 0, longestWaitSeconds: null, agents: states, callbacks: { inLine: 0, later: 0 }, ...traffic,
    });
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();

    /** The board with `support` closed for an hour and `sales` open; PUT /api/queues/:id/closed answers `answer`. */
    async function open(answer: (queueId: number, until: string | null) => { status: number; body: unknown }): Promise<void> {
      const board = { ...emptyWallBoard(), queues: [queue(1, 'support', inAnHour), queue(2, 'sales', null)] };
      server.socket('/ws/supervisor', (ws) => ws.send(JSON.stringify(board)));
      for (const id of [1, 2]) server.route(`PUT /api/queues/${id}/closed`, (req) => answer(id, (req.body as { until: string | null }).until));
      await page.goto(`${server.origin}/supervisor/`);
      await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
      await page.reload();
      await page.getByTestId('wb-queue-support').waitFor({ state: 'visible' });
    }
    const ok = (queueId: number, until: string | null) => ({ status: 200, body: { queueId, closedUntil: until, open: until === null, opensAt: until } });
    const puts = () => server.requests.filter((r) => r.method === 'PUT');

    it('shows until when a closed queue is closed, and Open now opens it again', async () => {
      await open(ok);
      const support = page.getByTestId('wb-queue-support');
      expect(await support.getByTestId('wb-queue-closed-until').textContent()).toBe(closedUntilText(inAnHour, Date.now()));
      expect(await support.getByTestId('wb-queue-close').count()).toBe(0);
      expect(await page.getByTestId('wb-queue-sales').getByTestId('wb-queue-closed-until').count()).toBe(0);

      await support.getByTestId('wb-queue-open').click();
      await support.getByTestId('wb-queue-close').waitFor({ state: 'visible' }); // (drawn from the answer)
      expect(puts()).toHaveLength(1);
      expect(puts()[0]).toMatchObject({ path: '/api/queues/1/closed', body: { until: null } });
      expect(puts()[0]!.headers.authorization).toBe('Bearer sup-token');
      expect(await support.getByTestId('wb-queue-closed-until').count()).toBe(0);
    });

    it("closes an open queue for the chosen time once confirmed, and sends nothing when not", async () => {
      await open(ok);
      const sales = page.getByTestId('wb-queue-sales');
      expect(await sales.getByTestId('wb-queue-close-for').locator('option').allTextContents()).toEqual(['15 min', '30 min', '1 h', '2 h', '4 h']);
      await sales.getByTestId('wb-queue-close-for').selectOption({ label: '2 h' });
      // (the chosen time stays while the board is drawn again each second)
      await page.waitForTimeout(1200);
      expect(await sales.getByTestId('wb-queue-close-for').inputValue()).toBe('120');

      page.once('dialog', (d) => void d.dismiss());
      await sales.getByTestId('wb-queue-close').click();
      await page.waitForTimeout(200);
      expect(puts()).toHaveLength(0);

      const asked: string[] = [];
      page.once('dialog', (d) => {
        asked.push(d.message());
        void d.accept();
      });
      const clicked = Date.now();
      await sales.getByTestId('wb-queue-close').click();
      await sales.getByTestId('wb-queue-closed-until').waitFor({ state: 'visible' });
      expect(asked[0]).toContain('sales');
      expect(puts()).toHaveLength(1);
      const put = puts()[0]!;
      expect(put.path).toBe('/api/queues/2/closed');
      const until = Date.parse((put.body as { until: string }).until);
      expect(Math.abs(until - (clicked + 2 * 3_600_000))).toBeLessThan(60_000);
      expect(await page.getByTestId('wb-error').isHidden()).toBe(true);
    });

    it("shows the server's refusal above the board", async () => {
      await open(() => ({ status: 400, body: { message: 'until: at most 7 days ahead' } }));
      page.once('dialog', (d) => void d.accept());
      await page.getByTestId('wb-queue-sales').getByTestId('wb-queue-close').click();
      await page.getByTestId('wb-error').waitFor({ state: 'visible' });
      expect(await page.getByTestId('wb-error').textContent()).toBe('until: at most 7 days ahead');
      expect(await page.getByTestId('wb-queue-sales').getByTestId('wb-queue-closed-until').count()).toBe(0);
    });
  });
});
