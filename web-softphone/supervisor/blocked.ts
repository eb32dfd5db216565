/**
 * The wall-board's blocked callers (GET/POST /api/blocked-callers, DELETE /api/blocked-callers/:id): a caller blocked
 * by phone number, web customer id or one of their calls, for some days or until unblocked. The request bodies and
 * the text of a block are pure (unit tested in Node); the list is drawn with the document as board.ts's sections are.
 */
import { el } from './board.ts';
import { normalizeNumber } from '../shared/phone-number.ts';

/** A block of GET /api/blocked-callers (newest first; an expired one stays listed, not active, until unblocked). */
export interface BlockedCaller {
  id: number;
  number: string | null;
  customerId: string | null;
  reason: string;
  /** the login of who blocked them (null: a user deleted since) */
  blockedBy: string | null;
  createdAt: string;
  /** null: until unblocked */
  expiresAt: string | null;
  active: boolean;
}

/** Whom to block: a number typed in, or the caller of a call of the history. */
export type BlockTarget = { number: string } | { callId: string };

/** POST /api/blocked-callers's body: the target, the reason when one is given, the days when the block ends ('' : never). */
export function blockBody(target: BlockTarget, reason: string, days: string): Record<string, string | number> {
  const body: Record<string, string | number> = { ...target };
  if (reason.trim()) body.reason = reason.trim();
  if (days !== '') body.days = Number(days);
  return body;
}


/**
 * Whether a call's caller can be blocked: they are known by a customer id or a phone number (a phone's SIP URI names
 * one, a callback's caller is one); a browser caller without a customer id ("web") is known by neither.
 */
export function canBlockCaller(call: { caller: string; customerId: string | null }): boolean {
  if (call.customerId) return true;
  const user = /^sips?:([^@;?]+)@/i.exec(call.caller)?.[1];
  return normalizeNumber(user ?? call.caller) !== null;
}

/** Who is blocked: the number, or "customer <id>". */
export function blockedWho(b: Pick<BlockedCaller, 'number' | 'customerId'>): string {
  return b.number ?? (b.customerId === null ? '–' : `customer ${b.customerId}`);
}

/** Until when: "until unblocked", the day and time it ends, or "expired <when>" once it has. */
export function blockedUntil(b: Pick<BlockedCaller, 'expiresAt' | 'active'>): string {
  if (b.expiresAt === null) return 'until unblocked';
  const when = new Date(b.expiresAt).toLocaleString();
  return b.active ? when : `expired ${when}`;
}

/** The blocks listed, newest first, each with Unblock (an expired one too: it is then deleted). */
export function renderBlocked(doc: Document, items: readonly BlockedCaller[], unblock: (b: BlockedCaller) => void): void {
  const body = doc.getElementById('blocked-rows')!;
  if (items.length === 0) {
    const tr = el(doc, 'tr', { 'data-testid': 'blocked-none' });
    tr.append(el(doc, 'td', { colspan: '6', class: 'muted' }, 'No blocked callers.'));
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...items.map((b) => {
      const row = el(doc, 'tr', { 'data-testid': 'blocked-row', 'data-active': String(b.active), ...(b.active ? {} : { class: 'expired' }) });
      row.append(
        el(doc, 'td', { 'data-testid': 'blocked-who' }, blockedWho(b)),
        el(doc, 'td', { 'data-testid': 'blocked-reason' }, b.reason || '–'),
        el(doc, 'td', { 'data-testid': 'blocked-by' }, b.blockedBy ?? '–'),
        el(doc, 'td', { 'data-testid': 'blocked-since' }, new Date(b.createdAt).toLocaleString()),
        el(doc, 'td', { 'data-testid': 'blocked-until' }, blockedUntil(b)),
      );
      const actions = el(doc, 'td', { class: 'actions' });
      const button = el(doc, 'button', { type: 'button', 'data-testid': 'blocked-unblock' }, 'Unblock');
      button.addEventListener('click', () => unblock(b));
      actions.append(button);
      row.append(actions);
      return row;
    }),
  );
}
