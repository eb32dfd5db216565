// The agent's "My day" panel (agent/my-day.ts): reading GET /api/agent/stats and the text of its figures, in Node.
import { describe, expect, it } from 'vitest';
import { ahtText, myRatingText, parseMyDay, percentText, startOfDay } from '../../web-softphone/agent/my-day.ts';

const stats = {
  since: '2026-03-01T22:00:00.000Z', handled: 12, ahtSeconds: 245.3, missedOffers: 1, talkSeconds: 2400, wrapUpSeconds: 540, readySeconds: 3600, ringingSeconds: 60,
  handlingSeconds: 2940, notReadySeconds: 900, loggedInSeconds: 7500, occupancyPercent: 45.2, surveys: 5, surveyAverage: 4.4, csatPercent: 80,
};

describe("the agent's day", () => {
  it('shows the average handle time as m:ss (h:mm:ss past an hour), and a dash before the first call', () => {
    expect(ahtText(245.3)).toBe('4:05');
    expect(ahtText(59.6)).toBe('1:00');
    expect(ahtText(0)).toBe('0:00');
    expect(ahtText(3725)).toBe('1:02:05');
    expect(ahtText(null)).toBe('–');
  });

  it('shows occupancy with at most one decimal, and a dash when there is none', () => {
    expect(percentText(45.2)).toBe('45.2%');
    expect(percentText(80)).toBe('80%');
    expect(percentText(33.333)).toBe('33.3%');
    expect(percentText(null)).toBe('–');
  });

  it("tells the callers' rating with its count and CSAT, or that there is none yet", () => {
    expect(myRatingText({ surveys: 5, surveyAverage: 4.4, csatPercent: 80 })).toBe('4.4 / 5 from 5 ratings · CSAT 80%');
    expect(myRatingText({ surveys: 1, surveyAverage: 5, csatPercent: 100 })).toBe('5.0 / 5 from 1 rating · CSAT 100%');
    expect(myRatingText({ surveys: 3, surveyAverage: 3.667, csatPercent: null })).toBe('3.7 / 5 from 3 ratings');
    expect(myRatingText({ surveys: 0, surveyAverage: null, csatPercent: null })).toBe('no ratings yet');
  });

  it("reads the server's answer, with null for figures it has none of, and refuses one without the counts", () => {
    expect(parseMyDay(stats)).toEqual({ since: stats.since, handled: 12, ahtSeconds: 245.3, missedOffers: 1, occupancyPercent: 45.2, surveys: 5, surveyAverage: 4.4, csatPercent: 80 });
    expect(parseMyDay({ ...stats, handled: 0, ahtSeconds: null, occupancyPercent: null, surveys: 0, surveyAverage: null, csatPercent: null })).toEqual({
      since: stats.since, handled: 0, ahtSeconds: null, missedOffers: 1, occupancyPercent: null, surveys: 0, surveyAverage: null, csatPercent: null,
    });
    expect(() => parseMyDay({ since: stats.since })).toThrow(/handled/);
    expect(() => parseMyDay(null)).toThrow(/handled/);
  });

  it("starts the day at the browser's midnight", () => {
    expect(startOfDay(new Date(2026, 2, 1, 23, 59, 59))).toEqual(new Date(2026, 2, 1));
    expect(startOfDay(new Date(2026, 2, 2, 0, 0, 1))).toEqual(new Date(2026, 2, 2));
  });
});
