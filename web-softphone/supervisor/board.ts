/**
 * The wall-board's data (the messages of /ws/supervisor, as GET /api/wallboard) and its rendering. Times that
 * move by themselves (longest wait, time in state) are drawn from the last view plus the time since it came.
 */
import { clock, toEpochMs } from '../shared/format.ts';
import { localInputToIso, localInputValue, moveDefault } from '../shared/local-time.ts';

export type AgentStateName = 'logged-out' | 'not-ready' | 'ready' | 'reserved' | 'busy' | 'wrap-up';
type Counts = Record<AgentStateName, number>;

/** Callers' ratings of the calls (1–5, after the agent hung up, in queues that ask); absent from an older server. */
export interface SurveyFigures {
  /** ratings given */
  surveys?: number;
  /** their mean, one decimal (null: none) */
  surveyAverage?: number | null;
  /** the share of ratings of 4 or 5, % (null: none) */
  csatPercent?: number | null;
}

interface Traffic extends SurveyFigures {
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  missedOffers: number;
  /** callers who asked to be called back, and callbacks given up (an older server: absent) */
  callbacksRequested?: number;
  /** messages callers left (absent from an older server) */
  voicemailsLeft?: number;
  callbacksFailed?: number;
  serviceLevelPercent: number | null;
  serviceLevelOfferedPercent: number | null;
  asaSeconds: number | null;
  abandonPercent: number | null;
}

export interface BoardQueue extends Traffic {
  id: number;
  name: string;
  thresholdSeconds: number;
  target: number;
  open: boolean;
  /** closed by a supervisor until then (ISO; the queue is not open); null: not (absent from an older server) */
  closedUntil?: string | null;
  waiting: number;
  longestWaitSeconds: number | null;
  agents: Counts;
  /** callbacks in line now (counted in waiting) or being dialled, and due later */
  callbacks: { inLine: number; later: number };
  /** voicemails left in this queue that nobody has dealt with yet (an older server: absent) */
  voicemails?: number;
}

export interface BoardAgent {
  id: number;
  name: string;
  state: AgentStateName;
  /** the not-ready reason's code ('' in other states), and what people read for it (absent from an older server) */
  reason: string;
  reasonLabel?: string;
  /** not ready for longer than the reason's limit (the admin's maxMinutes); absent from an older server */
  overLimit?: boolean;
  since: string | null;
  /** the call the agent is on (absent from an older server) */
  callId?: string | null;
  callQueueId: number | null;
  /** supervisors listening to the call, and the one coaching the agent (absent from an older server) */
  listeners?: string[];
  coach?: string | null;
  /** the coach joined the call (barge-in) */
  barge?: boolean;
  /** the agent paused the call's recording (absent from an older server) */
  recordingPaused?: boolean;
  /** a consult the agent is in (absent from an older server) */
  consult?: { role: 'consulting' | 'consulted'; with: string } | null;
  /** a phone number the agent dialled and is calling now (absent from an older server) */
  outbound?: { number: string; answered: boolean } | null;
}

export interface Board {
  type: 'wallboard';
  at: string;
  since: string;
  totals: Traffic & { waiting: number; longestWaitSeconds: number | null; agents: Counts };
  queues: BoardQueue[];
  /** callers in IVR menus now (no queue yet); absent from an older server */
  ivr?: { calls: number; longestSeconds: number | null; menus: Array<{ name: string; calls: number; longestSeconds: number }> };
  agents: BoardAgent[];
}

/** A /ws/supervisor message: the board, or an error the server sends before it closes. */
export function parseBoardMessage(data: unknown): Board | { type: 'error'; message: string } | null {
  let m: unknown;
  try {
    m = JSON.parse(String(data));
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.type === 'error' && typeof o.message === 'string') return { type: 'error', message: o.message };
  if (o.type !== 'wallboard' || !Array.isArray(o.queues) || !Array.isArray(o.agents) || typeof o.totals !== 'object') return null;
  return m as Board;
}

const STATE_LABEL: Record<AgentStateName, string> = {
  'logged-out': 'logged out',
  'not-ready': 'not ready',
  ready: 'ready',
  reserved: 'ringing',
  busy: 'talking',
  'wrap-up': 'wrap-up',
};

const pct = (v: number | null): string => (v === null ? '–' : `${v}%`);
/** a mean score as "4.6" (one decimal), or '–' */
const average = (v: number | null | undefined): string => (typeof v === 'number' ? v.toFixed(1) : '–');
/** a percentage with at most one decimal ("92%", "91.7%"), or '–' */
const share = (v: number | null | undefined): string => pct(typeof v === 'number' ? Math.round(v * 10) / 10 : null);

/** "rated 4.6 / 5 by 12 callers · CSAT 92%", or '' when nobody rated a call (or the server does not count ratings). */
export function surveyText(f: SurveyFigures): string {
  const n = f.surveys ?? 0;
  if (n <= 0) return '';
  const csat = typeof f.csatPercent === 'number' ? ` · CSAT ${share(f.csatPercent)}` : '';
  return `rated ${average(f.surveyAverage)} / 5 by ${n} ${n === 1 ? 'caller' : 'callers'}${csat}`;
}

/** A history row's Rated, Avg and CSAT cells: ["12", "4.6", "92%"] (absent from an older server: "0", "–", "–"). */
export function surveyCells(f: SurveyFigures): [string, string, string] {
  return [String(f.surveys ?? 0), average(f.surveyAverage), share(f.csatPercent)];
}

/** Seconds waited by now: the view's figure plus the time since the view was made. */
function since(base: number | null, board: Board, now: number): string {
  return base === null ? '–' : clock(base + Math.max(0, (now - toEpochMs(board.at)) / 1000));
}

/** An element with these attributes and text (the board's sections and the Calls section are built with it). */
export function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, string> = {}, text = ''): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function figure(doc: Document, label: string, value: string, testId: string, attrs: Record<string, string> = {}): HTMLElement {
  const f = el(doc, 'div', { class: 'figure' });
  f.append(el(doc, 'span', { class: 'label' }, label), el(doc, 'span', { class: 'value', 'data-testid': testId, ...attrs }, value));
  return f;
}

