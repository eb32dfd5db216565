import { CustomerCallState } from './customer-call-state.ts';
import type { CustomerCall } from './customer-call.ts';

/**
 * Links an agent sends the customer's browser during a call (POST /api/agent/calls/{callId}/link): the widget shows
 * each with an Open button; the customer decides whether to open it (never opened by itself).
 */

/** At most this many links in one call (the widget lists them all). */
export const MAX_LINKS_PER_CALL = 20;
export const MAX_LINK_URL_LENGTH = 2000;
export const MAX_LINK_TITLE_LENGTH = 200;

/**
 * The URL as the customer's browser gets it (normalised by the WHATWG URL parser), or why it is refused:
 * only an absolute http: or https: URL with a host, written out in full ("https://..."), without white space or
 * control characters (which browsers drop or rewrite silently) and without a user name or password (which would
 * let "https://bank.example@elsewhere.example" pass for a link to bank.example).
 */
export function linkUrl(raw: string): { url: string } | { problem: string } {
  if (raw.length > MAX_LINK_URL_LENGTH) return { problem: `at most ${MAX_LINK_URL_LENGTH} characters` };
  // (the characters the URL parser strips or accepts without telling: spaces, tabs, line breaks, C0 controls, DEL)
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) return { problem: 'must not contain spaces or control characters' };
  if (!/^https?:\/\//i.test(raw)) return { problem: 'must be an absolute http:// or https:// URL' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (url.hostname === '') return { problem: 'must name a host' };
  if (url.username !== '' || url.password !== '') return { problem: 'must not carry a user name or password' };
  if (url.href.length > MAX_LINK_URL_LENGTH) return { problem: `at most ${MAX_LINK_URL_LENGTH} characters (written out in full)` };
  return { url: url.href };
}

/** A link's title as the customer sees it: trimmed; null when there is none (the widget shows the URL's host). */
export function linkTitle(raw: string | null | undefined): string | null {
  const title = raw?.trim() ?? '';
  return title === '' ? null : title;
}

/** Why an agent may not send a link into a call now, or null when they may. */
export type LinkRefusal =
  /** no such call in progress (never was, or ended) */
  | { outcome: 'unknown-call' }
  /** the call waits in line, rings an agent, or is in an IVR menu: nobody talks with the customer yet */
  | { outcome: 'not-connected'; state: CustomerCallState }
  /** another agent is connected to the call */
  | { outcome: 'not-yours' }
  /** the customer is on a phone: no browser to open a link in */
  | { outcome: 'phone' }
  | { outcome: 'too-many'; max: number };

export type LinkOutcome = { outcome: 'sent'; customerConnected: boolean } | LinkRefusal;

/** Whether `agentId` may send a link into `call` now, having sent `sentSoFar` in it already. */
export function linkRefusal(
  call: Pick<CustomerCall, 'state' | 'agentId' | 'details'> | undefined,
  agentId: string,
  sentSoFar: number,
): LinkRefusal | null {
  if (call === undefined || call.state === CustomerCallState.Ended) return { outcome: 'unknown-call' };
  if (call.state !== CustomerCallState.Connected || call.agentId === null) return { outcome: 'not-connected', state: call.state };
  if (call.agentId !== agentId) return { outcome: 'not-yours' };
  if (call.details.channel !== 'webrtc') return { outcome: 'phone' };
  if (sentSoFar >= MAX_LINKS_PER_CALL) return { outcome: 'too-many', max: MAX_LINKS_PER_CALL };
  return null;
}
