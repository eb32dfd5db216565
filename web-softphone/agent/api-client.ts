import type { SipAccess } from '../shared/user-agent.ts';
import { fetchJson, requireStrings } from '../shared/http.ts';
import { WebError } from '../shared/errors.ts';
import { type NotReadyReasons, parseNotReadyReasons } from '../shared/not-ready-reasons.ts';
import { sessionTokenStore } from '../shared/session-token.ts';
import { type CallerHistory, parseCallerHistory } from './caller-history.ts';
import { type OutboundSettings, parseOutboundSettings } from './dial-out.ts';
import { type MyCallbackList, parseMyCallbacks } from './my-callbacks.ts';
import { type MyDay, parseMyDay } from './my-day.ts';

export interface LoginResult {
  token: string;
  role: string;
  userId: string;
}

export interface Me {
  id: string;
  login: string;
  name: string;
  role: string;
  skills: unknown;
  languages: unknown;
  sipUsername: string | null;
}

/** A queue or an agent a call can be transferred to (GET /api/agent/transfer-targets). */
export interface TransferTarget {
  name: string;
  uri: string;
}

export interface TransferTargets {
  queues: TransferTarget[];
  agents: TransferTarget[];
}

/** A callback the agent arranged: the number to call and when (null: as soon as possible). */
export interface ArrangedCallback {
  number: string;
  scheduledFor: string | null;
}

/** POST /api/agent/softphone: SIP access for this login session. */
export type SoftphoneCredentials = SipAccess;

/** The agent's REST calls, against the page's own origin (or `base`). */
export class AgentApi {
  constructor(readonly base: string = '') {}

  /** `POST /api/login`. A refused login throws WebError with the server's message and status 401. */
  async login(username: string, password: string): Promise<LoginResult> {
    const res = await fetchJson<Record<string, unknown>>(`${this.base}/api/login`, { method: 'POST', body: { username, password } });
    if (typeof res.token !== 'string' || res.token === '') throw new WebError('WEB_ERR_BAD_RESPONSE', 'POST /api/login: no token in the answer');
    return { token: res.token, role: String(res.role ?? ''), userId: String(res.userId ?? '') };
  }

  /** `GET /api/me`. */
  async me(token: string): Promise<Me> {
    const res = await fetchJson<Record<string, unknown>>(`${this.base}/api/me`, { token });
    const name = typeof res.name === 'string' && res.name ? res.name : String(res.login ?? '');
    return {
      id: String(res.id ?? ''),
      login: String(res.login ?? ''),
      name,
      role: String(res.role ?? ''),
      skills: res.skills,
      languages: res.languages,
      sipUsername: typeof res.sipUsername === 'string' ? res.sipUsername : null,
    };
  }

  /** `GET /api/agent/transfer-targets`: the queues and agents a call can be transferred to. */
  async transferTargets(token: string): Promise<TransferTargets> {
    const res = await fetchJson<{ queues?: unknown; agents?: unknown }>(`${this.base}/api/agent/transfer-targets`, { token });
    const targets = (list: unknown): TransferTarget[] =>
      (Array.isArray(list) ? list : [])
        .filter((t): t is { name: string; uri: string } => !!t && typeof t === 'object' && typeof t.name === 'string' && typeof t.uri === 'string')
        .map((t) => ({ name: t.name, uri: t.uri }));
    return { queues: targets(res.queues), agents: targets(res.agents) };
  }

  /** `GET /api/not-ready-reasons`: the reasons the agent may give for going not ready (the admin's list, the first the default). */
  async notReadyReasons(token: string): Promise<NotReadyReasons> {
    return parseNotReadyReasons(await fetchJson<unknown>(`${this.base}/api/not-ready-reasons`, { token }));
  }

  /** `POST /api/agent/call/transfer`: transfers the call the agent has on another device (a desk phone). */
  async transferCall(token: string, target: string): Promise<void> {
    await fetchJson<unknown>(`${this.base}/api/agent/call/transfer`, { method: 'POST', body: { target }, token });
  }

