import { clock, toEpochMs } from '../shared/format.ts';
import { englishLanguageName } from '../shared/languages.ts';
import type { NotReadyReason } from '../shared/not-ready-reasons.ts';
import { type AgentState, type OfferContext, type QueueWaiting, callerText } from './agent-messages.ts';
import { type CallerHistory, noteLine, previousCallText } from './caller-history.ts';
import { type MyDay, ahtText, myRatingText, percentText } from './my-day.ts';
import { type CallbackRow, type MyCallbacksSnapshot, myCallbacksModel } from './my-callbacks.ts';
import type { CallDeskSnapshot } from './call-desk.ts';
import type { ConsultSnapshot } from './consult-call.ts';
import { type DialSnapshot, dialInProgress, dialStatusText, prefixesText, talkClock } from './dial-out.ts';
import type { SocketStatus } from './agent-socket.ts';
import type { RegistrationStatus } from './softphone.ts';

/** The disposition (wrap-up code) the agent files their last call under. */
export interface Filing {
  callId: string;
  queue: string;
  choices: readonly string[];
  saved?: string;
  busy: boolean;
  error?: string;
}

/** The agent's note on the call they talk on or talked on last, and how its saving went. */
export interface NoteDraft {
  callId: string;
  queue: string;
  busy: boolean;
  /** the text the server saved ('' : the note was deleted) */
  saved?: string;
  error?: string;
}

/** The callback the agent arranges for the call they talk on or talked on last, and how the last try went. */
export interface CallbackDraft {
  callId: string;
  queue: string;
  busy: boolean;
  /** the callback arranged (shown until the next one is asked for, or the next call) */
  arranged?: { number: string; scheduledFor: string | null };
  /** why the last one was refused (the server's words) */
  error?: string;
}

/** "Callback arranged: +3725551234 at 3 May 2026, 14:30" (in the agent's time and locale). */
export function callbackArrangedText(a: { number: string; scheduledFor: string | null }): string {
  const at = a.scheduledFor === null ? Number.NaN : toEpochMs(a.scheduledFor);
  const when = Number.isFinite(at) ? `at ${new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}` : 'as soon as possible';
  return `Callback arranged: ${a.number} ${when}`;
}

/** The caller's history of the call on screen: being read, read, or why it could not be. */
export interface CallerHistoryView {
  callId: string;
  history?: CallerHistory;
  error?: string;
}

/** The links the agent sent the caller in the current call, newest first, and the one being sent. */
export interface SentLinks {
  callId: string;
  sent: readonly { url: string; title: string | null; customerConnected: boolean }[];
  busy: boolean;
  /** why the last one was refused (the server's words) */
  error?: string;
}

/** The recording of the agent's recorded call: paused or not, a pause or resume under way, and why the last one was refused. */
export interface RecordingControl {
  callId: string;
  paused: boolean;
  busy: boolean;
  /** why the last pause or resume was refused (the server's words) */
  error?: string;
}

/** A note box's elements: the customer call's (note-*) or the call to a number's (dial-note-*). */
interface NoteBox {
  form: HTMLFormElement;
  text: HTMLTextAreaElement;
  save: HTMLButtonElement;
  status: HTMLElement;
}

/** A note box for the draft's call (hidden without one); another call's box starts empty. */
function renderNoteBox(b: NoteBox, n: NoteDraft | undefined): void {
  b.form.hidden = n === undefined;
  if (b.form.dataset.callId !== n?.callId) b.text.value = '';
  if (n === undefined) {
    delete b.form.dataset.callId;
    return;
  }
  b.form.dataset.callId = n.callId;
  b.save.disabled = n.busy;
  b.status.textContent = n.error ?? (n.saved === undefined ? '' : n.saved === '' ? 'Note deleted' : 'Note saved');
  b.status.className = n.error ? 'error' : 'muted';
}

function byId<T extends HTMLElement>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  if (!el) throw new TypeError(`agent page: element #${id} is missing`);
  return el as T;
}

const CALL_TITLES: Record<CallDeskSnapshot['state'], string> = {
  idle: 'No call',
  offered: 'Incoming call',
  ringing: 'Incoming call',
  connecting: 'Connecting…',
  active: 'On a call',
  held: 'On hold',
  elsewhere: 'On a call',
};

