/** Seconds as "m:ss" (or "h:mm:ss"), for timers the agent watches. Negative values count as 0. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Whole minutes of an estimated wait, rounded, at least 1 (0 means "under a minute"). */
export function waitMinutes(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 60) return 0;
  return Math.max(1, Math.round(seconds / 60));
}

/** An instant from the protocol (epoch milliseconds or an ISO string) as epoch milliseconds; NaN when unreadable. */
export function toEpochMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const n = Number(value);
    return Number.isFinite(n) && value.trim() !== '' ? n : Date.parse(value);
  }
  return Number.NaN;
}
