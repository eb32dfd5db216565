/**
 * A queue's opening hours: a week of time ranges in a time zone (IANA). Outside them a queue takes no new calls
 * (calls already waiting are served). Pure functions of the hours and an instant.
 */

import type { OpeningHours } from '../../db/schema.ts';

export type { OpeningHours } from '../../db/schema.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const formats = new Map<string, Intl.DateTimeFormat>();

/** The local date (YYYY-MM-DD), weekday and minute of the day of an instant in a time zone. */
function localTime(at: Date, timeZone: string): { date: string; day: Weekday; minute: number } {
  let f = formats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    day: get('weekday').toLowerCase().slice(0, 3) as Weekday,
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** True when the hours are open at that instant (no hours: always open). */
export function isOpenAt(hours: OpeningHours | null, at: Date): boolean {
  if (hours === null) return true;
  const { date, day, minute } = localTime(at, hours.timeZone);
  if (hours.closedDates?.includes(date)) return false;
  return (hours.days[day] ?? []).some((r) => minutesOf(r.from) <= minute && minute < minutesOf(r.to));
}

/**
 * The next minute at or after `at` when the hours are open, or null when they never open within eight days: in
 * quarter-hour steps, then back to the minute the range began.
 */
export function nextOpening(hours: OpeningHours | null, at: Date): Date | null {
  if (hours === null || isOpenAt(hours, at)) return at;
  const first = Math.ceil(at.getTime() / 60_000) * 60_000;
  for (let t = first, end = first + 8 * 86_400_000; t <= end; t += 15 * 60_000) {
    if (!isOpenAt(hours, new Date(t))) continue;
    let open = t;
    while (open - 60_000 >= first && isOpenAt(hours, new Date(open - 60_000))) open -= 60_000;
    return new Date(open);
  }
  return null;
}

/** Checks opening hours as the API takes them; the problem, naming the field, or null when they are fine. */
export function openingHoursProblem(h: OpeningHours, field: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: h.timeZone });
  } catch {
    return `${field}.timeZone: unknown time zone ${JSON.stringify(h.timeZone)}`;
  }
  for (const [i, d] of (h.closedDates ?? []).entries()) {
    const t = new Date(`${d}T12:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== d) return `${field}.closedDates[${i}]: ${JSON.stringify(d)} is not a date YYYY-MM-DD`;
  }
  for (const [day, ranges] of Object.entries(h.days)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) return `${field}.days.${day}: not a day (mon … sun)`;
    for (const [i, r] of (ranges ?? []).entries()) {
      const where = `${field}.days.${day}[${i}]`;
      for (const t of [r.from, r.to]) if (!/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/.test(t)) return `${where}: ${JSON.stringify(t)} is not a time HH:MM`;
      if (minutesOf(r.from) >= minutesOf(r.to)) return `${where}: from must be before to`;
    }
  }
  return null;
}

/** What decides whether a queue takes new calls: its opening hours, and a supervisor's closing it until a time. */
export interface QueueHours {
  /** null: always open */
  openingHours: OpeningHours | null;
  /** closed until then whatever the hours say; null: not */
  closedUntil: Date | null;
}

/** True when the queue takes new calls at that instant. */
export function queueOpenAt(q: QueueHours, at: Date): boolean {
  return (q.closedUntil === null || at >= q.closedUntil) && isOpenAt(q.openingHours, at);
}

/** When the queue takes new calls again (`at` when it does now), or null when not within eight days of that. */
export function queueNextOpening(q: QueueHours, at: Date): Date | null {
  return nextOpening(q.openingHours, q.closedUntil !== null && at < q.closedUntil ? q.closedUntil : at);
}

/** What a caller is told when the queue is closed at that instant (when it opens again), or null when it is open. */
export function closedNow(q: QueueHours, at: Date): string | null {
  if (queueOpenAt(q, at)) return null;
  const next = queueNextOpening(q, at);
  if (next === null) return 'Sorry, we are closed.';
  const timeZone = q.openingHours?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const when = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next);
  return `Sorry, we are closed. We open again ${when} (${timeZone}).`;
}