function agentsLine(c: Counts): string {
  return (['ready', 'reserved', 'busy', 'wrap-up', 'not-ready'] as const)
    .filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${STATE_LABEL[s]}`)
    .join(' · ') || 'no agent logged in';
}

function ivrLine(ivr: Board['ivr']): string {
  if (ivr === undefined || ivr.calls === 0) return '0';
  return `${ivr.calls} (${ivr.menus.map((m) => `${m.name} ${m.calls}`).join(', ')})`;
}

/** What the board says beside a not-ready agent: the reason's label (an older server's: its code), '' for none. */
export function agentReasonText(a: Pick<BoardAgent, 'reason' | 'reasonLabel'>): string {
  return a.reasonLabel || a.reason || '';
}

/** What a supervisor may do to an agent from the board. */
export type AgentAction = (agentId: number, state: 'not-ready' | 'logged-out') => void;

/** Listen (silent monitoring) on the row of an agent who talks with a caller. */
export interface ListenAction {
  /** the call listened to now, if any */
  callId: string | null;
  toggle(agent: BoardAgent & { callId: string }): void;
}

/** What a supervisor may do to a queue from the board: close it at once until `until` (ISO), or open it again (null). */
export type QueueAction = (queueId: number, until: string | null) => void;

/** The board's Close now choices: minutes, and what people read. */
export const CLOSE_FOR = [[15, '15 min'], [30, '30 min'], [60, '1 h'], [120, '2 h'], [240, '4 h']] as const;

/** "closed until 14:30" (local time), with the day when it is not today ("closed until 12/9/2026 08:00"). */
export function closedUntilText(until: string, now: number): string {
  const at = new Date(until);
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `closed until ${at.toDateString() === new Date(now).toDateString() ? time : `${at.toLocaleDateString()} ${time}`}`;
}

/** A queue's closing controls: closed by a supervisor, until when and Open now; else a duration and Close (confirmed). */
function queueClosing(doc: Document, q: BoardQueue, closedText: string, closeQueue: QueueAction): HTMLElement {
  const box = el(doc, 'div', { class: 'row queue-closing', 'data-key': JSON.stringify([q.name, closedText]) });
  if (closedText) {
    const b = el(doc, 'button', { type: 'button', 'data-testid': 'wb-queue-open' }, 'Open now');
    b.addEventListener('click', () => closeQueue(q.id, null));
    box.append(el(doc, 'span', { class: 'muted', 'data-testid': 'wb-queue-closed-until' }, closedText), b);
    return box;
  }
  const select = el(doc, 'select', { 'data-testid': 'wb-queue-close-for', 'aria-label': `Close ${q.name} for` });
  for (const [minutes, label] of CLOSE_FOR) select.append(el(doc, 'option', { value: String(minutes) }, label));
  const b = el(doc, 'button', { type: 'button', 'data-testid': 'wb-queue-close' }, 'Close');
  b.addEventListener('click', () => {
    const minutes = Number(select.value);
    if (!doc.defaultView?.confirm(`Close ${q.name} now for ${select.selectedOptions[0]?.textContent ?? `${minutes} min`}? It takes no new calls until then.`)) return;
    closeQueue(q.id, new Date(Date.now() + minutes * 60_000).toISOString());
  });
  box.append(el(doc, 'span', { class: 'muted' }, 'Close now for'), select, b);
  return box;
}

/**
 * Draws the whole board into the page's sections (`now`: the browser's clock, for the times that tick); each agent's
 * row has Not ready and Log out buttons that call `act`, and a talking agent's row Listen (or Stop listening); each
 * queue's card Close now (or Open now) that call `closeQueue`. A queue's card, and its closing controls while the
 * queue's closing stays the same, are kept from one drawing to the next (a chosen duration, an open list survive).
 */
export function renderBoard(doc: Document, board: Board, now: number, act?: AgentAction, listen?: ListenAction, closeQueue?: QueueAction): void {
  const t = board.totals;
  doc.getElementById('period')!.textContent = `Since ${new Date(board.since).toLocaleString()} · service level = answered within the queue's threshold ÷ answered`;
  const totals = doc.querySelector<HTMLElement>('[data-testid="wb-totals"]')!;
  totals.replaceChildren(
    figure(doc, 'Waiting', String(t.waiting), 'wb-total-waiting'),
    figure(doc, 'Longest wait', since(t.longestWaitSeconds, board, now), 'wb-total-longest'),
    figure(doc, 'Service level', pct(t.serviceLevelPercent), 'wb-total-sl'),
    figure(doc, 'Answered', String(t.answered), 'wb-total-answered'),
    figure(doc, 'Abandoned', `${t.abandoned}${t.abandonPercent === null ? '' : ` (${t.abandonPercent}%)`}`, 'wb-total-abandoned'),
    figure(doc, 'ASA', t.asaSeconds === null ? '–' : `${t.asaSeconds} s`, 'wb-total-asa'),
    figure(doc, 'Agents', agentsLine(t.agents), 'wb-total-agents'),
    figure(doc, 'In IVR menus', ivrLine(board.ivr), 'wb-total-ivr'),
  );
  const rated = surveyText(t);
  if (rated) totals.append(figure(doc, "Callers' rating", rated, 'wb-total-survey', { class: 'value survey' }));
  const queues = doc.getElementById('queues')!;
  const drawn = new Map([...queues.querySelectorAll<HTMLElement>(':scope > article[data-queue-id]')].map((c) => [c.dataset.queueId, c]));
  const cards = board.queues.map((q) => {
    const card = drawn.get(String(q.id)) ?? el(doc, 'article', { class: 'card queue', 'data-queue-id': String(q.id) });
    card.setAttribute('data-testid', `wb-queue-${q.name}`);
    const h = el(doc, 'h2');
    const title = el(doc, 'span', {}, q.name);
    if (!q.open) title.append(' ', el(doc, 'span', { class: 'pill', 'data-state': 'closed', 'data-testid': 'wb-closed' }, 'closed'));
    h.append(title, el(doc, 'span', { class: 'muted' }, `target ${Math.round(q.target * 100)}% in ${q.thresholdSeconds} s`));
    const met = q.serviceLevelPercent === null ? '' : q.serviceLevelPercent >= q.target * 100 ? 'yes' : 'no';
    const figures = el(doc, 'div', { class: 'figures' });
    figures.append(
      figure(doc, 'Waiting', String(q.waiting), 'wb-waiting', { class: 'value waiting', 'data-alert': q.waiting > 0 && q.agents.ready === 0 ? 'yes' : 'no' }),
      figure(doc, 'Longest wait', since(q.longestWaitSeconds, board, now), 'wb-longest'),
      figure(doc, 'Service level', pct(q.serviceLevelPercent), 'wb-sl', { class: 'value sl', 'data-met': met }),
      figure(doc, 'Answered', String(q.answered), 'wb-answered'),
      figure(doc, 'Abandoned', String(q.abandoned), 'wb-abandoned'),
      figure(doc, 'ASA', q.asaSeconds === null ? '–' : `${q.asaSeconds} s`, 'wb-asa'),
      figure(doc, 'Callbacks', callbacksText(q.callbacks), 'wb-callbacks'),
      figure(doc, 'Voicemail', q.voicemails === undefined ? '–' : String(q.voicemails), 'wb-queue-voicemails', { class: 'value voicemails', 'data-alert': (q.voicemails ?? 0) > 0 ? 'yes' : 'no' }),
    );
    const foot = el(doc, 'p', { class: 'muted', 'data-testid': 'wb-queue-agents' }, agentsLine(q.agents));
    const more = el(doc, 'p', { class: 'muted' }, `offered ${q.offered} · overflowed ${q.overflowed} · missed offers ${q.missedOffers} · callbacks asked ${q.callbacksRequested ?? 0}, given up ${q.callbacksFailed ?? 0} · voicemails left ${q.voicemailsLeft ?? 0} · incl. abandons ${pct(q.serviceLevelOfferedPercent)}`);
    const parts: HTMLElement[] = [h, figures, foot, more];
    const rated = surveyText(q);
    if (rated) parts.push(el(doc, 'p', { class: 'muted', 'data-testid': 'wb-queue-survey' }, rated));
    const closedText = q.closedUntil ? closedUntilText(q.closedUntil, now) : '';
    let closing = card.querySelector<HTMLElement>(':scope > .queue-closing');
    if (closing?.dataset.key !== JSON.stringify([q.name, closedText])) closing = closeQueue ? queueClosing(doc, q, closedText, closeQueue) : null;
    // (all but the closing controls go, so that these stay in the page)
    for (const c of [...card.children]) if (c !== closing) c.remove();
    card.prepend(...parts);
    if (closing !== null && closing.parentElement !== card) card.append(closing);
    return card;
  });
  if (cards.length !== queues.children.length || cards.some((c, i) => queues.children[i] !== c)) queues.replaceChildren(...cards);
  const names = new Map(board.queues.map((q) => [q.id, q.name]));
  const present = board.agents.filter((a) => a.state !== 'logged-out');
  const away = board.agents.length - present.length;
  doc.getElementById('agents-away')!.textContent = away > 0 ? `(${away} logged out)` : '';
  doc.getElementById('agents')!.replaceChildren(
    ...present.map((a) => {
      const over = a.overLimit === true;
      const row = el(doc, 'tr', { 'data-testid': `wb-agent-${a.name}`, ...(over ? { class: 'over-limit' } : {}) });
      const state = el(doc, 'td');
      state.append(el(doc, 'span', { class: 'pill', 'data-state': a.state, 'data-testid': 'wb-agent-state' }, STATE_LABEL[a.state]));
      const reason = agentReasonText(a);
      if (reason) state.append(el(doc, 'span', { class: 'muted', 'data-testid': 'wb-agent-reason', ...(a.reason && a.reason !== reason ? { title: a.reason } : {}) }, ` ${reason}`));
      // (away longer than the reason allows: the admin's maxMinutes for it)
      if (over) state.append(' ', el(doc, 'span', { class: 'pill over-limit', 'data-testid': 'wb-agent-over-limit', title: 'Not ready for longer than this reason allows' }, 'over limit'));
      const forTime = a.since === null ? '–' : clock((now - toEpochMs(a.since)) / 1000);
      const callCell = el(doc, 'td', {}, a.callQueueId === null ? '' : (names.get(a.callQueueId) ?? ''));
      const monitors = [...(a.listeners ?? []).map((l) => `${l} listening`), ...(a.coach ? [`${a.coach} ${a.barge ? 'in the call' : 'coaching'}`] : [])];
      if (monitors.length > 0) callCell.append(' ', el(doc, 'span', { class: 'muted', 'data-testid': 'wb-agent-monitors' }, `(${monitors.join(', ')})`));
      if (a.recordingPaused === true) callCell.append(' ', el(doc, 'span', { class: 'pill', 'data-testid': 'wb-agent-recording-paused' }, 'recording paused'));
      if (a.consult) callCell.append(' ', el(doc, 'span', { class: 'pill', 'data-testid': 'wb-agent-consult' }, a.consult.role === 'consulting' ? `consulting ${a.consult.with}` : `consulted by ${a.consult.with}`));
      if (a.outbound) callCell.append(el(doc, 'span', { class: 'pill', 'data-testid': 'wb-agent-outbound' }, a.outbound.answered ? `talking with ${a.outbound.number}` : `calling ${a.outbound.number}`));
      row.append(el(doc, 'td', {}, a.name), state, el(doc, 'td', {}, forTime), callCell);
      const buttons = el(doc, 'td', { class: 'actions' });
      const callId = a.callId ?? null;
      if (listen && a.state === 'busy' && callId !== null) {
        const on = listen.callId === callId;
        const b = el(doc, 'button', { type: 'button', 'data-testid': on ? 'wb-agent-stop-listening' : 'wb-agent-listen' }, on ? 'Stop listening' : 'Listen');
        b.addEventListener('click', () => listen.toggle({ ...a, callId }));
        buttons.append(b, ' ');
      }
      if (act) {
        for (const [to, label] of [['not-ready', 'Not ready'], ['logged-out', 'Log out']] as const) {
          if (to === 'not-ready' && a.state === 'not-ready') continue;
          const b = el(doc, 'button', { type: 'button', 'data-testid': `wb-agent-${to}` }, label);
          b.addEventListener('click', () => act(a.id, to));
          buttons.append(b, ' ');
        }
      }
      row.append(buttons);
      return row;
    }),
  );
}

