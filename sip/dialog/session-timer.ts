import type { SipRequest, SipResponse } from '../message/message.ts';

/**
 * RFC 4028 session timers, as a UAS that supports them when the caller asks: the caller's INVITE (or a proxy on the
 * way) names a session interval in Session-Expires; the refresher re-INVITEs within that interval, and if no
 * refresh comes the other side ends the call with BYE. This is how a B2BUA learns that a caller's phone, SBC or
 * trunk went away without a BYE, instead of keeping the call (and an agent) until the maximum call duration.
 */
export type Refresher = 'uac' | 'uas';

/** RFC 4028 4: the smallest session interval anyone may ask for. */
export const MIN_SE_SECONDS = 90;

export interface SessionExpires {
  seconds: number;
  refresher: Refresher | undefined;
}

/** What a UAS answers to an INVITE or re-INVITE (RFC 4028 9). */
export type SessionTimerPlan =
  | { kind: 'none' }
  | { kind: 'bad'; reason: string }
  | { kind: 'too-small'; minSe: number }
  | { kind: 'timer'; seconds: number; refresher: Refresher; uacSupports: boolean };

const DELTA = /^\d{1,10}$/;

/** Session-Expires = delta-seconds *(SEMI se-params); refresher=uac|uas (RFC 4028 4). Undefined if malformed. */
export function parseSessionExpires(value: string): SessionExpires | undefined {
  const [first, ...params] = value.split(';');
  const delta = first!.trim();
  if (!DELTA.test(delta)) return undefined;
  let refresher: Refresher | undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (name !== 'refresher') continue;
    const v = eq < 0 ? '' : p.slice(eq + 1).trim().toLowerCase();
    if (v !== 'uac' && v !== 'uas') return undefined;
    refresher = v;
  }
  return { seconds: Number(delta), refresher };
}

/** Min-SE = delta-seconds *(SEMI generic-param). Undefined if malformed. */
export function parseMinSe(value: string): number | undefined {
  const delta = value.split(';')[0]!.trim();
  return DELTA.test(delta) ? Number(delta) : undefined;
}

function hasOptionTag(req: SipRequest, header: 'supported' | 'require', tag: string): boolean {
  return req.getAll(header).some((t) => t.trim().toLowerCase() === tag);
}

/**
 * RFC 4028 9: the session interval and refresher for our 2xx to `req`, or why to refuse it. Only a request with a
 * Session-Expires gets a timer. If the caller supports timers it keeps the refresher it asked for (default uac: it
 * refreshes); if not (a proxy inserted the header), we must be the refresher.
 */
export function planAsUas(req: SipRequest, minSe: number): SessionTimerPlan {
  const header = req.get('session-expires');
  if (header === undefined) return { kind: 'none' };
  const se = parseSessionExpires(header);
  if (!se) return { kind: 'bad', reason: 'Bad Request: malformed Session-Expires' };
  const minHeader = req.get('min-se');
  if (minHeader !== undefined && parseMinSe(minHeader) === undefined) return { kind: 'bad', reason: 'Bad Request: malformed Min-SE' };
  if (se.seconds < minSe) return { kind: 'too-small', minSe };
  const uacSupports = hasOptionTag(req, 'supported', 'timer') || hasOptionTag(req, 'require', 'timer');
  return { kind: 'timer', seconds: se.seconds, refresher: uacSupports ? (se.refresher ?? 'uac') : 'uas', uacSupports };
}

/** The response refusing a request whose plan is 'bad' (400) or 'too-small' (422 with our Min-SE), else undefined. */
export function refusal(plan: SessionTimerPlan, req: SipRequest, make: (req: SipRequest, status: number, reason: string) => SipResponse): SipResponse | undefined {
  if (plan.kind === 'bad') return make(req, 400, plan.reason);
  if (plan.kind !== 'too-small') return undefined;
  const res = make(req, 422, 'Session Interval Too Small');
  res.set('min-se', String(plan.minSe));
  return res;
}

/** Adds the RFC 4028 headers of a plan to our 2xx. */
export function applyToResponse(plan: SessionTimerPlan & { kind: 'timer' }, res: SipResponse): void {
  res.set('session-expires', `${plan.seconds};refresher=${plan.refresher}`);
  res.set('supported', 'timer');
  if (plan.uacSupports) res.set('require', 'timer');
}

/** RFC 4028 10: the refresher refreshes at half the interval. */
export function refreshDelayMs(seconds: number): number {
  return seconds * 500;
}

/** RFC 4028 10: without a refresh, the other side sends BYE at the interval minus min(32 s, a third of it). */
export function expiryDelayMs(seconds: number): number {
  return (seconds - Math.min(32, seconds / 3)) * 1000;
}