/** The agent page's DOM: looks elements up once and renders what the app tells it. No logic of its own. */
export class AgentView {
  readonly loginView: HTMLElement;
  readonly deskView: HTMLElement;
  readonly loginForm: HTMLFormElement;
  readonly username: HTMLInputElement;
  readonly password: HTMLInputElement;
  readonly loginSubmit: HTMLButtonElement;
  readonly loginError: HTMLElement;
  readonly who: HTMLElement;
  readonly agentName: HTMLElement;
  readonly logout: HTMLButtonElement;
  readonly agentState: HTMLElement;
  readonly agentStateReason: HTMLElement;
  readonly sipStatus: HTMLElement;
  readonly sipDetail: HTMLElement;
  readonly socketStatus: HTMLElement;
  readonly ready: HTMLButtonElement;
  readonly notReady: HTMLButtonElement;
  readonly notReadyReason: HTMLSelectElement;
  readonly autoAnswer: HTMLInputElement;
  readonly wrapup: HTMLElement;
  readonly wrapupCountdown: HTMLElement;
  readonly myQueues: HTMLElement;
  #queues: QueueWaiting[] = [];
  #queuesTimer: ReturnType<typeof setInterval> | undefined;
  readonly wrapupDone: HTMLButtonElement;
  readonly deskError: HTMLElement;
  readonly coach: HTMLElement;
  readonly disposition: HTMLFormElement;
  readonly dispositionCall: HTMLElement;
  readonly dispositionCode: HTMLSelectElement;
  readonly dispositionSave: HTMLButtonElement;
  readonly dispositionStatus: HTMLElement;
  readonly noteForm: HTMLFormElement;
  readonly noteCall: HTMLElement;
  readonly noteText: HTMLTextAreaElement;
  readonly noteSave: HTMLButtonElement;
  readonly noteStatus: HTMLElement;
  readonly callbackForm: HTMLFormElement;
  readonly callbackCall: HTMLElement;
  readonly callbackAt: HTMLInputElement;
  readonly callbackNumber: HTMLInputElement;
  readonly callbackArrange: HTMLButtonElement;
  readonly callbackResult: HTMLElement;
  readonly callbackError: HTMLElement;
  readonly callNotesBox: HTMLElement;
  readonly callNotes: HTMLElement;
  readonly previousCallsBox: HTMLElement;
  readonly previousCalls: HTMLElement;
  readonly previousCallsStatus: HTMLElement;
  readonly incoming: HTMLElement;
  readonly callTitle: HTMLElement;
  readonly callStatus: HTMLElement;
  readonly autoAnswerNote: HTMLElement;
  readonly answer: HTMLButtonElement;
  readonly decline: HTMLButtonElement;
  readonly hold: HTMLButtonElement;
  readonly mute: HTMLButtonElement;
  readonly hangup: HTMLButtonElement;
  readonly transferRow: HTMLElement;
  readonly transferQueue: HTMLSelectElement;
  readonly transfer: HTMLButtonElement;
  readonly consult: HTMLButtonElement;
  readonly consultFrom: HTMLElement;
  readonly consultPanel: HTMLElement;
  readonly consultState: HTMLElement;
  readonly consultComplete: HTMLButtonElement;
  readonly consultConference: HTMLButtonElement;
  readonly consultCancel: HTMLButtonElement;
  readonly consultAudio: HTMLAudioElement;
  readonly dialPanel: HTMLElement;
  readonly dialForm: HTMLFormElement;
  readonly dialNumber: HTMLInputElement;
  readonly dialCall: HTMLButtonElement;
  readonly dialHangup: HTMLButtonElement;
  readonly dialHint: HTMLElement;
  readonly dialStatus: HTMLElement;
  readonly dialStatusText: HTMLElement;
  readonly dialClock: HTMLElement;
  readonly dialError: HTMLElement;
  readonly dialAudio: HTMLAudioElement;
  readonly dialNoteForm: HTMLFormElement;
  readonly dialNoteText: HTMLTextAreaElement;
  readonly dialNoteSave: HTMLButtonElement;
  readonly dialNoteStatus: HTMLElement;
  readonly recording: HTMLElement;
  readonly recordingState: HTMLElement;
  readonly recordingToggle: HTMLButtonElement;
  readonly recordingError: HTMLElement;
  readonly linkForm: HTMLFormElement;
  readonly linkUrl: HTMLInputElement;
  readonly linkTitle: HTMLInputElement;
  readonly linkSend: HTMLButtonElement;
  readonly linkError: HTMLElement;
  readonly linksSent: HTMLElement;
  readonly callError: HTMLElement;
  readonly audio: HTMLAudioElement;
  readonly myDayHandled: HTMLElement;
  readonly myDayAht: HTMLElement;
  readonly myDayMissed: HTMLElement;
  readonly myDayOccupancy: HTMLElement;
  readonly myDayRating: HTMLElement;
  readonly myDayStatus: HTMLElement;
  readonly myCallbacks: HTMLElement;
  readonly myCallbacksCount: HTMLElement;
  /** its rows' buttons (Cancel, Move, the Move editor's Keep) and Move editors carry data-call-id (the app listens here) */
  readonly myCallbacksList: HTMLElement;
  readonly myCallbacksEmpty: HTMLElement;
  readonly myCallbacksMore: HTMLElement;
  readonly myCallbacksStatus: HTMLElement;
  readonly myCallbacksError: HTMLElement;
  /** the rows of "My callbacks" by call id, kept from one render to the next (a focused Cancel, an open Move editor stay) */
  readonly #callbackRows = new Map<string, HTMLLIElement>();
  /** the callback whose row had the focus last (a Cancel disabled while under way loses it) */
  #callbackFocus: string | undefined;
  readonly #doc: Document;