/** A row of GET /api/reports/queues. */
export interface ReportRow extends SurveyFigures {
  queue: string;
  start: string;
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevelPercent: number | null;
  asaSeconds: number | null;
  ahtSeconds: number | null;
}

/** A row of GET /api/reports/agents (ratings: of the calls the agent had last). */
export interface AgentReportRow extends SurveyFigures {
  agent: string;
  start: string;
  handled: number;
  ahtSeconds: number | null;
  missedOffers: number;
  readySeconds: number;
  handlingSeconds: number;
  notReadySeconds: number;
  occupancyPercent: number | null;
}

const SVG = 'http://www.w3.org/2000/svg';
/** the history's columns of the callers' ratings (the cells: surveyCells) */
const SURVEY_COLUMNS = ['Rated', 'Avg', 'CSAT'] as const;
const seconds = (v: number | null) => (v === null ? '–' : `${v} s`);

/** How the History divides its period: by hour (the day only), by day, or the whole period in one row per queue (agent, …). */
export type HistoryInterval = 'hour' | 'day' | 'total';
/** The History's periods, in days: the chosen day, or the 7 or 30 days up to it. */
export const HISTORY_DAYS = [1, 7, 30] as const;
export type HistoryDays = (typeof HISTORY_DAYS)[number];

/** The form's period choice ("1", "7", "30") as days (anything else: the day). */
export function historyDays(value: string): HistoryDays {
  return HISTORY_DAYS.find((d) => String(d) === value) ?? 1;
}

