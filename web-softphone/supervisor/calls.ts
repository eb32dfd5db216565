/**
 * The wall-board's Calls section: the call records of GET /api/calls (newest first, a page at a time, filtered by
 * queue, agent or disposition) and one call's detail from GET /api/calls/:id (its fields, its agents' notes, its
 * queue log as a timeline, its recordings). The text made of records and events is pure (unit tested in Node);
 * the render functions take the document as board.ts's do.
 */
import { canBlockCaller } from './blocked.ts';
import { type Board, callerName, el } from './board.ts';

/** Calls a page of the list shows. */
export const CALLS_PAGE_SIZE = 25;

/** A call record of GET /api/calls. */
export interface CallRecord {
  id: string;
  /** null: not in a queue (an IVR caller who left), or the queue was deleted */
  queueId: number | null;
  /** the last agent who had the call */
  agentId: number | null;
  direction: string;
  channel: string;
  /** a phone's SIP URI, "web" for a browser caller, a number for a callback */
  caller: string;
  customerId: string | null;
  language: string | null;
  /** the caller's page ({url, title}), visited pages, the IVR menus passed ({ivr: [names]}) */
  context: Record<string, unknown>;
  state: string;
  endReason: string | null;
  disposition: string | null;
  createdAt: string;
  queuedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  wrapUpSeconds: number | null;
  /** the caller's rating of the call, 1–5 (null: none; absent from an older server) */
  surveyScore?: number | null;
}

/** A queue log entry of a call. */
export interface CallEvent {
  at: string;
  event: string;
  queueId: number | null;
  agentId: number | null;
  data: Record<string, unknown>;
}

/** A recording of (part of) a call; its audio: GET /api/recordings/:id/audio. */
export interface CallRecording {
  id: number;
  agentId: number | null;
  startedAt: string;
  seconds: number;
}

/** A note an agent wrote on a call (one per agent: the last they saved). */
export interface CallNote {
  agentId: number | null;
  /** the agent's name (null: deleted since) */
  agent: string | null;
  text: string;
  at: string;
}

/** GET /api/calls/:id: the record, its events in order, its recordings and its notes (absent from an older server). */
export interface CallDetail extends CallRecord {
  events: CallEvent[];
  recordings?: CallRecording[];
  notes?: CallNote[];
}

export interface CallsPage {
  items: CallRecord[];
  total: number;
  limit: number;
  offset: number;
}

/** The filters applied to the list (null, or '': all). */
export interface CallsFilter {
  queueId: number | null;
  agentId: number | null;
  disposition: string;
}

/** The URL of a page of the list: `offset` calls skipped, newest first. */
export function callsUrl(filter: CallsFilter, offset: number, limit = CALLS_PAGE_SIZE): string {
  const q = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  if (filter.queueId !== null) q.set('queueId', String(filter.queueId));
  if (filter.agentId !== null) q.set('agentId', String(filter.agentId));
  const disposition = filter.disposition.trim();
  if (disposition) q.set('disposition', disposition);
  return `/api/calls?${q}`;
}

/** "12 calls" when the page holds them all, else which of them it holds: "41–65 of 300". */
export function countText(total: number, offset: number, shown: number): string {
  if (offset === 0 && shown >= total) return total === 1 ? '1 call' : `${total} calls`;
  // (a page past the end: calls deleted since the list was read)
  if (shown === 0) return `none from ${offset + 1} of ${total}`;
  return `${offset + 1}–${offset + shown} of ${total}`;
}

/** Where Newer and Older lead (the offset of that page), or null when there is nothing that way. */
export function pageMoves(total: number, offset: number, limit = CALLS_PAGE_SIZE): { newer: number | null; older: number | null } {
  return {
    newer: offset > 0 ? Math.max(0, Math.min(offset - limit, total - limit)) : null,
    older: offset + limit < total ? offset + limit : null,
  };
}

/** Names of the board's queues and agents by id, for the list and the detail (ids of deleted ones are shown as ids). */
export interface CallNames {
  queue(id: number | null): string;
  agent(id: number | null): string;
}

export function callNames(board: Pick<Board, 'queues' | 'agents'> | null): CallNames {
  const queues = new Map((board?.queues ?? []).map((q) => [q.id, q.name]));
  const agents = new Map((board?.agents ?? []).map((a) => [a.id, a.name]));
  return {
    queue: (id) => (id === null ? '–' : (queues.get(id) ?? `queue ${id}`)),
    agent: (id) => (id === null ? '–' : (agents.get(id) ?? `agent ${id}`)),
  };
}

