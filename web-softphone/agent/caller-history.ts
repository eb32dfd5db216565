/**
 * The caller's history an agent sees with a call (GET /api/agent/calls/:callId/history): the notes agents wrote on
 * this call so far (the agent who transferred it, say) and the same customer's earlier calls. Reading the answer
 * and the text of each line are pure (unit tested in Node); agent-view.ts draws them.
 */
import { WebError } from '../shared/errors.ts';
import { clock } from '../shared/format.ts';

/** A note an agent wrote on a call. */
export interface CallNote {
  agentId: number | null;
  agent: string;
  text: string;
  at: string;
}

/** One of the customer's earlier calls; the fields the server does not know are null. */
export interface PreviousCall {
  id: string;
  at: string;
  queue: string | null;
  agent: string | null;
  disposition: string | null;
  endReason: string | null;
  talkSeconds: number | null;
  surveyScore: number | null;
  /** the texts of the notes written on it */
  notes: string[];
}

export interface CallerHistory {
  /** oldest first */
  notes: CallNote[];
  /** newest first, at most 5 */
  previousCalls: PreviousCall[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const objects = (v: unknown): Record<string, unknown>[] => (v as unknown[]).filter((o): o is Record<string, unknown> => !!o && typeof o === 'object');

/** The answer of GET /api/agent/calls/:callId/history; entries without their text (a note) or id (a call) are left out. */
export function parseCallerHistory(v: unknown): CallerHistory {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  if (!Array.isArray(o.notes) || !Array.isArray(o.previousCalls)) {
    throw new WebError('WEB_ERR_BAD_RESPONSE', 'GET /api/agent/calls/:callId/history: no notes or previousCalls in the answer');
  }
  return {
    notes: objects(o.notes)
      .filter((n) => str(n.text) !== null)
      .map((n) => ({ agentId: num(n.agentId), agent: str(n.agent) ?? '', text: n.text as string, at: str(n.at) ?? '' })),
    previousCalls: objects(o.previousCalls)
      .filter((c) => str(c.id) !== null)
      .map((c) => ({
        id: c.id as string,
        at: str(c.at) ?? '',
        queue: str(c.queue),
        agent: str(c.agent),
        disposition: str(c.disposition),
        endReason: str(c.endReason),
        talkSeconds: num(c.talkSeconds),
        surveyScore: num(c.surveyScore),
        notes: Array.isArray(c.notes) ? c.notes.filter((t): t is string => typeof t === 'string' && t.trim() !== '') : [],
      })),
  };
}

/** "Anna Tamm: wants a refund" (an agent without a name as "agent 12"). */
export function noteLine(n: CallNote): string {
  return `${n.agent || (n.agentId === null ? 'an agent' : `agent ${n.agentId}`)}: ${n.text}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** An instant as "5 Dec 10:00" in the browser's time zone ("5 Dec 2025 10:00" in another year than `now`'s). */
export function dayAndTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const year = d.getFullYear() === now.getFullYear() ? '' : ` ${d.getFullYear()}`;
  return `${d.getDate()} ${MONTHS[d.getMonth()]}${year} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * An earlier call in a line: "5 Dec 10:00 · support · Bob Berg · Complaint · 1:35 · rated 2/5 — promised a call back".
 * What the server does not know is left out; a call nobody talked on says how it ended instead of the talk time.
 */
export function previousCallText(c: PreviousCall, now = new Date()): string {
  const ended = c.talkSeconds !== null ? clock(Math.round(c.talkSeconds)) : c.endReason === 'abandon' ? 'abandoned' : c.endReason?.replace(/-/g, ' ');
  const parts = [dayAndTime(c.at, now), c.queue, c.agent, c.disposition, ended, c.surveyScore === null ? null : `rated ${c.surveyScore}/5`];
  const line = parts.filter((p): p is string => !!p).join(' · ');
  return c.notes.length > 0 ? `${line} — ${c.notes.join('; ')}` : line;
}
