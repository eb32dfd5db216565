// The wall-board's figures of the callers' ratings, its agents' not-ready reasons and its History's calls by disposition
// and not-ready time by reason (board.ts), in Node; the agents' rows, closing a queue and moving an open callback also in
// the built page, against the labelled stand-in.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import {
  type DispositionReportRow, type NotReadyReportRow, type OpenCallback, agentReasonText, closedUntilText, dispositionCells, historyChoice,
  historyDays, historyInterval, historyPeriod, notReadyCells, notReadyColumns, surveyCells, surveyText,
} from '../../web-softphone/supervisor/board.ts';
import { localInputToIso, localInputValue, moveDefault } from '../../web-softphone/shared/local-time.ts';
import { type CannedResponse, type StandIn, emptyWallBoard } from '../support/web-stand-in.ts';
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

    it('says which number an agent is calling (dialled from their phone or page), ringing or talking', async () => {
      const now = new Date().toISOString();
      const board = emptyWallBoard([
        { id: 7, name: 'Anna', state: 'not-ready', reason: 'outbound', reasonLabel: 'Calling a number', since: now, callId: null, callQueueId: null, outbound: { number: '+3725551234', answered: false } },
        { id: 8, name: 'Bob', state: 'not-ready', reason: 'outbound', reasonLabel: 'Calling a number', since: now, callId: null, callQueueId: null, outbound: { number: '+3725559999', answered: true } },
        { id: 9, name: 'Cara', state: 'ready', since: now, callId: null, callQueueId: null, outbound: null },
      ]);
      const row = await showBoard(board);
      expect(await row('Anna').getByTestId('wb-agent-outbound').textContent()).toBe('calling +3725551234');
      expect((await row('Anna').getByTestId('wb-agent-reason').textContent())?.trim()).toBe('Calling a number');
      expect(await row('Bob').getByTestId('wb-agent-outbound').textContent()).toBe('talking with +3725559999');
      expect(await row('Cara').getByTestId('wb-agent-outbound').count()).toBe(0);
    });
  });
});

/** A queue's agents by state, and its traffic with nothing in it, on the boards the built-page tests send. */
const states = { 'logged-out': 0, 'not-ready': 0, ready: 1, reserved: 0, busy: 0, 'wrap-up': 0 };
const traffic = { offered: 0, answered: 0, abandoned: 0, overflowed: 0, missedOffers: 0, serviceLevelPercent: null, serviceLevelOfferedPercent: null, asaSeconds: null, abandonPercent: null };

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