/** A key that changes when the board's queues or agents (their ids or names) do: the filters and names are redrawn then. */
export function namesKey(board: Pick<Board, 'queues' | 'agents'>): string {
  return JSON.stringify([board.queues.map((q) => [q.id, q.name]), board.agents.map((a) => [a.id, a.name])]);
}

/** Who called: "browser" for a browser caller, a phone's number (a SIP URI's user part), a callback's number. */
export function callerText(call: Pick<CallRecord, 'caller' | 'channel'>): string {
  return call.channel === 'webrtc' || call.channel === 'web' ? 'browser' : callerName(call.caller);
}

const END_REASON: Record<string, string> = {
  'caller-hangup': 'caller hung up',
  'agent-hangup': 'agent hung up',
  abandon: 'abandoned',
  voicemail: 'voicemail',
  'voicemail-full': 'voicemail full',
  'overflow-hangup': 'overflow: hung up',
  'overflow-callback': 'overflow: no callback possible',
  'overflow-voicemail-failed': 'overflow: voicemail failed',
  'callback-failed': 'callback failed',
  'callback-cancelled': 'callback cancelled',
  'ivr-caller-left': 'left the IVR',
  'ivr-option': 'IVR hung up',
  'ivr-closed': 'IVR closed',
  'ivr-no-choice': 'IVR: no choice',
  'ivr-menu-missing': 'IVR: menu missing',
  'ivr-menu-loop': 'IVR: menu loop',
  'ivr-queue-missing': 'IVR: queue missing',
  'ivr-queue-closed': 'IVR: queue closed',
  'media-lost': 'audio lost',
  'media-timeout': 'no audio',
  'media-failed': 'audio failed',
  'no-sdp': 'no audio offered',
  shutdown: 'server shut down',
};

/** A call that has not ended yet: where it is now. */
const STATE: Record<string, string> = {
  ivr: 'in the IVR',
  queued: 'waiting',
  ringing: 'ringing',
  connected: 'talking',
  'wrap-up': 'in wrap-up',
  callback: 'callback pending',
};

/** How the call ended, readable ('caller hung up', 'abandoned'…; a reason this page does not know as it is), or where it is now. */
export function outcomeText(call: Pick<CallRecord, 'state' | 'endReason'>): string {
  if (call.endReason !== null) return END_REASON[call.endReason] ?? call.endReason;
  return STATE[call.state] ?? call.state;
}

/** The caller's rating as "4/5", or '' when the call has none. */
export function ratingText(call: Pick<CallRecord, 'surveyScore'>): string {
  return typeof call.surveyScore === 'number' ? `${call.surveyScore}/5` : '';
}

