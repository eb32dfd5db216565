/** The agent events WebSocket protocol (`/ws/agent?token=...`). */
import { parseJsonObject } from '../shared/json.ts';

export type AgentState = 'logged-out' | 'not-ready' | 'ready' | 'reserved' | 'busy' | 'wrap-up';
export const AGENT_STATES: readonly AgentState[] = ['logged-out', 'not-ready', 'ready', 'reserved', 'busy', 'wrap-up'];

export type AgentDevice = 'desk-phone' | 'softphone';

export interface VisitedPage {
  url: string;
  title: string;
  at: string;
}

export interface OfferContext {
  queue: string;
  language: string;
  page: { url: string; title: string; category?: string };
  history: VisitedPage[];
  customerId?: string;
  /** who calls: a SIP From URI, 'web' for the browser widget, or for a callback the number we call */
  caller: string;
  /** a call back to the customer, not a call from them */
  callback: boolean;
  /** a personal callback: the name of the agent who arranged it (on a call with the customer) */
  arrangedBy?: string;
  /** the IVR menus a phone caller passed, in order */
  ivr: string[];
  waitedSeconds: number;
  /** the queue's dispositions (wrap-up codes) to file the call under; empty: none asked */
  dispositions: string[];
  /** a consult call: another agent (from: their name) calls about their call with this customer (callId), whose details these are */
  consult?: ConsultFrom;
}

export interface ConsultFrom {
  from: string;
  callId: string;
}

/** How the agent's consult about their call goes: the other agent is rung (the agent hears music), talks with them, or it is over. */
export type ConsultProgress = 'ringing' | 'talking' | 'ended';
export const CONSULT_PROGRESS: readonly ConsultProgress[] = ['ringing', 'talking', 'ended'];

/** How the agent's call to a phone number goes (dialled from this page or another of their devices). */
export type OutboundProgress = 'dialing' | 'ringing' | 'talking' | 'ended';
export const OUTBOUND_PROGRESS: readonly OutboundProgress[] = ['dialing', 'ringing', 'talking', 'ended'];

export interface UnfiledCall {
  callId: string;
  queue: string;
  dispositions: string[];
}

export type ServerMessage =
  /** unfiledCall: the last call, while its queue requires a disposition not filed yet (to offer the form again) */
  | { type: 'state'; state: AgentState; reason?: string; wrapUpEndsAt?: number | string; unfiledCall?: UnfiledCall }
  | { type: 'offer'; callId: string; context: OfferContext }
  | { type: 'offer-cancelled'; callId: string }
  /**
   * The call was answered; device: the kind of the agent's device that took it. recorded: its queue records calls, so the
   * agent may pause the recording (false from an older server that does not say). replaces: the agent's consult call
   * that became this call (the consulting agent handed the caller over): the device keeps its call, the caller's now.
   */
  | { type: 'connected'; callId: string; context: OfferContext; device: AgentDevice; recorded: boolean; replaces?: string }
  /** the agent's consult (consultId) about their call (callId) with `target` (an agent's or a queue's name) */
  | { type: 'consult'; callId: string; consultId: string; state: ConsultProgress; target: string; reason?: string }
  /** the recording of the agent's call was paused (what is said meanwhile is not kept) or goes on again */
  | { type: 'recording'; callId: string; paused: boolean }
  /** the agent's call to a phone number (callId: the server's); reason, when ended: who hung up, or the SIP status that refused it */
  | { type: 'outbound'; callId: string; number: string; state: OutboundProgress; reason?: string }
  | { type: 'call-ended'; callId: string }
  | { type: 'error'; message: string }
  | { type: 'queues'; queues: QueueWaiting[] }
  /** a supervisor (coach: their login) talks to the agent, unheard by the caller: a receive-only offer to answer */
  | { type: 'coach'; callId: string; coachId: string; sdp: string; coach: string }
  | { type: 'coach-ended'; callId: string; coachId: string }
  /** the coach joins the call (barge: the caller hears them too, through this page's softphone) or whispers again */
  | { type: 'coach-barge'; callId: string; coachId: string; barge: boolean };

/** A queue the agent serves, with the calls waiting in it and since when the longest one has waited. */
export interface QueueWaiting {
  queue: string;
  waiting: number;
  longestSince: string | null;
}

export type ClientMessage =
  | { type: 'ready' }
  | { type: 'not-ready'; reason: string }
  | { type: 'wrap-up-done' }
  | { type: 'logout' };

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string' && d !== '') : []);

function parseUnfiled(v: unknown): UnfiledCall | undefined {
  const u = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const dispositions = strings(u.dispositions);
  if (typeof u.callId !== 'string' || !u.callId || dispositions.length === 0) return undefined;
  return { callId: u.callId, queue: str(u.queue), dispositions };
}