/** The form's "by" choice as an interval (anything else: by hour). */
export function historyInterval(value: string): HistoryInterval {
  return value === 'day' || value === 'total' ? value : 'hour';
}

/**
 * The History's period and "by" made consistent after the supervisor changed one of them (`changed`): by hour is for
 * the day only (a longer period chosen by hour goes by day; by hour chosen makes the period the day), and the day by
 * day (a single day, which "whole period" shows) is not offered either: by day chosen for the day makes the period the
 * 7 days up to it, the day chosen by day goes by hour.
 */
export function historyChoice(days: HistoryDays, by: HistoryInterval, changed: 'days' | 'by'): { days: HistoryDays; by: HistoryInterval } {
  if (by === 'hour' && days !== 1) return changed === 'by' ? { days: 1, by } : { days, by: 'day' };
  if (by === 'day' && days === 1) return changed === 'by' ? { days: 7, by } : { days, by: 'hour' };
  return { days, by };
}

/** The History's chosen period, in the browser's time zone. */
export interface HistoryPeriod {
  interval: HistoryInterval;
  /** local midnight of its first day, and the one after its last (the report's exclusive `to`), ISO */
  from: string;
  to: string;
  /** the start (ISO) of each of its intervals the chart has a bar for: every hour of the day, every day; the whole period: `from` */
  slots: string[];
  /** what the period is called: the day ("12/7/2026"), or its first and last days ("Dec 1 – Dec 7") */
  label: string;
}

/** "12/7/2026" for a single day, "Dec 1 – Dec 7" for several (with the years when they differ), in the browser's locale. */
export function periodLabel(first: Date, last: Date): string {
  if (first.toDateString() === last.toDateString()) return first.toLocaleDateString();
  const opts: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', ...(first.getFullYear() !== last.getFullYear() ? { year: 'numeric' } : {}) };
  return `${first.toLocaleDateString([], opts)} – ${last.toLocaleDateString([], opts)}`;
}

/**
 * The period of `days` days up to `day` ("2026-12-07", the date input's value; the browser's local days) divided
 * `interval`; null when `day` is no date.
 */
export function historyPeriod(day: string, days: HistoryDays, interval: HistoryInterval): HistoryPeriod | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const first = new Date(y, mo, d - days + 1);
  const last = new Date(y, mo, d);
  const to = new Date(y, mo, d + 1);
  if (Number.isNaN(first.getTime())) return null;
  let slots: Date[];
  if (interval === 'hour') {
    // (every hour from midnight to midnight: 23 or 25 on a day the clocks change)
    slots = [];
    for (let t = first.getTime(); t < to.getTime(); t += 3_600_000) slots.push(new Date(t));
  } else if (interval === 'day') {
    slots = Array.from({ length: days }, (_, i) => new Date(y, mo, d - days + 1 + i));
  } else {
    slots = [first];
  }
  return { interval, from: first.toISOString(), to: to.toISOString(), slots: slots.map((s) => s.toISOString()), label: periodLabel(first, last) };
}

/** What the From column says of an interval's start: its time (by hour), its day (by day), the period (`label`, whole period). */
function intervalLabel(interval: HistoryInterval, label = ''): (iso: string) => string {
  if (interval === 'total') return () => label;
  return (iso) => (interval === 'hour' ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : new Date(iso).toLocaleDateString());
}