  constructor(doc: Document) {
    this.#doc = doc;
    const $ = <T extends HTMLElement>(id: string): T => byId<T>(doc, id);
    this.loginView = $('login-view');
    this.deskView = $('desk-view');
    this.loginForm = $('login-form');
    this.username = $('login-username');
    this.password = $('login-password');
    this.loginSubmit = $('login-submit');
    this.loginError = $('login-error');
    this.who = $('who');
    this.agentName = $('agent-name');
    this.logout = $('logout');
    this.agentState = $('agent-state');
    this.agentStateReason = $('agent-state-reason');
    this.sipStatus = $('sip-status');
    this.sipDetail = $('sip-detail');
    this.socketStatus = $('socket-status');
    this.ready = $('ready');
    this.notReady = $('not-ready');
    this.notReadyReason = $('not-ready-reason');
    this.autoAnswer = $('auto-answer');
    this.wrapup = $('wrapup');
    this.wrapupCountdown = $('wrapup-countdown');
    this.myQueues = $('my-queues');
    this.wrapupDone = $('wrapup-done');
    this.deskError = $('desk-error');
    this.coach = $('coach');
    this.disposition = $('disposition');
    this.dispositionCall = $('disposition-call');
    this.dispositionCode = $('disposition-code');
    this.dispositionSave = $('disposition-save');
    this.dispositionStatus = $('disposition-status');
    this.noteForm = $('note-form');
    this.noteCall = $('note-call');
    this.noteText = $('note-text');
    this.noteSave = $('note-save');
    this.noteStatus = $('note-status');
    this.callbackForm = $('callback-form');
    this.callbackCall = $('callback-call');
    this.callbackAt = $('callback-at');
    this.callbackNumber = $('callback-number');
    this.callbackArrange = $('callback-arrange');
    this.callbackResult = $('callback-result');
    this.callbackError = $('callback-error');
    this.callNotesBox = $('call-notes-box');
    this.callNotes = $('call-notes');
    this.previousCallsBox = $('previous-calls-box');
    this.previousCalls = $('previous-calls');
    this.previousCallsStatus = $('previous-calls-status');
    this.incoming = $('incoming');
    this.callTitle = $('call-title');
    this.callStatus = $('call-status');
    this.autoAnswerNote = $('auto-answer-note');
    this.answer = $('answer');
    this.decline = $('decline');
    this.hold = $('hold');
    this.mute = $('mute');
    this.hangup = $('hangup');
    this.transferRow = $('transfer-row');
    this.transferQueue = $('transfer-queue');
    this.transfer = $('transfer');
    this.consult = $('consult');
    this.consultFrom = $('consult-from');
    this.consultPanel = $('consult-panel');
    this.consultState = $('consult-state');
    this.consultComplete = $('consult-complete');
    this.consultConference = $('consult-conference');
    this.consultCancel = $('consult-cancel');
    this.consultAudio = $('consult-audio');
    this.dialPanel = $('dial-panel');
    this.dialForm = $('dial-form');
    this.dialNumber = $('dial-number');
    this.dialCall = $('dial-call');
    this.dialHangup = $('dial-hangup');
    this.dialHint = $('dial-hint');
    this.dialStatus = $('dial-status');
    this.dialStatusText = $('dial-status-text');
    this.dialClock = $('dial-clock');
    this.dialError = $('dial-error');
    this.dialAudio = $('dial-audio');
    this.dialNoteForm = $('dial-note-form');
    this.dialNoteText = $('dial-note');
    this.dialNoteSave = $('dial-note-save');
    this.dialNoteStatus = $('dial-note-status');
    this.recording = $('recording');
    this.recordingState = $('recording-state');
    this.recordingToggle = $('recording-toggle');
    this.recordingError = $('recording-error');
    this.linkForm = $('link-form');
    this.linkUrl = $('link-url');
    this.linkTitle = $('link-title');
    this.linkSend = $('link-send');
    this.linkError = $('link-error');
    this.linksSent = $('links-sent');
    this.callError = $('call-error');
    this.audio = $('remote-audio');
    this.myDayHandled = $('my-day-handled');
    this.myDayAht = $('my-day-aht');
    this.myDayMissed = $('my-day-missed');
    this.myDayOccupancy = $('my-day-occupancy');
    this.myDayRating = $('my-day-rating');
    this.myDayStatus = $('my-day-status');
    this.myCallbacks = $('my-callbacks');
    this.myCallbacksCount = $('my-callbacks-count');
    this.myCallbacksList = $('my-callbacks-list');
    this.myCallbacksEmpty = $('my-callbacks-empty');
    this.myCallbacksMore = $('my-callbacks-more');
    this.myCallbacksStatus = $('my-callbacks-status');
    this.myCallbacksError = $('my-callbacks-error');
    doc.addEventListener('focusin', (e) => {
      const row = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-testid="my-callback"]') : null;
      this.#callbackFocus = row !== null && this.myCallbacksList.contains(row) ? row.dataset.callId : undefined;
    });
  }

  /**
   * The agent's day: its figures, '–' before the first read, or (null) "figures unavailable" when the last read
   * failed (the figures of an earlier read are not shown as if they were today's latest).
   */
  renderMyDay(d: MyDay | undefined | null): void {
    this.myDayHandled.textContent = d ? String(d.handled) : '–';
    this.myDayAht.textContent = d ? ahtText(d.ahtSeconds) : '–';
    this.myDayMissed.textContent = d ? String(d.missedOffers) : '–';
    this.myDayOccupancy.textContent = d ? percentText(d.occupancyPercent) : '–';
    this.myDayRating.textContent = d ? myRatingText(d) : '–';
    this.myDayStatus.hidden = d !== null;
  }

  /**
   * "My callbacks": the count in the heading, a row per callback (when, number, queue, attempts; Move, unless it is being
   * dialled, and Cancel: disabled while it is under way), "No callbacks arranged", and what the last read, Cancel or Move
   * said. Move shows the row's editor in place of its buttons (the agent's local time, at first the callback's due time,
   * not before now; Save, off while on its way; Keep; a refusal in the row). Rows are kept by call id from one render to
   * the next, the row that holds the focus never taken out of the page (what is typed in an open editor and the focus
   * stay); when the focused row goes (cancelled), the focus moves to the next row's Cancel (or the panel).
   */
  renderMyCallbacks(s: MyCallbacksSnapshot, now = new Date()): void {
    const m = myCallbacksModel(s, now);
    this.myCallbacksCount.hidden = m.count === '';
    this.myCallbacksCount.textContent = m.count;
    this.myCallbacksCount.title = m.count === '' ? '' : `${m.count} open ${m.count === '1' ? 'callback' : 'callbacks'}`;
    // (the row that holds the focus, or held it until its Cancel was disabled, when it goes: its place in the list)
    const active = this.#doc.activeElement;
    const lost = active === null || active === this.#doc.body;
    const focusedRow = [...this.myCallbacksList.children].findIndex((li) => {
      const id = (li as HTMLElement).dataset.callId;
      return (li.contains(active) || (lost && id === this.#callbackFocus)) && !m.rows.some((r) => r.callId === id);
    });
    const wanted = m.rows.map((r) => {
      let li = this.#callbackRows.get(r.callId);
      if (li === undefined) {
        li = this.#callbackRow(r);
        this.#callbackRows.set(r.callId, li);
      }
      this.#renderCallbackRow(li, r, m.moveMin, li.contains(active) || (lost && r.callId === this.#callbackFocus));
      return li;
    });
    // the list in the server's order, moving only what moved; the row that holds the focus stays in the page (taken
    // out, it would lose the focus): the rows before its place go after it instead
    const list = this.myCallbacksList;
    for (const li of [...list.children]) if (!wanted.includes(li as HTMLLIElement)) li.remove();
    const pinned = wanted.find((li) => li.contains(active));
    wanted.forEach((li, i) => {
      const at = list.children[i] ?? null;
      if (at === li) return;
      if (li !== pinned || at === null) {
        list.insertBefore(li, at);
        return;
      }
      const between: Element[] = [];
      for (let n: Element | null = at; n !== null && n !== li; n = n.nextElementSibling) between.push(n);
      li.after(...between);
    });
    for (const id of [...this.#callbackRows.keys()]) if (!m.rows.some((r) => r.callId === id)) this.#callbackRows.delete(id);
    if (focusedRow >= 0) {
      const next = wanted[Math.min(focusedRow, wanted.length - 1)]?.querySelector<HTMLButtonElement>('[data-testid="my-callback-cancel"]');
      if (next && !next.disabled && !next.hidden) next.focus();
      else this.myCallbacks.focus();
    }
    this.myCallbacksEmpty.hidden = !m.empty;
    this.myCallbacksMore.hidden = m.more === '';
    this.myCallbacksMore.textContent = m.more === '' ? '' : `Showing ${m.more}.`;
    // (live regions: only a change is written, and so announced)
    if (this.myCallbacksStatus.textContent !== m.status) this.myCallbacksStatus.textContent = m.status;
    this.myCallbacksStatus.hidden = m.status === '';
    if (this.myCallbacksError.textContent !== m.refusal) this.myCallbacksError.textContent = m.refusal;
    this.myCallbacksError.hidden = m.refusal === '';
  }

  /** The value typed in a row's Move editor (`form`: the editor, as the app's submit listener gets it). */
  callbackMoveValue(form: HTMLFormElement): string {
    return form.querySelector<HTMLInputElement>('input')?.value ?? '';
  }

  /** A new row of "My callbacks": its words, Move and Cancel, and its Move editor (hidden). */
  #callbackRow(r: CallbackRow): HTMLLIElement {
    const doc = this.#doc;
    const make = <K extends keyof HTMLElementTagNameMap>(tag: K, testId: string, props: Partial<HTMLElementTagNameMap[K]> = {}): HTMLElementTagNameMap[K] => {
      const el = Object.assign(doc.createElement(tag), props);
      el.setAttribute('data-testid', testId);
      return el;
    };
    const li = make('li', 'my-callback');
    li.dataset.callId = r.callId;
    const text = make('span', 'my-callback-text', { className: 'text' });
    const actions = make('span', 'my-callback-actions', { className: 'actions' });
    const move = make('button', 'my-callback-move', { type: 'button', textContent: 'Move' });
    move.setAttribute('aria-expanded', 'false');
    const cancel = make('button', 'my-callback-cancel', { type: 'button' });
    actions.append(move, cancel);
    const form = make('form', 'my-callback-move-form', { className: 'move', noValidate: true, hidden: true });
    const at = make('input', 'my-callback-move-at', { type: 'datetime-local', required: true });
    const save = make('button', 'my-callback-move-save', { type: 'submit', className: 'primary', textContent: 'Save' });
    const keep = make('button', 'my-callback-move-keep', { type: 'button', textContent: 'Keep', title: 'Keep the time it has' });
    const error = make('p', 'my-callback-move-error', { className: 'error', hidden: true });
    error.setAttribute('role', 'alert');
    form.append(at, save, keep, error);
    for (const el of [move, cancel, form, save, keep]) el.dataset.callId = r.callId;
    li.append(text, actions, form);
    return li;
  }

  /**
   * One row of "My callbacks": "tomorrow 09:00 · +3725551234 · support · 2 attempts", its Move and Cancel, and its Move
   * editor: opened, it is filled with the time offered (not before `moveMin`) and takes the focus; while open, what was
   * typed stays; closed while it held the focus (`focused`), the focus goes to Move (or Cancel, being dialled now).
   */
  #renderCallbackRow(li: HTMLLIElement, r: CallbackRow, moveMin: string, focused: boolean): void {
    li.dataset.state = r.state;
    const doc = this.#doc;
    const part = (cls: string, text: string): HTMLElement => {
      const el = doc.createElement('span');
      el.className = cls;
      el.textContent = text;
      return el;
    };
    let due: HTMLElement;
    if (r.dueAt !== undefined) {
      const time = doc.createElement('time');
      time.className = 'due';
      time.dateTime = r.dueAt;
      time.textContent = r.due;
      time.title = new Date(r.dueAt).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
      due = time;
    } else {
      due = part('due', r.due);
    }
    const rest = (
      [
        ['number', r.number],
        ['queue', r.queue],
        ['attempts', r.attempts],
      ] as const
    ).filter(([, t]) => t !== '');
    li.querySelector('.text')!.replaceChildren(due, ...rest.flatMap(([cls, t]) => [part('sep', ' · '), part(cls, t)]));
    const $ = <T extends HTMLElement>(testId: string): T => li.querySelector<T>(`[data-testid="${testId}"]`)!;
    const cancel = $<HTMLButtonElement>('my-callback-cancel');
    const move = $<HTMLButtonElement>('my-callback-move');
    const form = $<HTMLFormElement>('my-callback-move-form');
    const at = $<HTMLInputElement>('my-callback-move-at');
    const error = $('my-callback-move-error');
    const open = r.move !== undefined;
    const opening = open && form.hidden;
    const closing = !open && !form.hidden;
    const focusWasIn = closing && (form.contains(doc.activeElement) || focused);
    if (opening) {
      at.min = moveMin;
      at.value = r.moveFrom;
    }
    form.hidden = !open;
    move.hidden = !r.movable || open;
    move.disabled = r.cancelling;
    move.setAttribute('aria-expanded', String(open));
    move.setAttribute('aria-label', `Move the callback to ${r.number || 'the caller'} (${r.due}) to another time`);
    cancel.hidden = !r.open || open;
    cancel.disabled = r.cancelling;
    cancel.textContent = r.cancelling ? 'Cancelling…' : 'Cancel';
    cancel.setAttribute('aria-label', `Cancel the callback to ${r.number || 'the caller'} (${r.due})`);
    at.setAttribute('aria-label', `When to call ${r.number || 'the caller'} back`);
    $<HTMLButtonElement>('my-callback-move-save').disabled = r.move?.saving ?? false;
    const refusal = r.move?.error ?? '';
    if (error.textContent !== refusal) error.textContent = refusal;
    error.hidden = refusal === '';
    if (opening) at.focus();
    else if (focusWasIn) (!move.hidden ? move : !cancel.hidden ? cancel : this.myCallbacks).focus();
  }

  /** The calls waiting in the agent's queues: "support: 2 waiting (longest 1:05)"; the longest wait ticks. */
  showQueues(queues: QueueWaiting[]): void {
    this.#queues = queues;
    this.#renderQueues();
    if (this.#queuesTimer === undefined && queues.some((q) => q.longestSince !== null)) {
      this.#queuesTimer = setInterval(() => this.#renderQueues(), 1000);
    } else if (this.#queuesTimer !== undefined && !queues.some((q) => q.longestSince !== null)) {
      clearInterval(this.#queuesTimer);
      this.#queuesTimer = undefined;
    }
  }

  #renderQueues(): void {
    const now = Date.now();
    this.myQueues.textContent =
      this.#queues.length === 0
        ? 'none'
        : this.#queues
            .map((q) =>
              q.waiting === 0
                ? `${q.queue}: none waiting`
                : `${q.queue}: ${q.waiting} waiting${q.longestSince === null ? '' : ` (longest ${clock((now - toEpochMs(q.longestSince)) / 1000)})`}`,
            )
            .join(' · ');
  }

  showLogin(error?: string): void {
    this.deskView.hidden = true;
    this.who.hidden = true;
    this.loginView.hidden = false;
    this.loginBusy(false);
    this.loginMessage(error);
    this.password.value = '';
    this.username.focus();
  }

  loginBusy(busy: boolean): void {
    this.loginSubmit.disabled = busy;
    this.loginSubmit.textContent = busy ? 'Signing in…' : 'Sign in';
  }

  loginMessage(error?: string): void {
    this.loginError.hidden = !error;
    this.loginError.textContent = error ?? '';
  }

  showDesk(name: string): void {
    this.loginView.hidden = true;
    this.deskView.hidden = false;
    this.who.hidden = false;
    this.agentName.textContent = name;
    this.#doc.title = `${name} — agent softphone`;
  }

  /** Who is coaching the agent now (null: nobody), and whether they joined the call (the caller hears them too). */
  showCoach(coach: string | null, inCall: boolean): void {
    this.coach.hidden = coach === null;
    this.coach.textContent = coach === null ? '' : inCall ? `${coach} joined the call — the caller hears them too` : `${coach} is coaching you — only you hear them`;
  }

  deskMessage(error?: string): void {
    this.deskError.hidden = !error;
    this.deskError.textContent = error ?? '';
  }

  renderAgentState(state: AgentState, reason: string | undefined, socketOpen: boolean, onCall: boolean): void {
    this.agentState.textContent = state;
    this.agentState.dataset.state = state;
    this.agentStateReason.textContent = state === 'not-ready' && reason ? `(${reason})` : '';
    this.ready.disabled = !socketOpen || onCall || !(state === 'not-ready' || state === 'logged-out');
    this.notReady.disabled = !socketOpen || onCall || !(state === 'ready' || state === 'not-ready' || state === 'logged-out');
    this.wrapup.hidden = state !== 'wrap-up';
  }

  /**
   * The reasons the agent may give for going not ready, in the admin's order (their labels shown, their codes sent), the
   * first chosen (or with `keepChoice`, the agent's choice while it is still offered). None: the page's own list stays.
   */
  renderNotReadyReasons(reasons: readonly NotReadyReason[], keepChoice = false): void {
    if (reasons.length === 0) return;
    const chosen = this.notReadyReason.value;
    this.notReadyReason.replaceChildren(
      ...reasons.map((r) => {
        const o = this.#doc.createElement('option');
        o.value = r.code;
        o.textContent = r.label;
        return o;
      }),
    );
    this.notReadyReason.value = keepChoice && reasons.some((r) => r.code === chosen) ? chosen : reasons[0]!.code;
  }

  renderWrapUp(secondsLeft: number | undefined): void {
    this.wrapupCountdown.textContent = secondsLeft === undefined ? '—' : clock(Math.ceil(secondsLeft));
  }

  /** The disposition form of the agent's last call (hidden when its queue asks for none). */
  renderDisposition(f: Filing | undefined): void {
    this.disposition.hidden = f === undefined;
    if (f === undefined) return;
    this.dispositionCall.textContent = `(${f.queue} call)`;
    // a new call's list starts on "Choose…", so that nothing looks filed before the agent picks
    const current = [...this.dispositionCode.options].slice(1).map((o) => o.value);
    if (this.disposition.dataset.callId !== f.callId || current.length !== f.choices.length || current.some((v, i) => v !== f.choices[i])) {
      const option = (value: string, text: string): HTMLOptionElement => {
        const o = this.#doc.createElement('option');
        o.value = value;
        o.textContent = text;
        return o;
      };
      const placeholder = option('', 'Choose…');
      placeholder.disabled = true;
      this.dispositionCode.replaceChildren(placeholder, ...f.choices.map((c) => option(c, c)));
      this.dispositionCode.value = f.saved ?? '';
    }
    this.disposition.dataset.callId = f.callId;
    this.dispositionSave.disabled = f.busy;
    this.dispositionStatus.textContent = f.error ? f.error : f.saved ? `Saved: ${f.saved}` : 'Not filed yet';
    this.dispositionStatus.className = f.error ? 'error' : 'muted';
  }

  /** The note form of the agent's call (hidden without one); another call's form starts empty. */
  renderNote(n: NoteDraft | undefined): void {
    renderNoteBox({ form: this.noteForm, text: this.noteText, save: this.noteSave, status: this.noteStatus }, n);
    this.noteCall.textContent = n?.queue ? `(${n.queue} call)` : '';
  }

  /** The note box of the agent's answered call to a number, in "Call a number" (hidden without one); another call's starts empty. */
  renderDialNote(n: NoteDraft | undefined): void {
    renderNoteBox({ form: this.dialNoteForm, text: this.dialNoteText, save: this.dialNoteSave, status: this.dialNoteStatus }, n);
  }

  /** The callback form of the agent's call (hidden without one); another call's form starts empty. */
  renderCallback(c: CallbackDraft | undefined): void {
    this.callbackForm.hidden = c === undefined;
    if (this.callbackForm.dataset.callId !== c?.callId) this.clearCallbackInputs();
    if (c === undefined) {
      delete this.callbackForm.dataset.callId;
      return;
    }
    this.callbackForm.dataset.callId = c.callId;
    this.callbackCall.textContent = c.queue ? `(${c.queue} queue, offered to you first)` : '';
    this.callbackArrange.disabled = c.busy;
    this.callbackResult.hidden = c.arranged === undefined;
    this.callbackResult.textContent = c.arranged ? callbackArrangedText(c.arranged) : '';
    this.callbackError.hidden = c.error === undefined;
    this.callbackError.textContent = c.error ?? '';
  }

  /** Empties the callback form's time and number (a new call, or the callback was arranged). */
  clearCallbackInputs(): void {
    this.callbackAt.value = '';
    this.callbackNumber.value = '';
  }

  /** The notes on the call on screen and its customer's earlier calls (nothing without a call). */
  renderCallerHistory(h: CallerHistoryView | undefined): void {
    const notes = h?.history?.notes ?? [];
    const calls = h?.history?.previousCalls ?? [];
    this.callNotesBox.hidden = notes.length === 0;
    this.callNotes.replaceChildren(
      ...notes.map((n) => {
        const li = this.#doc.createElement('li');
        li.textContent = noteLine(n);
        if (n.at) li.title = new Date(n.at).toLocaleString();
        return li;
      }),
    );
    this.previousCallsBox.hidden = h === undefined;
    this.previousCalls.replaceChildren(
      ...calls.map((c) => {
        const li = this.#doc.createElement('li');
        li.dataset.testid = 'previous-call';
        li.textContent = previousCallText(c);
        return li;
      }),
    );
    const status =
      h === undefined ? '' : h.error !== undefined ? `Could not read the caller's history: ${h.error}` : h.history === undefined ? 'Reading…' : calls.length === 0 ? 'No earlier calls' : '';
    this.previousCallsStatus.hidden = status === '';
    this.previousCallsStatus.textContent = status;
  }

  /** What the incoming panel says of auto-answer ("Answering automatically in 2 s…"); undefined: nothing. */
  renderAutoAnswer(note: string | undefined): void {
    this.autoAnswerNote.hidden = note === undefined;
    this.autoAnswerNote.textContent = note ?? '';
  }

  renderSip(status: RegistrationStatus, detail: string): void {
    this.sipStatus.textContent = status;
    this.sipStatus.dataset.state = status;
    this.sipDetail.textContent = detail;
  }

  renderSocket(status: SocketStatus): void {
    this.socketStatus.textContent = status === 'open' ? 'connected' : status;
  }

  /** The call on the desk; `consulting`: the agent's consult is up (it holds the caller: Hold, Transfer and Consult wait). */
  renderCall(s: CallDeskSnapshot, consulting = false): void {
    const visible = s.state !== 'idle';
    this.incoming.hidden = !visible;
    this.incoming.dataset.callState = s.state;
    this.callTitle.textContent = CALL_TITLES[s.state];
    this.callStatus.textContent =
      s.state === 'offered'
        ? 'Waiting for the call to ring…'
        : s.state === 'ringing'
          ? 'Ringing — answer when ready.'
          : s.state === 'elsewhere'
            ? `Answered on your ${s.device === 'softphone' ? 'other softphone' : 'desk phone'}.`
            : '';
    if (visible) this.#renderContext(s.context);
    const live = s.state === 'active' || s.state === 'held';
    this.answer.hidden = !(s.state === 'offered' || s.state === 'ringing');
    this.answer.disabled = s.state !== 'ringing';
    this.decline.hidden = this.answer.hidden;
    this.decline.disabled = s.state !== 'ringing';
    this.hold.hidden = !live;
    this.hold.disabled = s.holdPending || consulting;
    this.hold.textContent = s.state === 'held' ? 'Resume' : 'Hold';
    this.hold.setAttribute('aria-pressed', String(s.state === 'held'));
    this.mute.hidden = !live;
    this.mute.textContent = s.muted ? 'Unmute' : 'Mute';
    this.mute.setAttribute('aria-pressed', String(s.muted));
    this.hangup.hidden = !(live || s.state === 'connecting' || s.state === 'elsewhere');
    // (a consult call is not for passing on: the customer's call it is about is its agent's to transfer)
    const consultCall = s.context?.consult !== undefined;
    this.transferRow.hidden = !(live || s.state === 'elsewhere') || consultCall || this.transferQueue.options.length === 0;
    this.transfer.disabled = s.holdPending || s.transferPending === true || consulting;
    // (a call on another device is consulted from that device)
    this.consult.hidden = !live;
    this.consult.disabled = s.holdPending || s.transferPending === true || consulting;
    // a link only to a caller in the browser widget (a phone has no browser to open it in)
    const browserCaller = s.context !== undefined && s.context.caller === 'web' && !s.context.callback;
    this.linkForm.hidden = !((live || s.state === 'elsewhere') && browserCaller && s.callId !== undefined);
    this.callError.hidden = !s.error;
    this.callError.textContent = s.error ?? '';
    if (!visible && s.error) {
      // The call is gone but the agent should see why.
      this.deskMessage(s.error);
    }
  }

  /**
   * The agent's consult: whom, "ringing" until the other agent answers, then "talking" (Complete transfer and Conference
   * work); in a conference, "Conference with" whom, and its Cancel ends the conference. Dialled from the desk phone
   * (elsewhere): no Conference, this page having neither call's media. None: hidden.
   */
  renderConsult(c: ConsultSnapshot | undefined): void {
    this.consultPanel.hidden = c === undefined;
    const talking = c?.state === 'talking' || c?.state === 'completing';
    this.consultState.textContent = !c
      ? ''
      : c.conference
        ? `Conference with ${c.target}`
        : c.state === 'joining'
          ? `Consulting ${c.target}: taking the caller off hold…`
          : `Consulting ${c.target}: ${talking ? 'talking' : 'ringing'}`;
    this.consultComplete.disabled = c?.state !== 'talking' && c?.state !== 'conference';
    this.consultConference.hidden = c?.conference === true || c?.elsewhere === true;
    this.consultConference.disabled = c?.state !== 'talking';
    this.consultCancel.textContent = c?.conference ? 'End conference' : 'Cancel consult';
    this.consultCancel.disabled = c === undefined || c.state === 'completing';
  }

  /**
   * "Call a number": shown while the agent may dial numbers (or a call to one is on), with the numbers allowed; Call (off
   * unless `canCall`: no other call, this page's phone registered), Hang up while the call is on; how it goes ("Ringing
   * +3725551234…", "Talking with +3725551234 0:12", "Call to +3725551234 ended (busy)") and why a number was not called.
   */
  renderDial(d: DialSnapshot, canCall: boolean, now = Date.now()): void {
    const on = dialInProgress(d);
    this.dialPanel.hidden = !(d.settings?.allowed === true || on);
    const hint = prefixesText(d.settings?.allowedPrefixes ?? []);
    this.dialHint.hidden = hint === '';
    this.dialHint.textContent = hint;
    this.dialCall.disabled = !canCall || d.settings?.allowed !== true;
    this.dialHangup.hidden = !on;
    this.dialHangup.disabled = d.hangingUp;
    // (a live region: only a change is written, and so announced; the clock beside it is not)
    const status = dialStatusText(d.call);
    if (this.dialStatusText.textContent !== status) this.dialStatusText.textContent = status;
    const clock = talkClock(d.call, now);
    this.dialClock.textContent = clock === '' ? '' : ` ${clock}`;
    this.dialStatus.hidden = status === '';
    this.dialStatus.dataset.state = d.call?.state ?? '';
    if (this.dialError.textContent !== (d.error ?? '')) this.dialError.textContent = d.error ?? '';
    this.dialError.hidden = d.error === undefined;
  }

  /** The name of the target chosen in the Transfer list (what it shows). */
  transferTargetName(): string {
    return this.transferQueue.selectedOptions[0]?.textContent ?? this.transferQueue.value;
  }

  /**
   * The recording of the call the agent is connected to: "● Recording" or "Recording paused", and the button that pauses or
   * resumes it (hidden when the call is not recorded, or the agent is not connected to it).
   */
  renderRecording(r: RecordingControl | undefined): void {
    this.recording.hidden = r === undefined;
    const paused = r?.paused === true;
    // (the state is a live region: only a change is written, and so announced)
    if (this.recording.dataset.paused !== String(paused)) {
      this.recording.dataset.paused = String(paused);
      if (paused) {
        this.recordingState.textContent = 'Recording paused';
      } else {
        const dot = this.#doc.createElement('span');
        dot.className = 'recording-dot';
        dot.setAttribute('aria-hidden', 'true');
        dot.textContent = '●';
        this.recordingState.replaceChildren(dot, ' Recording');
      }
    }
    this.recordingToggle.textContent = paused ? 'Resume recording' : 'Pause recording';
    this.recordingToggle.setAttribute('aria-pressed', String(paused));
    this.recordingToggle.disabled = r === undefined || r.busy;
    this.recordingError.hidden = !r?.error;
    this.recordingError.textContent = r?.error ?? '';
  }

  /** The links sent in this call (newest first) and why the last one was refused, if it was. */
  renderLinks(l: SentLinks | undefined): void {
    this.linkSend.disabled = l?.busy === true;
    this.linkError.hidden = !l?.error;
    this.linkError.textContent = l?.error ?? '';
    this.linksSent.replaceChildren(
      ...(l?.sent ?? []).map((link) => {
        const li = this.#doc.createElement('li');
        const a = this.#doc.createElement('a');
        a.textContent = link.title ?? link.url;
        if (/^https?:\/\//i.test(link.url)) a.href = link.url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        li.append(a);
        const note = [link.title === null ? '' : link.url, link.customerConnected ? '' : "(the customer's page was not connected)"].filter(Boolean).join(' ');
        if (note) {
          const span = this.#doc.createElement('span');
          span.className = 'muted';
          span.textContent = ` ${note}`;
          li.append(span);
        }
        return li;
      }),
    );
  }

  clearLinkInputs(): void {
    this.linkUrl.value = '';
    this.linkTitle.value = '';
  }

  /** The queues and agents the Transfer control offers (value: the target's SIP URI). */
  renderTransferTargets(targets: { queues: readonly { name: string; uri: string }[]; agents: readonly { name: string; uri: string }[] }): void {
    const group = (label: string, list: readonly { name: string; uri: string }[]): HTMLOptGroupElement => {
      const g = this.#doc.createElement('optgroup');
      g.label = label;
      for (const t of list) {
        const o = this.#doc.createElement('option');
        o.value = t.uri;
        o.textContent = t.name;
        g.append(o);
      }
      return g;
    };
    this.transferQueue.replaceChildren(group('Queues', targets.queues), ...(targets.agents.length ? [group('Agents', targets.agents)] : []));
  }

  #renderContext(ctx: OfferContext | undefined): void {
    const $ = (id: string): HTMLElement => byId(this.#doc, id);
    const url = byId<HTMLAnchorElement>(this.#doc, 'incoming-page-url');
    url.textContent = ctx?.page.url ?? '';
    if (ctx?.page.url && /^https?:\/\//.test(ctx.page.url)) url.href = ctx.page.url;
    else url.removeAttribute('href');
    $('incoming-page-title').textContent = ctx?.page.title ?? '';
    $('incoming-category').textContent = ctx?.page.category ?? '—';
    $('incoming-language').textContent = ctx?.language ?? '';
    $('incoming-language-name').textContent = ctx?.language ? englishLanguageName(ctx.language) : '';
    $('incoming-queue').textContent = ctx?.queue ?? '';
    $('incoming-caller').textContent = ctx ? callerText(ctx) : '';
    $('incoming-ivr').textContent = ctx && ctx.ivr.length > 0 ? ctx.ivr.join(' › ') : '—';
    $('incoming-wait').textContent = ctx ? `${Math.round(ctx.waitedSeconds)} s` : '';
    $('incoming-customer').textContent = ctx?.customerId ?? '—';
    this.consultFrom.hidden = ctx?.consult === undefined;
    this.consultFrom.textContent = ctx?.consult ? `Consult from ${ctx.consult.from}` : '';
    const list = $('incoming-history');
    list.replaceChildren(
      ...(ctx?.history ?? []).map((p) => {
        const li = this.#doc.createElement('li');
        const title = this.#doc.createElement('span');
        title.textContent = p.title || p.url;
        title.title = p.url;
        const url = this.#doc.createElement('span');
        url.className = 'muted';
        url.textContent = ` ${p.url}`;
        li.append(title, url);
        const at = Date.parse(p.at);
        if (Number.isFinite(at)) {
          const time = this.#doc.createElement('time');
          time.dateTime = new Date(at).toISOString();
          time.textContent = new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
          li.append(time);
        }
        return li;
      }),
    );
  }
}
