/** A `datetime-local` input's values and instants, in the browser's time zone (the agent page's and the wall-board's callback times). */
import { toEpochMs } from './format.ts';

const two = (n: number): string => String(n).padStart(2, '0');

/** An instant as a datetime-local input's value in the browser's time zone, to the minute ("2026-12-07T14:30"). */
export function localInputValue(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A datetime-local input's value ("2026-12-07T14:30", the browser's local time) as an ISO instant; null when it is none. */
export function localInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s, Number((m[7] ?? '0').padEnd(3, '0')));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const FIVE_MINUTES = 300_000;

/**
 * The time a callback's Move offers at first (a datetime-local value): when a callback due later is due, to the minute;
 * for one in line (or due already), an hour from `now` rounded up to the next 5 minutes.
 */
export function moveDefault(c: { state: string; scheduledFor: string | null }, now: number): string {
  const due = c.state === 'scheduled' && c.scheduledFor !== null ? toEpochMs(c.scheduledFor) : Number.NaN;
  return localInputValue(due > now ? due : Math.ceil((now + 3_600_000) / FIVE_MINUTES) * FIVE_MINUTES);
}