/** Whole seconds, or '–' when there are none (not answered, not ended yet). */
export function secondsText(v: number | null): string {
  return v === null ? '–' : String(Math.round(v));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as HH:MM:SS in the browser's time zone (the timeline: the day is in the list). */
export function timeOfDay(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** " after N s" of a number of seconds in the data, or nothing when it is missing */
function after(v: unknown, what = 'after'): string {
  const n = num(v);
  return n === null ? '' : ` ${what} ${Math.round(n)} s`;
}

/** How an agent's call ended other than by a plain BYE (COMPLETECALLER/COMPLETEAGENT's data.how). */
const HOW: Record<string, string> = { desktop: 'from the agent page', 'media-lost': 'audio lost', 'media-timeout': 'no audio' };

/** A device's answer to an offer or a callback ("486 Busy Here"), or '' when the data has none. */
function statusText(d: Record<string, unknown>): string {
  return [num(d.status), str(d.reason)].filter((v) => v !== null).join(' ');
}

/** The data of an event this page does not know, as "key: value" of its plain values. */
function plainData(data: Record<string, unknown>): string {
  const parts = Object.entries(data)
    .filter(([, v]) => v !== null && ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k}: ${String(v)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** A queue log event as a supervisor reads it ("offered to Anna", "answered by Anna after 4 s"…); unknown events by name. */
export function eventText(e: CallEvent, names: CallNames): string {
  const d = e.data ?? {};
  const agent = names.agent(e.agentId);
  const howKey = str(d.how);
  const how = howKey === null || howKey === 'bye' ? '' : ` (${HOW[howKey] ?? howKey})`;
  switch (e.event) {
    case 'ENTERQUEUE': {
      const from = num(d.transferredFrom);
      if (from !== null) return `transferred into the queue ${names.queue(e.queueId)} from ${names.queue(from)}`;
      return `entered the queue ${names.queue(e.queueId)}${d.channel === 'callback' ? ' (callback)' : ''}`;
    }
    case 'OFFER':
      return `offered to ${agent}`;
    case 'RINGNOANSWER': {
      const why = d.reason === 'timeout' ? 'rang out' : statusText(d);
      return `${agent} did not answer${why ? ` (${why})` : ''}`;
    }
    case 'CONNECT':
      return `answered by ${agent}${after(d.waited)}`;
    case 'HOLD':
      return `put on hold by ${agent}`;
    case 'UNHOLD':
      return `taken off hold by ${agent}`;
    case 'RECORDPAUSE':
      return `recording paused by ${agent}`;
    case 'RECORDRESUME':
      return d.by === 'transfer' ? 'recording resumed (transferred)' : `recording resumed by ${agent}`;
    case 'TRANSFER':
      return `transferred by ${agent} to ${str(d.to) ?? '?'}${after(d.talk)}`;
    case 'COMPLETECALLER':
      return `caller hung up on ${agent}${after(d.talk)}${how}`;
    case 'COMPLETEAGENT':
      return `${agent} hung up${after(d.talk)}${how}`;
    case 'ABANDON':
      return `caller hung up while waiting${after(d.waited)}${num(d.position) === null ? '' : ` (position ${num(d.position)})`}`;
    case 'EXITWITHTIMEOUT':
      return `waited too long: ${str(d.action) ?? 'left the queue'}`;
    case 'OVERFLOW':
      return `overflowed to ${names.queue(Number.isInteger(Number(d.to)) ? Number(d.to) : null)}`;
    case 'CALLBACKREQUESTED':
      return str(d.scheduledFor) !== null
        ? `callback arranged for ${new Date(d.scheduledFor as string).toLocaleString()}`
        : `asked to be called back${after(d.waited)}`;
    case 'CALLBACKATTEMPT': {
      const n = num(d.attempt);
      const why = statusText(d);
      return `callback${n === null ? '' : ` ${n}`} by ${agent}: ${d.answered === true ? 'answered' : `not answered${why ? ` (${why})` : ''}`}`;
    }
    case 'CALLBACKFAILED':
      return `callback given up${num(d.attempts) === null ? '' : ` after ${num(d.attempts)} attempts`}`;
    case 'CALLBACKCANCELLED':
      return `callback cancelled${str(d.by) === null ? '' : ` by ${str(d.by)}`}`;
    case 'CALLBACKRESCHEDULED': {
      // (moved to another time, handed to another agent, or both)
      const changes = [
        ...(str(d.scheduledFor) === null ? [] : [`moved to ${new Date(d.scheduledFor as string).toLocaleString()}`]),
        ...(!('agentId' in d) ? [] : [d.agentId === null ? 'for anyone' : `handed to ${names.agent(num(d.agentId))}`]),
      ];
      return `callback ${changes.length === 0 ? 'changed' : changes.join(', ')}${str(d.by) === null ? '' : ` by ${str(d.by)}`}`;
    }
    case 'VOICEMAIL':
      return `left a voicemail${after(d.seconds, 'of')}`;
    case 'LISTEN':
      return `${str(d.login) ?? 'a supervisor'} listened in`;
    case 'COACH':
      return `${str(d.login) ?? 'a supervisor'} coached ${agent}`;
    case 'BARGE':
      return `${str(d.login) ?? 'a supervisor'} joined the call`;
    case 'DISPOSITION':
      return `${agent} filed it as ${str(d.disposition) ?? '?'}`;
    case 'LINK':
      return `${agent} sent a link: ${str(d.title) ?? str(d.url) ?? '?'}${d.customerConnected === false ? ' (the customer was gone)' : ''}`;
    case 'SURVEY': {
      // (agentId: the agent rated, who had the call last)
      const score = num(d.score);
      return `the caller rated the call${e.agentId === null ? '' : ` with ${agent}`} ${score === null ? '?' : score} of 5`;
    }
    case 'WRAPUPEND':
      return `${agent} finished wrap-up${after(d.wrapUp)}`;
    default:
      return `${e.event}${plainData(d)}`;
  }
}

/** A note on a call as "Anna Tamm: text" (an agent without a name named from the board, or by id). */
export function noteText(n: CallNote, names: CallNames): string {
  return `${n.agent || names.agent(n.agentId)}: ${n.text}`;
}

/** When a note was written: HH:MM:SS on the call's day (the list shows the day), else the day and time. */
export function noteTime(at: string, callCreatedAt: string): string {
  const d = new Date(at);
  return d.toDateString() === new Date(callCreatedAt).toDateString() ? timeOfDay(at) : d.toLocaleString();
}

/** The caller's page from the call's context ("title — url"), or null when it has none. */
export function pageOf(context: Record<string, unknown>): { url: string; title: string } | null {
  const page = context.page;
  if (typeof page !== 'object' || page === null) return null;
  const { url, title } = page as Record<string, unknown>;
  if (typeof url !== 'string' || url === '') return null;
  return { url, title: typeof title === 'string' ? title : '' };
}

/** The IVR menus the caller passed, in order ("main › billing"), or null when none. */
export function ivrPathText(context: Record<string, unknown>): string | null {
  const ivr = context.ivr;
  if (!Array.isArray(ivr) || ivr.length === 0) return null;
  return ivr.map(String).join(' › ');
}

/** Opening a call's detail from its row. */
export type OpenCall = (callId: string) => void;

/**
 * The list: a row per call of the page (clicking it, or its Details, opens the call), the count and the paging
 * buttons. `selected`: the call open in the detail (its row marked).
 */
export function renderCalls(doc: Document, page: CallsPage, names: CallNames, open: OpenCall, selected: string | null): void {
  doc.getElementById('calls-count')!.textContent = `(${countText(page.total, page.offset, page.items.length)})`;
  const moves = pageMoves(page.total, page.offset, page.limit);
  doc.getElementById('calls-newer')!.toggleAttribute('disabled', moves.newer === null);
  doc.getElementById('calls-older')!.toggleAttribute('disabled', moves.older === null);
  const body = doc.getElementById('calls')!;
  if (page.items.length === 0) {
    const tr = el(doc, 'tr', { 'data-testid': 'wb-calls-none' });
    tr.append(el(doc, 'td', { colspan: '10', class: 'muted' }, 'No calls.'));
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...page.items.map((c) => {
      const row = el(doc, 'tr', { class: 'call-row', 'data-testid': `wb-calls-row-${c.id}`, 'aria-selected': String(c.id === selected) });
      row.append(
        el(doc, 'td', { 'data-testid': 'wb-calls-when' }, new Date(c.createdAt).toLocaleString()),
        el(doc, 'td', { 'data-testid': 'wb-calls-queue' }, names.queue(c.queueId)),
        el(doc, 'td', { 'data-testid': 'wb-calls-caller', title: c.caller }, callerText(c)),
        el(doc, 'td', { 'data-testid': 'wb-calls-agent' }, names.agent(c.agentId)),
        el(doc, 'td', { 'data-testid': 'wb-calls-wait' }, secondsText(c.waitSeconds)),
        el(doc, 'td', { 'data-testid': 'wb-calls-talk' }, secondsText(c.talkSeconds)),
        el(doc, 'td', { 'data-testid': 'wb-calls-disposition' }, c.disposition ?? ''),
        el(doc, 'td', { 'data-testid': 'wb-calls-outcome', title: c.endReason ?? c.state }, outcomeText(c)),
        el(doc, 'td', { 'data-testid': 'wb-calls-rating' }, ratingText(c)),
      );
      // the row opens the call on a click; the button is there for the keyboard (a row takes no focus)
      const details = el(doc, 'button', { type: 'button', 'data-testid': 'wb-calls-details' }, 'Details');
      const actions = el(doc, 'td', { class: 'actions' });
      actions.append(details);
      row.append(actions);
      row.addEventListener('click', () => open(c.id));
      return row;
    }),
  );
}

/** The queue and agent filters' choices (the board's queues and agents); the chosen ones stay chosen. */
export function renderCallFilters(doc: Document, board: Pick<Board, 'queues' | 'agents'>): void {
  const fill = (id: string, all: string, options: Array<{ id: number; name: string }>) => {
    const select = doc.getElementById(id) as HTMLSelectElement;
    const chosen = select.value;
    select.replaceChildren(
      el(doc, 'option', { value: '' }, all),
      ...[...options].sort((a, b) => a.name.localeCompare(b.name)).map((o) => el(doc, 'option', { value: String(o.id) }, o.name)),
    );
    // (a queue or agent deleted since it was chosen: back to all)
    select.value = options.some((o) => String(o.id) === chosen) ? chosen : '';
  };
  fill('calls-queue-filter', 'All queues', board.queues);
  fill('calls-agent-filter', 'All agents', board.agents);
}

/** What a recording's Play does: `label` says what the player plays. */
export type PlayRecording = (r: CallRecording, label: string) => void;

/**
 * One call: its fields, its agents' notes, its timeline (an item per queue event), and its recordings with Play; Block
 * caller only for a caller there is something to block by.
 */
export function renderCallDetail(doc: Document, call: CallDetail, names: CallNames, play: PlayRecording): void {
  doc.getElementById('call-detail-title')!.textContent = `Call from ${callerText(call)}, ${new Date(call.createdAt).toLocaleString()}`;
  const page = pageOf(call.context);
  const ivr = ivrPathText(call.context);
  const facts: Array<[string, string | Node]> = [
    ['Id', call.id],
    ['Direction', call.direction],
    ['Channel', call.channel],
    ['Caller', call.caller],
    ['Language', call.language ?? '–'],
    ['Customer id', call.customerId ?? '–'],
    ['Wrap-up', call.wrapUpSeconds === null ? '–' : `${secondsText(call.wrapUpSeconds)} s`],
  ];
  if (page !== null) {
    // (the page is what the caller's browser said: a link only when it is a web address)
    const dd = /^https?:\/\//i.test(page.url) ? el(doc, 'a', { href: page.url, target: '_blank', rel: 'noopener noreferrer' }, page.url) : el(doc, 'span', {}, page.url);
    const span = el(doc, 'span', {}, page.title ? `${page.title} — ` : '');
    span.append(dd);
    facts.push(['Page', span]);
  }
  if (ivr !== null) facts.push(['IVR', ivr]);
  if (ratingText(call)) facts.push(['Rating', ratingText(call)]);
  // (Block caller: only when the caller is known by a number or a customer id, as the server blocks them)
  doc.getElementById('call-block')!.hidden = !canBlockCaller(call);
  doc.getElementById('call-facts')!.replaceChildren(
    ...facts.map(([label, value]) => {
      const div = el(doc, 'div');
      const dd = el(doc, 'dd', { 'data-testid': `wb-call-${label.toLowerCase().replace(/ /g, '-')}` });
      dd.append(value);
      div.append(el(doc, 'dt', {}, label), dd);
      return div;
    }),
  );
  const notes = call.notes ?? [];
  doc.getElementById('call-notes')!.hidden = notes.length === 0;
  doc.getElementById('call-note-list')!.replaceChildren(
    ...notes.map((n) => {
      const li = el(doc, 'li', { 'data-testid': 'wb-call-note' });
      li.append(el(doc, 'time', { datetime: n.at, title: new Date(n.at).toLocaleString() }, noteTime(n.at, call.createdAt)), ' ', noteText(n, names));
      return li;
    }),
  );
  doc.getElementById('call-events')!.replaceChildren(
    ...call.events.map((e) => {
      const li = el(doc, 'li', { 'data-testid': 'wb-call-event', 'data-event': e.event });
      li.append(el(doc, 'time', { datetime: e.at, title: new Date(e.at).toLocaleString() }, timeOfDay(e.at)), ' ', eventText(e, names));
      return li;
    }),
  );
  const recordings = call.recordings ?? [];
  const box = doc.getElementById('call-recordings')!;
  box.hidden = recordings.length === 0;
  doc.getElementById('call-recording-list')!.replaceChildren(
    ...recordings.map((r) => {
      const what = `${names.agent(r.agentId)} · ${timeOfDay(r.startedAt)} · ${secondsText(r.seconds)} s`;
      const li = el(doc, 'li', { 'data-testid': 'wb-call-recording' }, `${what} `);
      const b = el(doc, 'button', { type: 'button', 'data-testid': 'wb-call-recording-play' }, 'Play');
      b.addEventListener('click', () => play(r, `call ${call.id} · ${what}`));
      li.append(b);
      return li;
    }),
  );
}