function parseContext(v: unknown): OfferContext {
  const c = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const page = (c.page && typeof c.page === 'object' ? c.page : {}) as Record<string, unknown>;
  const history = Array.isArray(c.history) ? c.history : [];
  const ctx: OfferContext = {
    queue: str(c.queue),
    language: str(c.language),
    page: { url: str(page.url), title: str(page.title), ...(typeof page.category === 'string' ? { category: page.category } : {}) },
    history: history
      .filter((p): p is Record<string, unknown> => !!p && typeof p === 'object')
      .map((p) => ({ url: str(p.url), title: str(p.title), at: typeof p.at === 'number' ? new Date(p.at).toISOString() : str(p.at) })),
    caller: str(c.caller),
    callback: c.callback === true,
    ivr: strings(c.ivr),
    waitedSeconds: typeof c.waitedSeconds === 'number' && Number.isFinite(c.waitedSeconds) ? c.waitedSeconds : 0,
    dispositions: strings(c.dispositions),
  };
  if (typeof c.customerId === 'string' && c.customerId) ctx.customerId = c.customerId;
  if (ctx.callback && typeof c.arrangedBy === 'string' && c.arrangedBy) ctx.arrangedBy = c.arrangedBy;
  const consult = (c.consult && typeof c.consult === 'object' ? c.consult : undefined) as Record<string, unknown> | undefined;
  if (consult !== undefined && typeof consult.callId === 'string' && consult.callId) ctx.consult = { from: str(consult.from), callId: consult.callId };
  return ctx;
}

/** Who the call is with, as the offer says: the phone's URI, the browser widget, or a callback (and who arranged it). */
export function callerText(ctx: Pick<OfferContext, 'caller' | 'callback' | 'arrangedBy'>): string {
  if (ctx.callback) return `Callback to ${ctx.caller}${ctx.arrangedBy ? `, arranged by ${ctx.arrangedBy}` : ''}`;
  return ctx.caller === 'web' ? 'Web (browser widget)' : ctx.caller;
}

/** One server message checked against the protocol; undefined for anything unknown. */
export function parseServerMessage(data: unknown): ServerMessage | undefined {
  const m = parseJsonObject(data);
  if (m === undefined) return undefined;
  switch (m.type) {
    case 'state': {
      if (!AGENT_STATES.includes(m.state as AgentState)) return undefined;
      const out: ServerMessage = { type: 'state', state: m.state as AgentState };
      if (typeof m.reason === 'string' && m.reason) out.reason = m.reason;
      if (typeof m.wrapUpEndsAt === 'number' || typeof m.wrapUpEndsAt === 'string') out.wrapUpEndsAt = m.wrapUpEndsAt;
      const unfiled = parseUnfiled(m.unfiledCall);
      if (unfiled) out.unfiledCall = unfiled;
      return out;
    }
    case 'offer':
      if (typeof m.callId !== 'string') return undefined;
      return { type: 'offer', callId: m.callId, context: parseContext(m.context) };
    case 'connected': {
      if (typeof m.callId !== 'string') return undefined;
      const out: ServerMessage = {
        type: 'connected',
        callId: m.callId,
        context: parseContext(m.context),
        device: m.device === 'softphone' ? 'softphone' : 'desk-phone',
        recorded: m.recorded === true,
      };
      if (typeof m.replaces === 'string' && m.replaces) out.replaces = m.replaces;
      return out;
    }
    case 'consult': {
      if (typeof m.callId !== 'string' || typeof m.consultId !== 'string' || !CONSULT_PROGRESS.includes(m.state as ConsultProgress)) return undefined;
      const out: ServerMessage = { type: 'consult', callId: m.callId, consultId: m.consultId, state: m.state as ConsultProgress, target: str(m.target) };
      if (typeof m.reason === 'string' && m.reason) out.reason = m.reason;
      return out;
    }
    case 'outbound': {
      if (typeof m.callId !== 'string' || !m.callId || typeof m.number !== 'string' || !OUTBOUND_PROGRESS.includes(m.state as OutboundProgress)) return undefined;
      const out: ServerMessage = { type: 'outbound', callId: m.callId, number: m.number, state: m.state as OutboundProgress };
      if (typeof m.reason === 'string' && m.reason) out.reason = m.reason;
      return out;
    }
    case 'recording':
      if (typeof m.callId !== 'string' || typeof m.paused !== 'boolean') return undefined;
      return { type: 'recording', callId: m.callId, paused: m.paused };
    case 'offer-cancelled':
    case 'call-ended':
      if (typeof m.callId !== 'string') return undefined;
      return { type: m.type, callId: m.callId };
    case 'error':
      return { type: 'error', message: str(m.message) || 'The server reported an error.' };
    case 'coach':
      if (typeof m.callId !== 'string' || typeof m.coachId !== 'string' || typeof m.sdp !== 'string') return undefined;
      return { type: 'coach', callId: m.callId, coachId: m.coachId, sdp: m.sdp, coach: str(m.coach) };
    case 'coach-ended':
      if (typeof m.callId !== 'string' || typeof m.coachId !== 'string') return undefined;
      return { type: 'coach-ended', callId: m.callId, coachId: m.coachId };
    case 'coach-barge':
      if (typeof m.callId !== 'string' || typeof m.coachId !== 'string' || typeof m.barge !== 'boolean') return undefined;
      return { type: 'coach-barge', callId: m.callId, coachId: m.coachId, barge: m.barge };
    case 'queues':
      if (!Array.isArray(m.queues)) return undefined;
      return {
        type: 'queues',
        queues: m.queues
          .filter((q): q is Record<string, unknown> => !!q && typeof q === 'object' && typeof q.queue === 'string')
          .map((q) => ({
            queue: str(q.queue),
            waiting: typeof q.waiting === 'number' && q.waiting >= 0 ? q.waiting : 0,
            longestSince: typeof q.longestSince === 'string' ? q.longestSince : null,
          })),
      };
    default:
      return undefined;
  }
}
