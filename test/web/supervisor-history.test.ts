import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type StandIn, emptyWallBoard } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

// The wall-board's History of calls by disposition in the built page; the board and the report come from the labelled
// stand-in (test/support/web-stand-in.ts), the real server's report is driven by the end-to-end tests.
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