  /**
   * `POST /api/agent/call/consult/complete`: hands the caller of the agent's call over to the agent they consult (attended
   * transfer); the server hangs up both of the agent's calls. A refusal throws WebError with the server's message.
   */
  async completeConsult(token: string): Promise<void> {
    await fetchJson<unknown>(`${this.base}/api/agent/call/consult/complete`, { method: 'POST', body: {}, token });
  }

  /**
   * `DELETE /api/agent/call/consult`: ends the agent's consult (the server hangs up both sides of it; the caller stays on
   * hold until the agent resumes). A refusal throws WebError with the server's message.
   */
  async cancelConsult(token: string): Promise<void> {
    await fetchJson<unknown>(`${this.base}/api/agent/call/consult`, { method: 'DELETE', token });
  }

  /** `GET /api/agent/outbound`: whether the agent may dial phone numbers (and which), and their call to one that is on. */
  async outbound(token: string): Promise<OutboundSettings> {
    return parseOutboundSettings(await fetchJson<unknown>(`${this.base}/api/agent/outbound`, { token }));
  }

  /** `POST /api/agent/call/hangup`: hangs up the call the agent has on another device (a desk phone), or their call to a number on any. */
  async hangupCall(token: string): Promise<void> {
    await fetchJson<unknown>(`${this.base}/api/agent/call/hangup`, { method: 'POST', body: {}, token });
  }

  /** `POST /api/agent/calls/:callId/disposition`: files a call the agent talked on under one of its queue's dispositions. */
  async setDisposition(token: string, callId: string, disposition: string): Promise<void> {
    await fetchJson<unknown>(`${this.base}/api/agent/calls/${encodeURIComponent(callId)}/disposition`, { method: 'POST', body: { disposition }, token });
  }

  /**
   * `POST /api/agent/calls/:callId/link`: sends the customer of the agent's browser call a link to open. A refusal
   * throws WebError with the server's message; customerConnected: the customer's page was there to be told now.
   */
  async sendLink(token: string, callId: string, url: string, title?: string): Promise<{ customerConnected: boolean }> {
    const res = await fetchJson<{ customerConnected?: unknown }>(`${this.base}/api/agent/calls/${encodeURIComponent(callId)}/link`, {
      method: 'POST',
      body: { url, ...(title ? { title } : {}) },
      token,
    });
    return { customerConnected: res.customerConnected === true };
  }

  /**
   * `PUT /api/agent/calls/:callId/recording`: pauses or resumes the recording of the agent's recorded call (while the caller
   * reads out a card number, say). A refusal throws WebError with the server's message; returns whether it is paused now.
   */
  async setRecordingPaused(token: string, callId: string, paused: boolean): Promise<boolean> {
    const res = await fetchJson<{ paused?: unknown }>(`${this.base}/api/agent/calls/${encodeURIComponent(callId)}/recording`, {
      method: 'PUT',
      body: { paused },
      token,
    });
    return typeof res.paused === 'boolean' ? res.paused : paused;
  }

  /** `GET /api/agent/calls/:callId/history`: the notes on a call offered to (or taken by) the agent, and its customer's earlier calls. */
  async callerHistory(token: string, callId: string): Promise<CallerHistory> {
    return parseCallerHistory(await fetchJson<unknown>(`${this.base}/api/agent/calls/${encodeURIComponent(callId)}/history`, { token }));
  }

  /**
   * `PUT /api/agent/calls/:callId/note`: the agent's note on a call they talked on (saving again replaces it; a blank
   * text deletes it). Returns the text as saved (trimmed; '' when deleted).
   */
  async saveNote(token: string, callId: string, text: string): Promise<string> {
    const res = await fetchJson<{ text?: unknown }>(`${this.base}/api/agent/calls/${encodeURIComponent(callId)}/note`, { method: 'PUT', body: { text }, token });
    return typeof res.text === 'string' ? res.text : text.trim();
  }

