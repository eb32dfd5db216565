import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type StandIn, emptyWallBoard } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

// The wall-board's History of calls by disposition and of not-ready time by reason in the built page; the board and the
// reports come from the labelled stand-in (test/support/web-stand-in.ts), the real server's are driven by the end-to-end tests.
let server: StandIn;
let page: Page;
pageWithStandIn((t) => ({ server, page } = t));

const board = emptyWallBoard();

describe("the wall-board's History of calls by disposition", () => {
  it('asks for the dispositions report of the day by hour, shows a row per hour, queue and disposition with its share, and downloads it as CSV', async () => {
    const nine = new Date(2026, 11, 7, 9).toISOString();
    server.socket('/ws/supervisor', (ws) => ws.send(JSON.stringify(board)));
    server.route('GET /api/reports/dispositions', () => ({
      status: 200,
      body: {
        from: new Date(2026, 11, 7).toISOString(), to: new Date(2026, 11, 8).toISOString(), interval: 'hour', timeZone: 'UTC',
        rows: [
          { queueId: 1, queue: 'support', start: nine, disposition: 'Sale', calls: 2 },
          { queueId: 1, queue: 'support', start: nine, disposition: 'Resolved', calls: 1 },
          { queueId: 2, queue: 'sales', start: nine, disposition: 'Sale', calls: 4 },
        ],
      },
    }));
    await page.goto(`${server.origin}/supervisor/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
    await page.reload();
    await page.getByTestId('history-day').fill('2026-12-07');
    await page.getByTestId('history-of').selectOption('dispositions');
    await page.getByTestId('history-interval').selectOption('hour');
    await page.getByTestId('history-show').click();

    const rows = page.getByTestId('history-rows').getByTestId('history-disposition-row');
    await expect.poll(() => rows.count()).toBe(3);
    const at = new Date(nine).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    expect(await Promise.all([0, 1, 2].map((i) => rows.nth(i).locator('td').allTextContents()))).toEqual([
      [at, 'support', 'Sale', '2', '66.7%'],
      [at, 'support', 'Resolved', '1', '33.3%'],
      [at, 'sales', 'Sale', '4', '100%'],
    ]);
    expect(await page.locator('#history-head th').allTextContents()).toEqual(['From', 'Queue', 'Disposition', 'Calls', "Share of the queue's filed calls"]);
    const asked = server.requests.filter((r) => r.path === '/api/reports/dispositions');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.headers.authorization).toBe('Bearer sup-token');
    expect(Object.fromEntries(new URLSearchParams(asked[0]!.search))).toMatchObject({
      from: new Date(2026, 11, 7).toISOString(), to: new Date(2026, 11, 8).toISOString(), interval: 'hour', format: 'json',
    });

    await page.getByTestId('history-csv').click();
    await expect.poll(() => server.requests.filter((r) => r.path === '/api/reports/dispositions').length).toBe(2);
    expect(new URLSearchParams(server.requests.filter((r) => r.path === '/api/reports/dispositions')[1]!.search).get('format')).toBe('csv');
    expect(await page.getByTestId('history-error').isVisible()).toBe(false);
  });
});

describe("the wall-board's History of not-ready time by reason", () => {
  it("asks for the not-ready report of the day by hour, shows a row per agent and reason with its label, times and time, and downloads it as CSV", async () => {
    const nine = new Date(2026, 11, 7, 9).toISOString();
    server.socket('/ws/supervisor', (ws) => ws.send(JSON.stringify(board)));
    server.route('GET /api/reports/not-ready', (req) =>
      new URLSearchParams(req.search).get('format') === 'csv'
        ? { status: 200, body: 'agent,start,reason,reasonLabel,times,seconds' }
        : {
            status: 200,
            body: {
              from: new Date(2026, 11, 7).toISOString(), to: new Date(2026, 11, 8).toISOString(), interval: 'hour', timeZone: 'UTC',
              rows: [
                { agentId: 7, agent: 'Anna Tamm', start: nine, reason: 'lunch', reasonLabel: 'Lunch', times: 1, seconds: 3725 },
                { agentId: 7, agent: 'Anna Tamm', start: nine, reason: 'coffee', reasonLabel: 'Coffee break', times: 3, seconds: 754 },
                { agentId: 8, agent: 'Bob Berg', start: nine, reason: 'missed-offers', reasonLabel: 'Missed offers', times: 1, seconds: 42 },
              ],
            },
          },
    );
    await page.goto(`${server.origin}/supervisor/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
    await page.reload();
    await page.getByTestId('history-day').fill('2026-12-07');
    await page.getByTestId('history-of').selectOption('not-ready');
    await page.getByTestId('history-interval').selectOption('hour');
    await page.getByTestId('history-show').click();

    const rows = page.getByTestId('history-rows').getByTestId('history-not-ready-row');
    await expect.poll(() => rows.count()).toBe(3);
    const at = new Date(nine).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    expect(await Promise.all([0, 1, 2].map((i) => rows.nth(i).locator('td').allTextContents()))).toEqual([
      [at, 'Anna Tamm', 'Lunch', '1', '1:02:05'],
      [at, 'Anna Tamm', 'Coffee break', '3', '12:34'],
      [at, 'Bob Berg', 'Missed offers', '1', '0:42'],
    ]);
    expect(await page.locator('#history-head th').allTextContents()).toEqual(['From', 'Agent', 'Reason', 'Times', 'Time not ready']);
    const asked = () => server.requests.filter((r) => r.path === '/api/reports/not-ready');
    expect(asked()).toHaveLength(1);
    expect(asked()[0]!.headers.authorization).toBe('Bearer sup-token');
    expect(Object.fromEntries(new URLSearchParams(asked()[0]!.search))).toMatchObject({
      from: new Date(2026, 11, 7).toISOString(), to: new Date(2026, 11, 8).toISOString(), interval: 'hour', format: 'json',
    });

    await page.getByTestId('history-csv').click();
    await expect.poll(() => asked().length).toBe(2);
    expect(asked()[1]!.headers.authorization).toBe('Bearer sup-token');
    expect(Object.fromEntries(new URLSearchParams(asked()[1]!.search))).toMatchObject({ interval: 'hour', format: 'csv' });
    expect(await page.getByTestId('history-error').isVisible()).toBe(false);
  });

  it("shows the server's refusal of the report", async () => {
    server.socket('/ws/supervisor', (ws) => ws.send(JSON.stringify(board)));
    server.route('GET /api/reports/not-ready', () => ({ status: 403, body: { statusCode: 403, code: 'ERR_FORBIDDEN', message: 'supervisors and admins only' } }));
    await page.goto(`${server.origin}/supervisor/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
    await page.reload();
    await page.getByTestId('history-of').selectOption('not-ready');
    await page.getByTestId('history-show').click();
    await page.getByTestId('history-error').waitFor({ state: 'visible' });
    expect(await page.getByTestId('history-error').textContent()).toBe('supervisors and admins only');
  });
});
