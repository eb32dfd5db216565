// The wall-board's figures of the callers' ratings, its agents' not-ready reasons and its History's calls by disposition
// and not-ready time by reason (board.ts), in Node; the agents' rows also in the built page, against the labelled stand-in.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  type DispositionReportRow, type NotReadyReportRow, agentReasonText, dispositionCells, notReadyCells, notReadyColumns, surveyCells, surveyText,
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

    it("shows the reason's label beside a not-ready agent and flags one away longer than the reason allows", async () => {
      const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
      const board = emptyWallBoard([
        { id: 7, name: 'Anna', state: 'not-ready', reason: 'coffee', reasonLabel: 'Coffee break', overLimit: true, since: ago(12), callQueueId: null },
        { id: 8, name: 'Bob', state: 'not-ready', reason: 'lunch', reasonLabel: 'Lunch', overLimit: false, since: ago(5), callQueueId: null },
        // (an older server: no label, no flag)
        { id: 9, name: 'Cara', state: 'not-ready', reason: 'break', since: ago(30), callQueueId: null },
        { id: 10, name: 'Dan', state: 'ready', reason: '', reasonLabel: '', overLimit: false, since: ago(1), callQueueId: null },
      ]);
      server.socket('/ws/supervisor', (ws) => ws.send(JSON.stringify(board)));
      await page.goto(`${server.origin}/supervisor/`);
      await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
      await page.reload();
      const row = (name: string) => page.getByTestId(`wb-agent-${name}`);
      await row('Anna').waitFor({ state: 'visible' });

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
  });
});
