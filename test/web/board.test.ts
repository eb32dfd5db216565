// The wall-board's figures of the callers' ratings and its History's calls by disposition (board.ts), in Node.
import { describe, expect, it } from 'vitest';
import { type DispositionReportRow, dispositionCells, surveyCells, surveyText } from '../../web-softphone/supervisor/board.ts';

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