/** The history table: its columns, and a row per item (row test id `history-<name>`). */
function historyTable(doc: Document, columns: readonly string[], rows: Array<{ name: string; cells: string[] }>): void {
  doc.getElementById('history-head')!.replaceChildren(...columns.map((c) => el(doc, 'th', {}, c)));
  const body = doc.getElementById('history-rows')!;
  if (rows.length === 0) {
    const tr = el(doc, 'tr');
    tr.append(el(doc, 'td', { colspan: String(columns.length), class: 'muted' }, 'Nothing in this period.'));
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...rows.map((r) => {
      const tr = el(doc, 'tr', { 'data-testid': `history-${r.name}` });
      for (const v of r.cells) tr.append(el(doc, 'td', {}, v));
      return tr;
    }),
  );
}

/** The agents' history: a row per agent and interval, or per agent for the whole period (no chart). */
export function renderAgentHistory(doc: Document, rows: AgentReportRow[], period: Pick<HistoryPeriod, 'interval' | 'label'>): void {
  const when = intervalLabel(period.interval, period.label);
  const time = (s: number) => clock(s);
  historyTable(doc, ['From', 'Agent', 'Handled', 'AHT', 'Missed offers', 'Ready', 'Handling', 'Not ready', 'Occupancy', ...SURVEY_COLUMNS], rows.map((r) => ({
    name: r.agent,
    cells: [
      when(r.start), r.agent, String(r.handled), seconds(r.ahtSeconds), String(r.missedOffers), time(r.readySeconds), time(r.handlingSeconds), time(r.notReadySeconds), pct(r.occupancyPercent),
      ...surveyCells(r),
    ],
  })));
  doc.getElementById('history-chart')!.replaceChildren();
}

/** A row of GET /api/reports/dispositions: a queue's calls of an interval whose last disposition filed was this one. */
export interface DispositionReportRow {
  queueId: number;
  queue: string;
  start: string;
  disposition: string;
  calls: number;
}

const DISPOSITION_COLUMNS = ['From', 'Queue', 'Disposition', 'Calls', "Share of the queue's filed calls"] as const;

/**
 * The dispositions' table cells, a row per interval (or the whole period: From says `label`), queue and disposition
 * in the server's order (most calls first): the share is of the calls the queue's agents filed in that interval.
 */
export function dispositionCells(rows: readonly DispositionReportRow[], interval: HistoryInterval, label = ''): string[][] {
  const when = intervalLabel(interval, label);
  const key = (r: DispositionReportRow) => `${r.start} ${r.queueId}`;
  const filed = new Map<string, number>();
  for (const r of rows) filed.set(key(r), (filed.get(key(r)) ?? 0) + r.calls);
  return rows.map((r) => {
    const all = filed.get(key(r)) ?? 0;
    return [when(r.start), r.queue, r.disposition, String(r.calls), share(all > 0 ? (r.calls / all) * 100 : null)];
  });
}

/** The calls by disposition (no chart); every row's test id is `history-disposition-row` (the queue is a cell). */
export function renderDispositionHistory(doc: Document, rows: DispositionReportRow[], period: Pick<HistoryPeriod, 'interval' | 'label'>): void {
  historyTable(doc, DISPOSITION_COLUMNS, dispositionCells(rows, period.interval, period.label).map((cells) => ({ name: 'disposition-row', cells })));
  doc.getElementById('history-chart')!.replaceChildren();
}

/** A row of GET /api/reports/not-ready: how often and how long an agent was not ready for a reason in an interval. */
export interface NotReadyReportRow {
  agentId: number;
  agent: string;
  start: string;
  /** the reason's code, and what people read for it (an older code the admin took off the list: the code) */
  reason: string;
  reasonLabel: string;
  /** the stretches not ready for the reason that ended in the interval, and their time */
  times: number;
  seconds: number;
}

/** The not-ready table's columns: the interval's start only when the report is by hour or day (not the whole period). */
export function notReadyColumns(interval: HistoryInterval): string[] {
  return [...(interval === 'total' ? [] : ['From']), 'Agent', 'Reason', 'Times', 'Time not ready'];
}

/** The not-ready table's cells, a row per interval, agent and reason in the server's order; the time as h:mm:ss. */
export function notReadyCells(rows: readonly NotReadyReportRow[], interval: HistoryInterval): string[][] {
  const when = interval === 'total' ? null : intervalLabel(interval);
  return rows.map((r) => [...(when === null ? [] : [when(r.start)]), r.agent, r.reasonLabel || r.reason, String(r.times), clock(r.seconds)]);
}

/**
 * The not-ready time by reason (no chart); every row's test id is `history-not-ready-row` (the agent is a cell). The
 * whole period has no From column (the rows are the period's, which the form says).
 */
export function renderNotReadyHistory(doc: Document, rows: NotReadyReportRow[], period: Pick<HistoryPeriod, 'interval'>): void {
  historyTable(doc, notReadyColumns(period.interval), notReadyCells(rows, period.interval).map((cells) => ({ name: 'not-ready-row', cells })));
  doc.getElementById('history-chart')!.replaceChildren();
}

/** The history chart's size (viewBox units: the bars' area, and the labels' line under it) and about how wide a label's character is. */
const CHART_WIDTH = 600;
const CHART_HEIGHT = 120;
const CHAR_WIDTH = 6.5;

/** A bar of the history chart: what its label says, its title, and its answered and abandoned calls. */
interface ChartBar {
  label: string;
  title: string;
  answered: number;
  abandoned: number;
}

/**
 * The chart's bars, answered (bottom) and abandoned (on top), each a `history-bar` group. Labels under them: every
 * `every`-th bar's (none overlap: `every` is worked out from the longest label unless given); with `fit`, every bar's,
 * cut to its bar's width (a queue's name; the whole of it in its title).
 */
