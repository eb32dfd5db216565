/**
 * The agent's own day (GET /api/agent/stats): calls handled, average handle time, missed offers, occupancy and the
 * callers' ratings. Reading the answer and the text of each figure are pure (unit tested in Node); agent-view.ts draws them.
 */
import { WebError } from '../shared/errors.ts';
import { clock } from '../shared/format.ts';

/** The figures the panel shows; null: none yet (no call handled, no time logged in, no rating). */
export interface MyDay {
  since: string;
  handled: number;
  ahtSeconds: number | null;
  missedOffers: number;
  occupancyPercent: number | null;
  surveys: number;
  surveyAverage: number | null;
  csatPercent: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The answer of GET /api/agent/stats; one without the counts is refused (WEB_ERR_BAD_RESPONSE). */
export function parseMyDay(v: unknown): MyDay {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const handled = num(o.handled);
  const missedOffers = num(o.missedOffers);
  if (handled === null || missedOffers === null) throw new WebError('WEB_ERR_BAD_RESPONSE', 'GET /api/agent/stats: no handled or missedOffers in the answer');
  return {
    since: typeof o.since === 'string' ? o.since : '',
    handled,
    ahtSeconds: num(o.ahtSeconds),
    missedOffers,
    occupancyPercent: num(o.occupancyPercent),
    surveys: num(o.surveys) ?? 0,
    surveyAverage: num(o.surveyAverage),
    csatPercent: num(o.csatPercent),
  };
}

/** The start of the browser's day: "my day" is the agent's, wherever the server is. */
export function startOfDay(now = new Date()): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/** Average handle time as m:ss, or '–' before the first call. */
export function ahtText(seconds: number | null): string {
  return seconds === null ? '–' : clock(Math.round(seconds));
}

/** A percentage with at most one decimal ("45.2%", "80%"), or '–'. */
export function percentText(v: number | null): string {
  return v === null ? '–' : `${Math.round(v * 10) / 10}%`;
}

/** "4.4 / 5 from 5 ratings · CSAT 80%", or "no ratings yet". */
export function myRatingText(d: Pick<MyDay, 'surveys' | 'surveyAverage' | 'csatPercent'>): string {
  if (d.surveys <= 0 || d.surveyAverage === null) return 'no ratings yet';
  const csat = d.csatPercent === null ? '' : ` · CSAT ${percentText(d.csatPercent)}`;
  return `${d.surveyAverage.toFixed(1)} / 5 from ${d.surveys} ${d.surveys === 1 ? 'rating' : 'ratings'}${csat}`;
}
