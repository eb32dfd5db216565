/**
 * The not-ready reasons of the admin console ("aux codes": break, lunch…): the list as its rows hold it, the body of
 * PUT /api/not-ready-reasons it sends, and moving a row. The server judges the codes (their form, repeats, its own).
 */
import type { NotReadyReason, NotReadyReasons } from '../shared/not-ready-reasons.ts';
import { parseCount } from './forms.ts';

/** The most reasons the server takes. */
export const MAX_NOT_READY_REASONS = 30;

/** A row of the list as typed: the max minutes '' for no limit. */
export interface ReasonRow {
  code: string;
  label: string;
  maxMinutes: string;
}

/** The rows of the server's list, in its order. */
export function reasonRows(items: readonly NotReadyReason[]): ReasonRow[] {
  return items.map((r) => ({ code: r.code, label: r.label, maxMinutes: r.maxMinutes === null ? '' : String(r.maxMinutes) }));
}

/**
 * The body of PUT /api/not-ready-reasons for Save: the rows in their order, trimmed, an empty max minutes as no limit
 * (null). A row without a code or a label, or a limit that is no whole number, is refused naming the row.
 */
export function reasonsBody(rows: readonly ReasonRow[]): { items: NotReadyReason[] } {
  if (rows.length === 0) throw new Error('Not-ready reasons: add at least one (agents need a reason to go not ready)');
  if (rows.length > MAX_NOT_READY_REASONS) throw new Error(`Not-ready reasons: at most ${MAX_NOT_READY_REASONS}`);
  return {
    items: rows.map((r, i) => {
      const which = `reason ${i + 1}`;
      const code = r.code.trim();
      const label = r.label.trim();
      if (code === '') throw new Error(`${which}: code required, e.g. coffee (lower-case letters, digits, dashes)`);
      if (label === '') throw new Error(`${which} (${code}): label required, e.g. Coffee break`);
      return { code, label, maxMinutes: parseCount(r.maxMinutes, `${which} (${code}): max minutes`) };
    }),
  };
}

/** The rows with row `i` moved one place up (-1) or down (1); at either end they stay as they are. */
export function moveRow<T>(rows: readonly T[], i: number, by: -1 | 1): T[] {
  const out = [...rows];
  const j = i + by;
  if (i < 0 || i >= out.length || j < 0 || j >= out.length) return out;
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** Where the list comes from: the admin's (saved here) or the server's defaults. */
export function reasonsSourceText(source: NotReadyReasons['source']): string {
  return source === 'database' ? 'Set here.' : "The server's defaults until saved here.";
}

/** "The server's own reasons (not codes for this list): not-ready (Not ready), login (Just logged in)…", or '' for none. */
export function systemReasonsText(system: Readonly<Record<string, string>>): string {
  const own = Object.entries(system).map(([code, label]) => `${code} (${label})`);
  return own.length === 0 ? '' : `The server's own reasons (not codes for this list): ${own.join(', ')}.`;
}