function barChart(doc: Document, bars: readonly ChartBar[], ariaLabel: string, labels: { every?: number; fit?: boolean } = {}): SVGSVGElement {
  const max = Math.max(1, ...bars.map((b) => b.answered + b.abandoned));
  const w = CHART_WIDTH;
  const hgt = CHART_HEIGHT;
  const step = w / Math.max(1, bars.length);
  const longest = Math.max(0, ...bars.map((b) => b.label.length)) * CHAR_WIDTH;
  const every = labels.fit ? 1 : Math.max(labels.every ?? 1, Math.ceil((longest + 8) / step));
  const fits = Math.max(1, Math.floor((step - 4) / CHAR_WIDTH));
  const svg = doc.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt + 16}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', ariaLabel);
  bars.forEach((b, i) => {
    const g = doc.createElementNS(SVG, 'g');
    g.setAttribute('data-testid', 'history-bar');
    const x = i * step + step * 0.15;
    const bw = step * 0.7;
    const ha = (b.answered / max) * hgt;
    const hb = (b.abandoned / max) * hgt;
    for (const [cls, y, height, n] of [['answered', hgt - ha, ha, b.answered], ['abandoned', hgt - ha - hb, hb, b.abandoned]] as const) {
      const rect = doc.createElementNS(SVG, 'rect');
      rect.setAttribute('class', cls);
      rect.setAttribute('x', String(x));
      rect.setAttribute('y', String(y));
      rect.setAttribute('width', String(bw));
      rect.setAttribute('height', String(height));
      const title = doc.createElementNS(SVG, 'title');
      title.textContent = `${b.title}: ${n} ${cls}`;
      rect.append(title);
      g.append(rect);
    }
    svg.append(g);
    if (i % every !== 0) return;
    const text = labels.fit && b.label.length > fits ? `${b.label.slice(0, Math.max(1, fits - 1))}…` : b.label;
    // (under the bar's middle; the first and last kept inside the chart)
    const half = (text.length * CHAR_WIDTH) / 2;
    const middle = x + bw / 2;
    const [at, anchor] = middle - half < 0 ? [x, 'start'] : middle + half > w ? [x + bw, 'end'] : [middle, 'middle'];
    const label = doc.createElementNS(SVG, 'text');
    label.setAttribute('data-testid', 'history-bar-label');
    label.setAttribute('x', String(at));
    label.setAttribute('y', String(hgt + 12));
    label.setAttribute('text-anchor', anchor);
    label.textContent = text;
    if (text !== b.label) {
      const title = doc.createElementNS(SVG, 'title');
      title.textContent = b.label;
      label.append(title);
    }
    g.append(label);
  });
  return svg;
}

/**
 * Draws the history: a row per queue and interval that had calls (the whole period: a row per queue, From saying the
 * period), and a chart of answered and abandoned calls: a bar for each of the period's intervals (`slots`: every hour of
 * the day, every day), all queues together; the whole period: a bar per queue, under its name.
 */
export function renderHistory(doc: Document, rows: ReportRow[], period: Pick<HistoryPeriod, 'interval' | 'slots' | 'label'>): void {
  const when = intervalLabel(period.interval, period.label);
  historyTable(doc, ['From', 'Queue', 'Offered', 'Answered', 'Service level', 'ASA', 'Abandoned', 'AHT', ...SURVEY_COLUMNS], rows.map((r) => ({
    name: r.queue,
    cells: [when(r.start), r.queue, String(r.offered), String(r.answered), pct(r.serviceLevelPercent), seconds(r.asaSeconds), String(r.abandoned), seconds(r.ahtSeconds), ...surveyCells(r)],
  })));
  let svg: SVGSVGElement;
  if (period.interval === 'total') {
    const byQueue = new Map<string, ChartBar>();
    for (const r of rows) {
      const b = byQueue.get(r.queue) ?? { label: r.queue, title: r.queue, answered: 0, abandoned: 0 };
      b.answered += r.answered;
      b.abandoned += r.abandoned;
      byQueue.set(r.queue, b);
    }
    svg = barChart(doc, [...byQueue.values()], `Answered and abandoned calls by queue, ${period.label}`, { fit: true });
  } else {
    // one bar per interval, all queues together
    const byStart = new Map(period.slots.map((start) => [start, { label: when(start), title: when(start), answered: 0, abandoned: 0 }]));
    for (const r of rows) {
      const b = byStart.get(r.start);
      if (b === undefined) continue;
      b.answered += r.answered;
      b.abandoned += r.abandoned;
    }
    // (by hour a label every third hour at least; by day as many as fit side by side)
    svg = barChart(doc, [...byStart.values()], 'Answered and abandoned calls by interval', { every: period.interval === 'hour' ? 3 : 1 });
  }
  doc.getElementById('history-chart')!.replaceChildren(svg);
}

/** "2", or "1 + 3 later": callbacks in line (or being dialled), and due later. */
function callbacksText(c: BoardQueue['callbacks'] | undefined): string {
  if (c === undefined) return '–';
  return c.later > 0 ? `${c.inLine} + ${c.later} later` : String(c.inLine);
}

/** An open callback of GET /api/callbacks. */
export interface OpenCallback {
  callId: string;
  queue: string;
  number: string;
  state: string;
  attempts: number;
  requestedAt: string;
  scheduledFor: string | null;
  /** a personal callback: the agent who arranged it (offered to them first); null or absent (an older server): anyone */
  agent?: { id: number; name: string } | null;
}

const CALLBACK_STATE: Record<string, string> = { waiting: 'in line', scheduled: 'due later', dialing: 'dialling' };

/** What a supervisor may do to an open callback from the board (neither while the customer is being dialled). */
export interface CallbackActions {
  cancel(callId: string): void;
  /** moves it to `at` (ISO): it joins the line then; the promise fails with the server's refusal */
  move(callId: string, at: string): Promise<unknown>;
  /** hands it to another agent (null: anyone), keeping its time or place */
  handTo(callId: string, agentId: number | null): void;
}

/** The agents a callback may be handed to (the board's), by name. */
export type CallbackAgents = ReadonlyArray<{ id: number; name: string }>;

/**
 * Whom a callback is for: the agent a personal one is offered to first, else anyone; one not being dialled may be handed
 * to another agent, or to anyone, from a list of the board's agents (its own agent kept in it if the board lacks them).
 */
