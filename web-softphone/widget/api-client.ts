import type { SipAccess } from '../shared/user-agent.ts';
import { fetchJson, requireStrings } from '../shared/http.ts';
import { WebError } from '../shared/errors.ts';
import type { VisitedPage } from './page-history.ts';

/** The page the call starts from. */
export interface CallPage {
  url: string;
  title: string;
  category?: string;
  language?: string;
}

export interface StartCallRequest {
  queue: string;
  language: string;
  page: CallPage;
  history: VisitedPage[];
  customerId?: string;
  /** the visual IVR's menus the customer went through to this queue */
  menus?: string[];
}

/** The widget's one-call SIP access and the queue's address to call. */
export interface CallSipCredentials extends SipAccess {
  target: string;
}

export interface StartCallResponse {
  callId: string;
  token: string;
  sip: CallSipCredentials;
  eventsUrl: string;
  /** the server can call the customer back on a phone number (it has a trunk) */
  callbacks: boolean;
  /** the queue records its calls: the customer is told */
  recorded: boolean;
  /** the queue asks callers to rate a call an agent answered (1–5), after it ends */
  survey: boolean;
}

/** `POST {base}/api/public/calls`. A 4xx/5xx throws WebError with the server's message. */
export async function startCall(apiBase: string, body: StartCallRequest, signal?: AbortSignal): Promise<StartCallResponse> {
  const res = await fetchJson<unknown>(`${apiBase}/api/public/calls`, { method: 'POST', body, ...(signal ? { signal } : {}) });
  const top = requireStrings(res, ['callId', 'token', 'eventsUrl'] as const, 'POST /api/public/calls');
  const sip = requireStrings((res as { sip?: unknown }).sip, [
    'wsUrl',
    'uri',
    'target',
    'authorizationUsername',
    'authorizationPassword',
    'displayName',
  ] as const, 'POST /api/public/calls: sip');
  if (!/^wss?:\/\//.test(top.eventsUrl)) {
    throw new WebError('WEB_ERR_BAD_RESPONSE', `POST /api/public/calls: eventsUrl "${top.eventsUrl}" is not a ws:// or wss:// URL`);
  }
  const flag = (name: 'callbacks' | 'recorded' | 'survey') => (res as Record<string, unknown>)[name] === true;
  return { callId: top.callId, token: top.token, eventsUrl: top.eventsUrl, sip, callbacks: flag('callbacks'), recorded: flag('recorded'), survey: flag('survey') };
}

/** `POST {base}/api/public/calls/{callId}/survey` with the call's token: the caller's rating of the call (1–5). */
export async function rateCall(apiBase: string, callId: string, token: string, score: number): Promise<{ score: number }> {
  const res = await fetchJson<{ score?: unknown }>(`${apiBase}/api/public/calls/${encodeURIComponent(callId)}/survey`, { method: 'POST', body: { score }, token });
  if (typeof res?.score !== 'number') throw new WebError('WEB_ERR_BAD_RESPONSE', 'POST /api/public/calls/{callId}/survey: unexpected answer');
  return { score: res.score };
}

export interface CallbackResponse {
  number: string;
  /** null: at the caller's turn in line */
  scheduledFor: string | null;
}

/** `POST {base}/api/public/calls/{callId}/callback` with the call's token: call me back on `number` (now, or `at`). */
export async function requestCallback(apiBase: string, callId: string, token: string, body: { number: string; at?: string }): Promise<CallbackResponse> {
  const res = await fetchJson(`${apiBase}/api/public/calls/${encodeURIComponent(callId)}/callback`, { method: 'POST', body, token });
  return callbackResponse(res, 'POST /api/public/calls/{callId}/callback');
}

function callbackResponse(res: unknown, what: string): CallbackResponse {
  const r = (res ?? {}) as { number?: unknown; scheduledFor?: unknown };
  if (typeof r.number !== 'string' || (r.scheduledFor !== null && typeof r.scheduledFor !== 'string')) {
    throw new WebError('WEB_ERR_BAD_RESPONSE', `${what}: unexpected answer`);
  }
  return { number: r.number, scheduledFor: r.scheduledFor };
}

export interface QueueStatus {
  open: boolean;
  /** when a closed queue opens next (null: open, or not within a week) */
  opensAt: string | null;
  callbacks: boolean;
}

/** `GET {base}/api/public/queues/{name}`: whether the queue takes calls now, and whether it calls back. */
export async function queueStatus(apiBase: string, queue: string, signal?: AbortSignal): Promise<QueueStatus> {
  const res = await fetchJson<{ open?: unknown; opensAt?: unknown; callbacks?: unknown }>(`${apiBase}/api/public/queues/${encodeURIComponent(queue)}`, signal ? { signal } : {});
  return { open: res.open === true, opensAt: typeof res.opensAt === 'string' ? res.opensAt : null, callbacks: res.callbacks === true };
}

/** `POST {base}/api/public/callbacks`: call me back without a call (by default when the queue opens). */
export async function scheduleCallback(
  apiBase: string,
  body: { queue: string; number: string; language: string; at?: string; page: CallPage; customerId?: string },
): Promise<CallbackResponse> {
  return callbackResponse(await fetchJson(`${apiBase}/api/public/callbacks`, { method: 'POST', body }), 'POST /api/public/callbacks');
}

/** Where a menu choice leads: a queue to call, or another menu. */
export type MenuNext = { queue: string } | { menu: string };

export interface MenuChoice {
  label: string;
  /** the caller's language from here on (null: unchanged) */
  language: string | null;
  next: MenuNext;
}

/** An IVR menu as the widget shows it (GET /api/public/menus/{name}). */
export interface VisualMenu {
  name: string;
  open: boolean;
  opensAt: string | null;
  choices: MenuChoice[];
  /** while closed: where the caller goes instead (null: nowhere) */
  closedNext: MenuNext | null;
}

function menuNext(v: unknown): MenuNext | null {
  const o = (v ?? {}) as { queue?: unknown; menu?: unknown };
  if (typeof o.queue === 'string') return { queue: o.queue };
  if (typeof o.menu === 'string') return { menu: o.menu };
  return null;
}

/** `GET {base}/api/public/menus/{name}`: the menu's choices (checked; a malformed one is dropped). */
export async function fetchMenu(apiBase: string, name: string, signal?: AbortSignal): Promise<VisualMenu> {
  const res = (await fetchJson<unknown>(`${apiBase}/api/public/menus/${encodeURIComponent(name)}`, signal ? { signal } : {})) as Record<string, unknown> | null;
  if (res === null || typeof res !== 'object' || typeof res.open !== 'boolean' || !Array.isArray(res.choices)) {
    throw new WebError('WEB_ERR_BAD_RESPONSE', `GET /api/public/menus/${name}: unexpected answer`);
  }
  const choices = res.choices.flatMap((c: unknown) => {
    const o = (c ?? {}) as { label?: unknown; language?: unknown; next?: unknown };
    const next = menuNext(o.next);
    return typeof o.label === 'string' && next !== null ? [{ label: o.label, language: typeof o.language === 'string' ? o.language : null, next }] : [];
  });
  return { name, open: res.open, opensAt: typeof res.opensAt === 'string' ? res.opensAt : null, choices, closedNext: menuNext(res.closedNext) };
}