describe('moving an open callback to another time from the wall-board', () => {
  it('offers a callback due later its time, and one in line (or due already) an hour from now rounded up to the next 5 minutes', () => {
    const now = new Date(2026, 11, 7, 9, 31, 20).getTime();
    expect(moveDefault({ state: 'scheduled', scheduledFor: new Date(2026, 11, 8, 14, 30).toISOString() }, now)).toBe('2026-12-08T14:30');
    expect(moveDefault({ state: 'waiting', scheduledFor: null }, now)).toBe('2026-12-07T10:35');
    expect(moveDefault({ state: 'waiting', scheduledFor: null }, new Date(2026, 11, 7, 9, 35).getTime())).toBe('2026-12-07T10:35');
    expect(moveDefault({ state: 'waiting', scheduledFor: null }, new Date(2026, 11, 7, 23, 58).getTime())).toBe('2026-12-08T01:00');
    expect(moveDefault({ state: 'scheduled', scheduledFor: new Date(2026, 11, 7, 9, 0).toISOString() }, now)).toBe('2026-12-07T10:35');
  });

  it("reads the editor's value as the browser's local time and sends it as an ISO instant", () => {
    expect(localInputToIso('2026-12-08T09:30')).toBe(new Date(2026, 11, 8, 9, 30).toISOString());
    expect(localInputToIso('2026-12-08T09:30:15')).toBe(new Date(2026, 11, 8, 9, 30, 15).toISOString());
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('tomorrow')).toBeNull();
    expect(localInputValue(new Date(2026, 0, 5, 7, 4, 59).getTime())).toBe('2026-01-05T07:04');
  });

  describe('in the built page', () => {
    let server: StandIn;
    let page: Page;
    pageWithStandIn((t) => ({ server, page } = t));

    /** The board with one queue whose callback counts are these (the page reads the callbacks again when they change). */
    const boardAgent = (id: number, name: string) => ({ id, name, state: 'ready', reason: '', since: null, callQueueId: null });
    const boardWith = (callbacks: { inLine: number; later: number }) => ({
      ...emptyWallBoard([boardAgent(8, 'Bob Bell'), boardAgent(7, 'Anna Ait')]),
      queues: [{ id: 1, name: 'support', thresholdSeconds: 20, target: 0.8, open: true, closedUntil: null, waiting: 0, longestWaitSeconds: null, agents: states, callbacks, ...traffic }],
    });
    // (local times, to the minute: the page works in the browser's time zone, as Node does here)
    const day = (days: number, hours: number, minutes: number) => {
      const d = new Date();
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days, hours, minutes);
    };
    const tomorrow = day(1, 14, 30).toISOString();
    const callback = (callId: string, number: string, state: string, scheduledFor: string | null = null, attempts = 0): OpenCallback => ({
      callId, queue: 'support', number, state, attempts, requestedAt: new Date(Date.now() - 600_000).toISOString(), scheduledFor,
    });
    // (Anna's personal callback: she arranged it on a call)
    const due = { ...callback('c-due', '+3725550001', 'scheduled', tomorrow), agent: { id: 7, name: 'Anna Ait' } };
    const inLine = callback('c-line', '+3725550002', 'waiting');
    const dialling = callback('c-dial', '+3725550003', 'dialing', null, 1);

    let supervisorSocket: WebSocket;
    let listed: OpenCallback[];
    /** The signed-in board listing `listed` (GET /api/callbacks answers what it holds when asked); PUT answers `put`. */
    async function open(put: (callId: string, at: string) => CannedResponse | Promise<CannedResponse>): Promise<void> {
      listed = [inLine, due, dialling];
      server.socket('/ws/supervisor', (ws) => {
        supervisorSocket = ws;
        ws.send(JSON.stringify(boardWith({ inLine: 2, later: 1 })));
      });
      server.route('GET /api/callbacks', () => ({ status: 200, body: { items: listed, total: listed.length, limit: 100, offset: 0 } }));
      for (const c of [due, inLine]) server.route(`PUT /api/callbacks/${c.callId}`, (req) => put(c.callId, (req.body as { at: string }).at));
      await page.goto(`${server.origin}/supervisor/`);
      await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
      await page.reload();
      await row(due).waitFor({ state: 'visible' });
    }
    const row = (c: OpenCallback) => page.getByTestId(`wb-callback-${c.number}`);
    const puts = () => server.requests.filter((r) => r.method === 'PUT');
    const reads = () => server.requests.filter((r) => r.method === 'GET' && r.path === '/api/callbacks');
    const moved = (callId: string, at: string): CannedResponse => ({ status: 200, body: { callId, number: '+3725550001', scheduledFor: at } });
    const focused = () => page.evaluate(() => [document.activeElement?.getAttribute('data-testid'), document.activeElement?.closest('tr')?.getAttribute('data-testid')]);

    it("says whose each callback is (the agent who arranged a personal one, else anyone), and hands it to another agent or to anyone from the board's agents", async () => {
      await open(moved);
      const whom = (c: OpenCallback) => row(c).getByTestId('wb-callback-agent-select');
      expect(await whom(due).inputValue()).toBe('7');
      expect(await whom(due).locator('option').allTextContents()).toEqual(['anyone', 'Anna Ait', 'Bob Bell']);
      expect(await whom(inLine).inputValue()).toBe('');
      expect(await row(dialling).getByTestId('wb-callback-agent').textContent()).toBe('anyone'); // (no choice while dialled)
      expect(await row(dialling).getByTestId('wb-callback-agent-select').count()).toBe(0);
      expect(await page.locator('#callbacks-card thead th').allTextContents()).toEqual(['Queue', 'Number', 'Due', 'Attempts', 'State', 'For', '']);

      const readsBefore = reads().length;
      await whom(due).selectOption('8');
      await expect.poll(() => puts().length).toBe(1);
      expect(puts()[0]).toMatchObject({ path: '/api/callbacks/c-due', body: { agentId: 8 } });
      expect(puts()[0]!.headers.authorization).toBe('Bearer sup-token');
      await expect.poll(() => reads().length).toBe(readsBefore + 1);
      await whom(inLine).selectOption('7');
      await expect.poll(() => puts().length).toBe(2);
      await whom(inLine).selectOption('');
      await expect.poll(() => puts().map((p) => [p.path, p.body])).toEqual([
        ['/api/callbacks/c-due', { agentId: 8 }], ['/api/callbacks/c-line', { agentId: 7 }], ['/api/callbacks/c-line', { agentId: null }],
      ]);
    });

    it('shows a refusal to hand a callback over on the board, and reads the list again', async () => {
      await open(() => ({ status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', message: 'the customer is being dialled right now: it cannot be changed' } }));
      const readsBefore = reads().length;
      await row(due).getByTestId('wb-callback-agent-select').selectOption('');
      await expect.poll(() => page.getByTestId('wb-error').textContent()).toBe('the customer is being dialled right now: it cannot be changed');
      await expect.poll(() => reads().length).toBe(readsBefore + 1);
    });

    it("opens an editor in the row with the callback's time (in line: an hour from now, to 5 minutes), not before now, one row at a time", async () => {
      await open(moved);
      const r = row(due);
      expect(await r.getByTestId('wb-callback-move-form').isHidden()).toBe(true);
      const before = Date.now();
      await r.getByTestId('wb-callback-move').click();
      const after = Date.now();
      await r.getByTestId('wb-callback-move-form').waitFor({ state: 'visible' });
      expect(await r.getByTestId('wb-callback-move-at').inputValue()).toBe(localInputValue(Date.parse(tomorrow)));
      expect(await r.getByTestId('wb-callback-move-at').getAttribute('type')).toBe('datetime-local');
      expect([localInputValue(before), localInputValue(after)]).toContain(await r.getByTestId('wb-callback-move-at').getAttribute('min'));
      expect(await r.getByTestId('wb-callback-move').isHidden()).toBe(true);
      expect(await r.getByTestId('wb-callback-cancel').isHidden()).toBe(true);
      expect(await r.getByTestId('wb-callback-move').getAttribute('aria-expanded')).toBe('true');
      expect(await focused()).toEqual(['wb-callback-move-at', `wb-callback-${due.number}`]);

      const l = row(inLine);
      const before2 = Date.now();
      await l.getByTestId('wb-callback-move').click();
      const after2 = Date.now();
      await l.getByTestId('wb-callback-move-form').waitFor({ state: 'visible' });
      const offered = await l.getByTestId('wb-callback-move-at').inputValue();
      expect([moveDefault(inLine, before2), moveDefault(inLine, after2)]).toContain(offered);
      expect(Date.parse(localInputToIso(offered)!) % 300_000).toBe(0);
      // (the other row's editor closed: its Move and Cancel are back)
      expect(await r.getByTestId('wb-callback-move-form').isHidden()).toBe(true);
      expect(await r.getByTestId('wb-callback-move').isVisible()).toBe(true);
      expect(puts()).toHaveLength(0);
    });

    it('has no Move (nor Cancel) on a callback being dialled', async () => {
      await open(moved);
      expect(await row(dialling).getByTestId('wb-callback-move').count()).toBe(0);
      expect(await row(dialling).getByTestId('wb-callback-cancel').count()).toBe(0);
      for (const c of [due, inLine]) expect(await row(c).getByTestId('wb-callback-move').isVisible()).toBe(true);
      expect(await page.getByTestId('wb-callback-move').count()).toBe(2);
    });

    it("Save sends the chosen local time as ISO with the supervisor's token, is off while on its way, then reads the list again", async () => {
      // (the browser in India, +05:30 all year, whatever this machine's zone: the page must read the field as its local time)
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Asia/Kolkata' });
      const kolkata = 330 * 60_000;
      const chosen = `${new Date(Date.now() + 2 * 86_400_000 + kolkata).toISOString().slice(0, 10)}T10:15`;
      const chosenIso = new Date(Date.parse(`${chosen}:00Z`) - kolkata).toISOString();
      let answer!: () => void;
      const answered = new Promise<void>((resolve) => (answer = resolve));
      await open(async (callId, at) => {
        await answered;
        listed = [{ ...inLine, state: 'scheduled', scheduledFor: at }, due, dialling];
        return moved(callId, at);
      });
      const l = row(inLine);
      await l.getByTestId('wb-callback-move').click();
      await l.getByTestId('wb-callback-move-at').fill(chosen);
      const readsBefore = reads().length;
      await l.getByTestId('wb-callback-move-save').click();
      await expect.poll(() => puts().length).toBe(1);
      expect(await l.getByTestId('wb-callback-move-save').isDisabled()).toBe(true);
      // (Enter on the field while it is on its way sends nothing more)
      await l.getByTestId('wb-callback-move-at').press('Enter');
      answer();
      await l.getByTestId('wb-callback-move-form').waitFor({ state: 'hidden' });

      expect(puts()).toHaveLength(1);
      const put = puts()[0]!;
      expect(put.path).toBe('/api/callbacks/c-line');
      expect(put.body).toEqual({ at: chosenIso });
      expect(put.headers.authorization).toBe('Bearer sup-token');
      expect(put.headers['content-type']).toBe('application/json');
      await expect.poll(() => reads().length).toBe(readsBefore + 1);
      await expect.poll(() => l.getByTestId('wb-callback-state').textContent()).toBe('due later');
      await l.getByTestId('wb-callback-move').click();
      expect(await l.getByTestId('wb-callback-move-at').inputValue()).toBe(chosen);
      expect(await page.getByTestId('wb-error').isHidden()).toBe(true);
    });

    it("shows the server's refusal in the row and keeps the editor open with what was typed; Keep (or Escape) closes it", async () => {
      const refusals = [
        { status: 400, body: { statusCode: 400, code: 'ERR_VALIDATION', message: 'body.at: the queue is closed then. It opens at 08:00' } },
        { status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', message: 'the customer is being dialled right now: it cannot be moved' } },
      ];
      await open(() => refusals.shift()!);
      const r = row(due);
      await r.getByTestId('wb-callback-move').click();
      const typed = localInputValue(day(3, 7, 0).getTime());
      await r.getByTestId('wb-callback-move-at').fill(typed);
      await r.getByTestId('wb-callback-move-save').click();
      const error = r.getByTestId('wb-callback-move-error');
      await error.waitFor({ state: 'visible' });
      expect(await error.textContent()).toBe('body.at: the queue is closed then. It opens at 08:00');
      expect(await error.getAttribute('role')).toBe('alert');
      expect(await r.getByTestId('wb-callback-move-form').isVisible()).toBe(true);
      expect(await r.getByTestId('wb-callback-move-at').inputValue()).toBe(typed);
      expect(await r.getByTestId('wb-callback-move-save').isEnabled()).toBe(true);
      expect(await page.getByTestId('wb-error').isHidden()).toBe(true);
      expect(puts()[0]!.body).toEqual({ at: localInputToIso(typed) });

      await r.getByTestId('wb-callback-move-save').click();
      await expect.poll(() => error.textContent()).toBe('the customer is being dialled right now: it cannot be moved');
      expect(await r.getByTestId('wb-callback-move-form').isVisible()).toBe(true);

      await r.getByTestId('wb-callback-move-keep').click();
      expect(await r.getByTestId('wb-callback-move-form').isHidden()).toBe(true);
      expect(await r.getByTestId('wb-callback-move').isVisible()).toBe(true);
      expect(await r.getByTestId('wb-callback-cancel').isVisible()).toBe(true);
      expect(await r.getByTestId('wb-callback-move').getAttribute('aria-expanded')).toBe('false');
      expect(await focused()).toEqual(['wb-callback-move', `wb-callback-${due.number}`]);

      // opened again: the callback's time, no refusal; Escape closes it too
      await r.getByTestId('wb-callback-move').click();
      expect(await r.getByTestId('wb-callback-move-at').inputValue()).toBe(localInputValue(Date.parse(tomorrow)));
      expect(await error.isHidden()).toBe(true);
      await r.getByTestId('wb-callback-move-at').press('Escape');
      expect(await r.getByTestId('wb-callback-move-form').isHidden()).toBe(true);
      expect(puts()).toHaveLength(2);
    });

    it('refuses a time already past in the row, sending nothing', async () => {
      await open(moved);
      const r = row(due);
      await r.getByTestId('wb-callback-move').click();
      await r.getByTestId('wb-callback-move-at').fill(localInputValue(Date.now() - 3_600_000));
      await r.getByTestId('wb-callback-move-save').click();
      await r.getByTestId('wb-callback-move-error').waitFor({ state: 'visible' });
      expect(await r.getByTestId('wb-callback-move-error').textContent()).toBe('Choose a time in the future.');
      expect(puts()).toHaveLength(0);
    });

    it('keeps an open editor, what was typed in it, its focus and a refusal shown when the list is read again, until its callback is dialled', async () => {
      await open(() => ({ status: 400, body: { statusCode: 400, code: 'ERR_VALIDATION', message: 'body.at: at most 7 days ahead' } }));
      const r = row(due);
      await r.getByTestId('wb-callback-move').click();
      const typed = localInputValue(day(9, 16, 45).getTime());
      await r.getByTestId('wb-callback-move-at').fill(typed);
      await r.getByTestId('wb-callback-move-save').click();
      await r.getByTestId('wb-callback-move-error').waitFor({ state: 'visible' });
      await r.getByTestId('wb-callback-move-at').focus();

      // a callback asked for meanwhile and one more attempt on ours: the board's counts change, the list is read again
      const newcomer = callback('c-new', '+3725550004', 'waiting');
      listed = [newcomer, inLine, { ...due, attempts: 2 }, dialling];
      const readsBefore = reads().length;
      supervisorSocket.send(JSON.stringify(boardWith({ inLine: 3, later: 1 })));
      await row(newcomer).waitFor({ state: 'visible' });
      expect(reads()).toHaveLength(readsBefore + 1);
      expect(await page.getByTestId('wb-callback-rows').locator('tr').evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-testid')))).toEqual(
        [newcomer, inLine, due, dialling].map((c) => `wb-callback-${c.number}`),
      );
      expect(await r.locator('td').nth(3).textContent()).toBe('2');
      expect(await r.getByTestId('wb-callback-move-form').isVisible()).toBe(true);
      expect(await r.getByTestId('wb-callback-move-at').inputValue()).toBe(typed);
      expect(await r.getByTestId('wb-callback-move-error').textContent()).toBe('body.at: at most 7 days ahead');
      expect(await focused()).toEqual(['wb-callback-move-at', `wb-callback-${due.number}`]);

      // being dialled now: it can no longer be moved, the editor goes
      listed = [newcomer, inLine, { ...due, state: 'dialing', attempts: 3 }, dialling];
      supervisorSocket.send(JSON.stringify(boardWith({ inLine: 4, later: 0 })));
      await expect.poll(() => r.getByTestId('wb-callback-state').textContent()).toBe('dialling');
      expect(await r.getByTestId('wb-callback-move-form').count()).toBe(0);
      expect(await r.getByTestId('wb-callback-move').count()).toBe(0);
    });
  });
});

describe("the History's periods: the day, the 7 or 30 days up to it, by hour, by day or as a whole", () => {
  const short = (d: Date) => d.toLocaleDateString([], { day: 'numeric', month: 'short' });

  it('offers by hour for the day only and no day by day: changing one choice changes the other to go with it', () => {
    // a longer period chosen by hour goes by day; by hour chosen makes the period the day
    expect(historyChoice(7, 'hour', 'days')).toEqual({ days: 7, by: 'day' });
    expect(historyChoice(30, 'hour', 'days')).toEqual({ days: 30, by: 'day' });
    expect(historyChoice(30, 'hour', 'by')).toEqual({ days: 1, by: 'hour' });
    expect(historyChoice(7, 'hour', 'by')).toEqual({ days: 1, by: 'hour' });
    // by day chosen for the day: the 7 days up to it (as the History did before); the day chosen by day: by hour
    expect(historyChoice(1, 'day', 'by')).toEqual({ days: 7, by: 'day' });
    expect(historyChoice(1, 'day', 'days')).toEqual({ days: 1, by: 'hour' });
    expect(historyChoice(1, 'hour', 'days')).toEqual({ days: 1, by: 'hour' });
    expect(historyChoice(30, 'day', 'days')).toEqual({ days: 30, by: 'day' });
    for (const days of [1, 7, 30] as const) for (const changed of ['days', 'by'] as const) expect(historyChoice(days, 'total', changed)).toEqual({ days, by: 'total' });
    expect([historyDays('1'), historyDays('7'), historyDays('30'), historyDays('31'), historyDays('')]).toEqual([1, 7, 30, 1, 1]);
    expect([historyInterval('hour'), historyInterval('day'), historyInterval('total'), historyInterval('week')]).toEqual(['hour', 'day', 'total', 'hour']);
  });

  it('runs from the local midnight of the first day to the one after the last, with a slot per hour, per day or one for the whole period', () => {
    const day = historyPeriod('2026-12-07', 1, 'hour')!;
    expect(day).toMatchObject({ interval: 'hour', from: new Date(2026, 11, 7).toISOString(), to: new Date(2026, 11, 8).toISOString(), label: new Date(2026, 11, 7).toLocaleDateString() });
    expect(day.slots).toEqual(Array.from({ length: 24 }, (_, h) => new Date(2026, 11, 7, h).toISOString()));

    const week = historyPeriod('2026-12-07', 7, 'day')!;
    expect(week).toMatchObject({ interval: 'day', from: new Date(2026, 11, 1).toISOString(), to: new Date(2026, 11, 8).toISOString() });
    expect(week.slots).toEqual(Array.from({ length: 7 }, (_, i) => new Date(2026, 11, 1 + i).toISOString()));
    expect(week.label).toBe(`${short(new Date(2026, 11, 1))} – ${short(new Date(2026, 11, 7))}`);

    // 30 days back into February
    const month = historyPeriod('2026-03-05', 30, 'day')!;
    expect(month).toMatchObject({ from: new Date(2026, 1, 4).toISOString(), to: new Date(2026, 2, 6).toISOString() });
    expect(month.slots).toHaveLength(30);
    expect(month.slots[29]).toBe(new Date(2026, 2, 5).toISOString());

    const whole = historyPeriod('2026-03-05', 30, 'total')!;
    expect(whole).toMatchObject({ interval: 'total', from: month.from, to: month.to, slots: [month.from], label: month.label });
    expect(historyPeriod('2026-12-07', 1, 'total')).toMatchObject({ slots: [day.from], from: day.from, to: day.to, label: day.label });
    // (across the new year: the years said)
    const opts = { day: 'numeric', month: 'short', year: 'numeric' } as const;
    expect(historyPeriod('2027-01-03', 7, 'total')!.label).toBe(`${new Date(2026, 11, 28).toLocaleDateString([], opts)} – ${new Date(2027, 0, 3).toLocaleDateString([], opts)}`);
    expect(historyPeriod('', 1, 'hour')).toBeNull();
  });

  it('says the period in the From column of the calls by disposition for the whole period, shares over the whole period', () => {
    const from = new Date(2026, 11, 1).toISOString();
    const rows: DispositionReportRow[] = [
      { queueId: 1, queue: 'support', start: from, disposition: 'Resolved', calls: 30 },
      { queueId: 1, queue: 'support', start: from, disposition: 'Sale', calls: 10 },
    ];
    expect(dispositionCells(rows, 'total', 'Dec 1 – Dec 7')).toEqual([
      ['Dec 1 – Dec 7', 'support', 'Resolved', '30', '75%'],
      ['Dec 1 – Dec 7', 'support', 'Sale', '10', '25%'],
    ]);
  });

  describe('in the built page (the browser in India, +05:30)', () => {
    let server: StandIn;
    let page: Page;
    pageWithStandIn((t) => ({ server, page } = t));

    /** Local midnight of that day in India (month from 0), ISO: what the page must send and what the report's rows start at. */
    const kolkata = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d) - 330 * 60_000).toISOString();
    const reportRow = (queue: string, start: string, answered: number, abandoned: number) => ({
      queue, start, offered: answered + abandoned, answered, abandoned, serviceLevelPercent: 80, asaSeconds: 12, ahtSeconds: 200,
    });

    /** The signed-in board in Asia/Kolkata; GET /api/reports/<of> answers `rows` (CSV: a line). */
    async function open(rows: Partial<Record<'queues' | 'agents' | 'dispositions' | 'not-ready', unknown[]>> = {}): Promise<void> {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Asia/Kolkata' });
      server.socket('/ws/supervisor', (ws) => ws.send(JSON.stringify(emptyWallBoard())));
      for (const of of ['queues', 'agents', 'dispositions', 'not-ready'] as const) {
        server.route(`GET /api/reports/${of}`, (req) =>
          new URLSearchParams(req.search).get('format') === 'csv' ? { status: 200, body: 'queue,start' } : { status: 200, body: { rows: rows[of] ?? [] } },
        );
      }
      await page.goto(`${server.origin}/supervisor/`);
      await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
      await page.reload();
      await page.getByTestId('history-show').waitFor({ state: 'visible' });
    }
    const asked = (of = 'queues') => server.requests.filter((r) => r.path === `/api/reports/${of}`);
    const choice = async () => [await page.getByTestId('history-period').inputValue(), await page.getByTestId('history-interval').inputValue()];
    /** Shows the chosen period of `day`. */
    async function show(day: string, days: string, by: string): Promise<void> {
      await page.getByTestId('history-day').fill(day);
      await page.getByTestId('history-period').selectOption(days);
      await page.getByTestId('history-interval').selectOption(by);
      expect(await choice()).toEqual([days, by]);
      const before = server.requests.length;
      await page.getByTestId('history-show').click();
      await expect.poll(() => server.requests.length).toBe(before + 1);
    }
    const bars = (cls: string) => page.getByTestId('history-chart').locator(`rect.${cls}`).evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    const cells = (row: ReturnType<Page['getByTestId']>) => row.locator('td').allTextContents();

    it('offers the day, the 7 or the 30 days up to it, by hour (the day only), by day or the whole period, the day by hour at first', async () => {
      await open();
      expect(await page.getByTestId('history-period').locator('option').allTextContents()).toEqual(['the day', 'the 7 days up to', 'the 30 days up to']);
      expect(await page.getByTestId('history-interval').locator('option').allTextContents()).toEqual(['hour', 'day', 'whole period']);
      expect(await choice()).toEqual(['1', 'hour']);
      const period = (v: string) => page.getByTestId('history-period').selectOption(v);
      const by = (v: string) => page.getByTestId('history-interval').selectOption(v);

      await period('7');
      expect(await choice()).toEqual(['7', 'day']); // (no 7 days by hour)
      await by('hour');
      expect(await choice()).toEqual(['1', 'hour']); // (by hour: the day)
      await by('day');
      expect(await choice()).toEqual(['7', 'day']); // (by day: the week up to the day, as before)
      await by('total');
      expect(await choice()).toEqual(['7', 'total']);
      await period('1');
      expect(await choice()).toEqual(['1', 'total']);
      await period('30');
      expect(await choice()).toEqual(['30', 'total']);
      await by('hour');
      expect(await choice()).toEqual(['1', 'hour']);
      await period('30');
      expect(await choice()).toEqual(['30', 'day']);
      await period('1');
      expect(await choice()).toEqual(['1', 'hour']); // (the day by day is the whole period: by hour)
      expect(server.requests.filter((r) => r.path.startsWith('/api/reports/'))).toHaveLength(0);
    });

    it("asks for each period and interval from the local midnight of its first day to the one after its last, in the browser's time zone, for Show and Download CSV", async () => {
      await open();
      // (the browser's name of the zone: ICU calls it Asia/Calcutta, an IANA alias of Asia/Kolkata)
      const timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
      expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(timeZone);
      const combinations = [['1', 'hour'], ['1', 'total'], ['7', 'day'], ['7', 'total'], ['30', 'day'], ['30', 'total']] as const;
      for (const [days, by] of combinations) {
        await show('2026-03-05', days, by);
        await page.getByTestId('history-csv').click();
        await expect.poll(() => asked().length).toBe(2 * (combinations.findIndex((c) => c[0] === days && c[1] === by) + 1));
        const [json, csv] = asked().slice(-2).map((r) => Object.fromEntries(new URLSearchParams(r.search)));
        // (30 days up to the 5th of March: from the 4th of February)
        const expected = { from: kolkata(2026, 2, 5 - Number(days) + 1), to: kolkata(2026, 2, 6), interval: by, timeZone };
        expect(json, `${days} ${by}`).toEqual({ ...expected, format: 'json' });
        expect(csv, `${days} ${by}`).toEqual({ ...expected, format: 'csv' });
        expect(asked().slice(-2).map((r) => r.headers.authorization)).toEqual(['Bearer sup-token', 'Bearer sup-token']);
      }
      // the other reports the same way (the 7 days across the new year, whole)
      await page.getByTestId('history-of').selectOption('not-ready');
      await show('2027-01-03', '7', 'total');
      await page.getByTestId('history-csv').click();
      await expect.poll(() => asked('not-ready').length).toBe(2);
      expect(asked('not-ready').map((r) => Object.fromEntries(new URLSearchParams(r.search)))).toEqual(['json', 'csv'].map((format) => ({
        from: kolkata(2026, 11, 28), to: kolkata(2027, 0, 4), interval: 'total', timeZone, format,
      })));
      expect(await page.getByTestId('history-error').isVisible()).toBe(false);
    });

    it('shows the whole period in a row per queue, From saying the period, and a bar per queue under its name', async () => {
      const from = kolkata(2026, 11, 1);
      const long = 'international-premium-support-line-north-europe';
      await open({
        queues: [
          { ...reportRow('sales', from, 96, 24), serviceLevelPercent: 82, asaSeconds: 14, ahtSeconds: 190, surveys: 10, surveyAverage: 4.5, csatPercent: 90 },
          reportRow('support', from, 38, 2),
          reportRow(long, from, 0, 0),
        ],
        agents: [
          { agent: 'Anna', start: from, handled: 41, ahtSeconds: 180, missedOffers: 1, readySeconds: 3600, handlingSeconds: 7380, notReadySeconds: 600, occupancyPercent: 67 },
          { agent: 'Bob', start: from, handled: 12, ahtSeconds: 220, missedOffers: 0, readySeconds: 7200, handlingSeconds: 2640, notReadySeconds: 0, occupancyPercent: 27 },
        ],
        'not-ready': [{ agentId: 7, agent: 'Anna', start: from, reason: 'lunch', reasonLabel: 'Lunch', times: 2, seconds: 3600 }],
      });
      await show('2026-12-07', '7', 'total');
      const label = `${short(new Date(2026, 11, 1))} – ${short(new Date(2026, 11, 7))}`;
      const rows = page.getByTestId('history-rows');
      await rows.getByTestId('history-sales').waitFor({ state: 'visible' });
      expect(await rows.locator('tr').count()).toBe(3);
      expect(await page.locator('#history-head th').allTextContents()).toEqual(['From', 'Queue', 'Offered', 'Answered', 'Service level', 'ASA', 'Abandoned', 'AHT', 'Rated', 'Avg', 'CSAT']);
      expect(await cells(rows.getByTestId('history-sales'))).toEqual([label, 'sales', '120', '96', '82%', '14 s', '24', '190 s', '10', '4.5', '90%']);
      expect((await cells(rows.getByTestId('history-support'))).slice(0, 4)).toEqual([label, 'support', '40', '38']);
      expect((await cells(rows.getByTestId(`history-${long}`)))[0]).toBe(label);

      // the chart: a bar per queue (answered, abandoned on top) under the queue's name, the tallest the whole height
      const chart = page.getByTestId('history-chart');
      expect(await chart.getByTestId('history-bar').count()).toBe(3);
      expect(await bars('answered')).toEqual([96, 38, 0]);
      expect(await bars('abandoned')).toEqual([24, 2, 0]);
      expect(await chart.locator('rect.answered title').allTextContents()).toEqual(['sales: 96 answered', 'support: 38 answered', `${long}: 0 answered`]);
      const labels = await chart.getByTestId('history-bar-label').evaluateAll((ts) => ts.map((t) => t.firstChild?.textContent ?? ''));
      expect(labels.slice(0, 2)).toEqual(['sales', 'support']);
      // (a name longer than its bar is cut, the whole of it in its title)
      expect(labels[2]).toMatch(/^international-premium-.*…$/);
      expect(await chart.getByTestId('history-bar-label').nth(2).locator('title').textContent()).toBe(long);
      expect(await chart.locator('svg').getAttribute('aria-label')).toContain('by queue');

      // the agents: a row per agent for the period, no chart
      await page.getByTestId('history-of').selectOption('agents');
      await page.getByTestId('history-show').click();
      await rows.getByTestId('history-Anna').waitFor({ state: 'visible' });
      expect(await rows.locator('tr').count()).toBe(2);
      expect((await cells(rows.getByTestId('history-Anna'))).slice(0, 3)).toEqual([label, 'Anna', '41']);
      expect((await cells(rows.getByTestId('history-Bob'))).slice(0, 3)).toEqual([label, 'Bob', '12']);
      expect(await chart.locator('*').count()).toBe(0);

      // not ready by reason: a row per agent and reason, no From column (the form says the period), no chart
      await page.getByTestId('history-of').selectOption('not-ready');
      await page.getByTestId('history-show').click();
      await rows.getByTestId('history-not-ready-row').waitFor({ state: 'visible' });
      expect(await page.locator('#history-head th').allTextContents()).toEqual(['Agent', 'Reason', 'Times', 'Time not ready']);
      expect(await cells(rows.getByTestId('history-not-ready-row'))).toEqual(['Anna', 'Lunch', '2', '1:00:00']);
      expect(await chart.locator('*').count()).toBe(0);

      // the day as a whole: From says the day
      await page.getByTestId('history-of').selectOption('queues');
      await show('2026-12-07', '1', 'total');
      await expect.poll(async () => (await cells(rows.getByTestId('history-sales')))[0]).toBe(new Date(2026, 11, 7).toLocaleDateString());
    });

    it('draws the 30 days up to the day by day as 30 bars, labelled sparsely so that no labels overlap', async () => {
      const first = kolkata(2026, 10, 8);
      const last = kolkata(2026, 11, 7);
      await open({ queues: [reportRow('sales', first, 5, 0), reportRow('sales', last, 3, 1), reportRow('support', last, 2, 0)] });
      await show('2026-12-07', '30', 'day');
      const rows = page.getByTestId('history-rows');
      await expect.poll(() => rows.locator('tr').count()).toBe(3);
      expect(await rows.locator('tr').evaluateAll((trs) => trs.map((tr) => tr.firstElementChild?.textContent))).toEqual(
        [new Date(2026, 10, 8), new Date(2026, 11, 7), new Date(2026, 11, 7)].map((d) => d.toLocaleDateString()),
      );
      const chart = page.getByTestId('history-chart');
      const answered = await bars('answered');
      expect(answered).toHaveLength(30);
      expect(answered.map((h, i) => (h > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([0, 29]);
      expect((await bars('abandoned')).map((h, i) => (h > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([29]);
      const titles = await chart.locator('rect.answered title').allTextContents();
      expect([titles[0], titles[29]]).toEqual([`${new Date(2026, 10, 8).toLocaleDateString()}: 5 answered`, `${new Date(2026, 11, 7).toLocaleDateString()}: 5 answered`]);

      const labels = chart.getByTestId('history-bar-label');
      expect(await labels.first().textContent()).toBe(new Date(2026, 10, 8).toLocaleDateString());
      const boxes = await labels.evaluateAll((ts) => ts.map((t) => (t as SVGTextElement).getBBox()).map((b) => ({ x: b.x, right: b.x + b.width })));
      expect(boxes.length).toBeGreaterThan(3);
      expect(boxes.length).toBeLessThan(30);
      for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.x, `label ${i}`).toBeGreaterThan(boxes[i - 1]!.right);
      expect(boxes[0]!.x).toBeGreaterThanOrEqual(0);
      expect(boxes.at(-1)!.right).toBeLessThanOrEqual(600);
    });
  });
});