function callbackAgentCell(doc: Document, c: OpenCallback, agents: CallbackAgents, act: CallbackActions): HTMLElement {
  const cell = el(doc, 'td', { 'data-testid': 'wb-callback-agent' });
  if (c.state === 'dialing') {
    cell.textContent = c.agent ? c.agent.name : 'anyone';
    return cell;
  }
  const select = el(doc, 'select', { 'data-testid': 'wb-callback-agent-select', 'aria-label': `Whom to offer the callback to ${c.number} first` });
  const choices = [...agents];
  if (c.agent && !choices.some((a) => a.id === c.agent!.id)) choices.push(c.agent);
  select.append(el(doc, 'option', { value: '' }, 'anyone'), ...[...choices].sort((a, b) => a.name.localeCompare(b.name)).map((a) => el(doc, 'option', { value: String(a.id) }, a.name)));
  select.value = c.agent ? String(c.agent.id) : '';
  select.addEventListener('change', () => act.handTo(c.callId, select.value === '' ? null : Number(select.value)));
  cell.append(select);
  return cell;
}

/** A callback's cells but the last (its actions). */
function callbackCells(doc: Document, c: OpenCallback, agents: CallbackAgents, act: CallbackActions): HTMLElement[] {
  const due = c.state === 'scheduled' && c.scheduledFor !== null ? new Date(c.scheduledFor).toLocaleString() : `in line since ${new Date(c.requestedAt).toLocaleTimeString()}`;
  return [
    el(doc, 'td', {}, c.queue), el(doc, 'td', {}, c.number), el(doc, 'td', { 'data-testid': 'wb-callback-due' }, due), el(doc, 'td', {}, String(c.attempts)),
    el(doc, 'td', { 'data-testid': 'wb-callback-state' }, CALLBACK_STATE[c.state] ?? c.state),
    callbackAgentCell(doc, c, agents, act),
  ];
}

/** What Move reads of the callback when it opens (the row's latest drawing: a kept row's closures hold an older one). */
function setCallbackData(row: HTMLElement, c: OpenCallback): void {
  row.dataset.state = c.state;
  row.dataset.scheduledFor = c.scheduledFor ?? '';
}

/** Closes the Move editor of a callback's row (one is open at a time: another's Move closes it). */
const closeMoveEditor = new WeakMap<HTMLElement, () => void>();

/**
 * A callback's actions cell: Move and Cancel (none while it is being dialled). Move shows the editor in their place:
 * the new time (the browser's local time; not before now), Save (off while the move is on its way; done, the editor
 * closes and the list is read again) and Keep (closes it, as Escape does); a refusal shows in the row, the editor open.
 */
function callbackActions(doc: Document, row: HTMLElement, c: OpenCallback, act: CallbackActions): HTMLElement {
  const actions = el(doc, 'td', { class: 'actions' });
  if (c.state === 'dialing') return actions;
  const move = el(doc, 'button', { type: 'button', 'data-testid': 'wb-callback-move', 'aria-expanded': 'false' }, 'Move');
  const cancel = el(doc, 'button', { type: 'button', 'data-testid': 'wb-callback-cancel' }, 'Cancel');
  cancel.addEventListener('click', () => act.cancel(c.callId));
  const form = el(doc, 'form', { class: 'row callback-move', 'data-testid': 'wb-callback-move-form', novalidate: '', hidden: '' });
  const input = el(doc, 'input', { type: 'datetime-local', required: '', 'data-testid': 'wb-callback-move-at', 'aria-label': `When to call ${c.number} back` });
  const save = el(doc, 'button', { type: 'submit', class: 'primary', 'data-testid': 'wb-callback-move-save' }, 'Save');
  const keep = el(doc, 'button', { type: 'button', 'data-testid': 'wb-callback-move-keep', title: 'Keep the time it has' }, 'Keep');
  const error = el(doc, 'p', { class: 'error', role: 'alert', 'data-testid': 'wb-callback-move-error', hidden: '' });
  form.append(input, save, keep, error);
  const say = (text: string | null) => {
    error.textContent = text ?? '';
    error.hidden = text === null;
  };
  const setOpen = (open: boolean) => {
    form.hidden = !open;
    move.hidden = open;
    cancel.hidden = open;
    move.setAttribute('aria-expanded', String(open));
    row.toggleAttribute('data-moving', open);
  };
  closeMoveEditor.set(row, () => setOpen(false));
  move.addEventListener('click', () => {
    for (const other of row.parentElement?.querySelectorAll<HTMLElement>(':scope > tr[data-moving]') ?? []) if (other !== row) closeMoveEditor.get(other)?.();
    const now = Date.now();
    input.min = localInputValue(now);
    input.value = moveDefault({ state: row.dataset.state ?? c.state, scheduledFor: row.dataset.scheduledFor || null }, now);
    say(null);
    save.disabled = false;
    setOpen(true);
    input.focus();
  });
  keep.addEventListener('click', () => {
    setOpen(false);
    move.focus();
  });
  form.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    keep.click();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (save.disabled) return;
    const at = localInputToIso(input.value);
    if (at === null) return say('Choose the day and time to call back.');
    if (Date.parse(at) <= Date.now()) return say('Choose a time in the future.');
    say(null);
    save.disabled = true;
    act.move(c.callId, at).then(
      () => {
        save.disabled = false;
        setOpen(false);
      },
      (err: unknown) => {
        save.disabled = false;
        say(err instanceof Error ? err.message : String(err));
      },
    );
  });
  actions.append(move, ' ', cancel, form);
  return actions;
}

/**
 * The open callbacks, the next due first, each with whom it is for (a list of `agents` to hand it to), Move and Cancel
 * (none of them while being dialled). A row whose Move
 * editor is open is kept in the page as it is when the list is drawn again (what the supervisor typed, the focus, a
 * refusal shown stay): only its other cells are brought up to date. It goes, editor and all, when its callback is no
 * longer open or is being dialled.
 */
