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
  return { callId: top.callId, token: top.token, eventsUrl: top.eventsUrl, sip };
}
