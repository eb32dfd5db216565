// The wall-board's figures of the callers' ratings (board.ts), in Node.
import { describe, expect, it } from 'vitest';
import { surveyCells, surveyText } from '../../web-softphone/supervisor/board.ts';

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