export function renderCallbacks(doc: Document, callbacks: OpenCallback[], act: CallbackActions, agents: CallbackAgents = []): void {
  doc.getElementById('callbacks-card')!.hidden = callbacks.length === 0;
  const body = doc.getElementById('callbacks')!;
  const moving = body.querySelector<HTMLElement>(':scope > tr[data-moving]');
  const kept = moving !== null && callbacks.some((c) => c.callId === moving.dataset.callId && c.state !== 'dialing') ? moving : null;
  const rows = callbacks.map((c) => {
    if (kept !== null && c.callId === kept.dataset.callId) {
      for (const cell of [...kept.children]) if (!cell.classList.contains('actions')) cell.remove();
      kept.prepend(...callbackCells(doc, c, agents, act));
      setCallbackData(kept, c);
      return kept;
    }
    const row = el(doc, 'tr', { 'data-testid': `wb-callback-${c.number}`, 'data-call-id': c.callId });
    setCallbackData(row, c);
    row.append(...callbackCells(doc, c, agents, act), callbackActions(doc, row, c, act));
    return row;
  });
  if (kept === null) return body.replaceChildren(...rows);
  // (the kept row is never taken out of the page, which would blur its input: the others go and come around it)
  for (const r of [...body.children]) if (r !== kept) r.remove();
  const at = rows.indexOf(kept);
  kept.before(...rows.slice(0, at));
  kept.after(...rows.slice(at + 1));
}

/** A voicemail of GET /api/voicemails (its audio: GET /api/voicemails/:id/audio). */
export interface Voicemail {
  id: number;
  callId: string;
  /** null: the queue was deleted since */
  queueId: number | null;
  /** a phone's SIP URI, or "web" for a browser caller */
  caller: string;
  /** the phone number to call back (absent from an older server; null: none) */
  number?: string | null;
  customerId: string | null;
  language: string | null;
  seconds: number;
  createdAt: string;
  /** null: new (nobody dealt with it yet) */
  doneAt: string | null;
  doneBy: number | null;
}

/** What a supervisor may do with a voicemail from the board. */
export interface VoicemailActions {
  /** `label`: what the player says it plays */
  play(v: Voicemail, label: string): void;
  setDone(v: Voicemail, done: boolean): void;
  /** a callback to the caller's number in the message's queue (the voicemail is then done) */
  callBack(v: Voicemail): void;
  remove(v: Voicemail): void;
}

/**
 * The new voicemails of each queue, as a key that changes when any count does (the list is read again then: a
 * message left, or one dealt with or deleted by anyone).
 */
export function voicemailCounts(board: Board): string {
  return board.queues.map((q) => `${q.id}:${q.voicemails ?? 0}`).join(',');
}

/** A caller as a supervisor reads them: the phone's number (a SIP URI's user part), "browser" for "web", else as it is. */
export function callerName(caller: string): string {
  return caller === 'web' ? 'browser' : (/^sips?:([^@;]+)@/.exec(caller)?.[1] ?? caller);
}

/** Who left the message, and the customer's id when the page gave one. */
function callerText(v: Voicemail): string {
  const who = callerName(v.caller);
  return v.customerId ? `${who} (customer ${v.customerId})` : who;
}

/**
 * The voicemails listed (the new ones, or those dealt with: `showing`), newest first, each with Play, Done (or New
 * again) and Delete; `total`: how many there are in all (the list may hold only the newest of them).
 */
export function renderVoicemails(
  doc: Document,
  items: readonly Voicemail[],
  total: number,
  showing: 'new' | 'done',
  queueNames: ReadonlyMap<number, string>,
  act: VoicemailActions,
): void {
  const shown = total > items.length ? `${items.length} newest of ${total}` : String(total);
  doc.getElementById('voicemail-count')!.textContent = showing === 'new' ? `(${shown} new)` : `(${shown} done)`;
  const body = doc.getElementById('voicemails')!;
  if (items.length === 0) {
    const tr = el(doc, 'tr', { 'data-testid': 'wb-voicemail-none' });
    tr.append(el(doc, 'td', { colspan: '5', class: 'muted' }, showing === 'new' ? 'No new voicemail.' : 'No voicemail dealt with.'));
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...items.map((v) => {
      const row = el(doc, 'tr', { 'data-testid': `wb-voicemail-row-${v.id}` });
      const queue = v.queueId === null ? '(deleted queue)' : (queueNames.get(v.queueId) ?? `queue ${v.queueId}`);
      const left = new Date(v.createdAt).toLocaleString();
      const when = el(doc, 'td', { 'data-testid': 'wb-voicemail-when' }, left);
      if (v.doneAt !== null) when.append(' ', el(doc, 'span', { class: 'muted' }, `(done ${new Date(v.doneAt).toLocaleString()})`));
      row.append(
        el(doc, 'td', { 'data-testid': 'wb-voicemail-queue' }, queue),
        el(doc, 'td', { 'data-testid': 'wb-voicemail-caller', title: v.caller }, callerText(v)),
        when,
        el(doc, 'td', { 'data-testid': 'wb-voicemail-seconds' }, `${Math.round(v.seconds)} s`),
      );
      const actions = el(doc, 'td', { class: 'actions' });
      const button = (testId: string, label: string, onClick: () => void) => {
        const b = el(doc, 'button', { type: 'button', 'data-testid': testId }, label);
        b.addEventListener('click', onClick);
        actions.append(b, ' ');
      };
      button('wb-voicemail-play', 'Play', () => act.play(v, `${queue} · ${callerText(v)} · ${left}`));
      if (v.doneAt === null && v.number) button('wb-voicemail-callback', 'Call back', () => act.callBack(v));
      if (v.doneAt === null) button('wb-voicemail-done', 'Done', () => act.setDone(v, true));
      else button('wb-voicemail-undo', 'New again', () => act.setDone(v, false));
      button('wb-voicemail-delete', 'Delete', () => act.remove(v));
      row.append(actions);
      return row;
    }),
  );
}