  /**
   * `POST /api/agent/calls/:callId/callback`: the call's queue calls the caller back at `at` (ISO; none: as soon as possible),
   * offered to this agent first, on `number` (none: the caller's own). A refusal throws WebError with the server's message.
   */
  async arrangeCallback(token: string, callId: string, req: { at?: string; number?: string }): Promise<ArrangedCallback> {
    const res = await fetchJson<{ number?: unknown; scheduledFor?: unknown }>(`${this.base}/api/agent/calls/${encodeURIComponent(callId)}/callback`, {
      method: 'POST',
      body: { ...(req.at ? { at: req.at } : {}), ...(req.number ? { number: req.number } : {}) },
      token,
    });
    return {
      number: typeof res.number === 'string' ? res.number : (req.number ?? ''),
      scheduledFor: typeof res.scheduledFor === 'string' ? res.scheduledFor : null,
    };
  }

  /**
   * `GET /api/agent/callbacks?state=&limit=&offset=`: the personal callbacks the agent arranged, the next due first (open
   * ones by default: in line, due later, being dialled).
   */
  async myCallbacks(token: string, page: { state?: 'open' | 'done' | 'all'; limit?: number; offset?: number } = {}): Promise<MyCallbackList> {
    const q = new URLSearchParams({ state: page.state ?? 'open' });
    if (page.limit !== undefined) q.set('limit', String(page.limit));
    if (page.offset !== undefined) q.set('offset', String(page.offset));
    return parseMyCallbacks(await fetchJson<unknown>(`${this.base}/api/agent/callbacks?${q}`, { token }));
  }

  /**
   * `DELETE /api/agent/callbacks/:callId`: cancels a personal callback the agent arranged. A refusal (not theirs, no open
   * callback, the customer being dialled right now) throws WebError with the server's message.
   */
  async cancelMyCallback(token: string, callId: string): Promise<void> {
    await fetchJson<unknown>(`${this.base}/api/agent/callbacks/${encodeURIComponent(callId)}`, { method: 'DELETE', token });
  }

  /**
   * `PUT /api/agent/callbacks/:callId` `{ at }`: moves a personal callback the agent arranged to `at` (ISO); it joins
   * the line then. Returns its new time (null: not said). A refusal (a past time, more than 7 days ahead, the queue
   * closed then, not theirs, no open callback, the customer being dialled right now) throws WebError with the server's message.
   */
  async moveMyCallback(token: string, callId: string, at: string): Promise<{ scheduledFor: string | null }> {
    const res = await fetchJson<{ scheduledFor?: unknown }>(`${this.base}/api/agent/callbacks/${encodeURIComponent(callId)}`, { method: 'PUT', body: { at }, token });
    return { scheduledFor: typeof res?.scheduledFor === 'string' ? res.scheduledFor : null };
  }

  /** `GET /api/agent/stats?since=`: the agent's own figures since `since` (the start of their day). */
  async myDay(token: string, since: Date): Promise<MyDay> {
    const q = new URLSearchParams({ since: since.toISOString() });
    return parseMyDay(await fetchJson<unknown>(`${this.base}/api/agent/stats?${q}`, { token }));
  }

  /** `POST /api/agent/softphone`: SIP credentials for this browser's softphone. */
  async softphone(token: string): Promise<SoftphoneCredentials> {
    const res = await fetchJson<unknown>(`${this.base}/api/agent/softphone`, { method: 'POST', body: {}, token });
    return requireStrings(res, ['wsUrl', 'uri', 'authorizationUsername', 'authorizationPassword', 'displayName'] as const, 'POST /api/agent/softphone');
  }
}

/** The login token lives in sessionStorage: it survives a reload, not a closed tab. */
export const tokenStore = sessionTokenStore('callflow.agent.token');
