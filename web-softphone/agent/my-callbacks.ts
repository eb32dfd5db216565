/**
 * "My callbacks": the personal callbacks the agent arranged that are still to be made (GET /api/agent/callbacks), the
 * next due first, each with a Cancel (DELETE /api/agent/callbacks/:callId) and, unless it is being dialled, a Move to
 * another time (PUT /api/agent/callbacks/:callId). Reading the answer and the words of each row are pure (unit tested
 * in Node); MyCallbacks keeps the list fresh without overlapping reads and knows whose Move editor is open;
 * agent-view.ts draws it.
 */
import { WebError, userMessage } from '../shared/errors.ts';
import { toEpochMs } from '../shared/format.ts';
import { localInputToIso, localInputValue, moveDefault } from '../shared/local-time.ts';
import { dayAndTime } from './caller-history.ts';

export type CallbackState = 'waiting' | 'scheduled' | 'dialing' | 'completed' | 'failed' | 'cancelled';
const STATES: readonly string[] = ['waiting', 'scheduled', 'dialing', 'completed', 'failed', 'cancelled'];

/** One of the agent's callbacks, as the server tells it. */
export interface MyCallback {
  callId: string;
  queueId: number | null;
  queue: string;
  number: string;
  /** waiting: in line now; scheduled: due at scheduledFor; dialing: the customer is being dialled now */
  state: CallbackState;
  attempts: number;
  requestedAt: string;
  scheduledFor: string | null;
  updatedAt: string;
}

/** A page of the agent's callbacks: `total` of them in all (more than `items` when there are more than a page). */
export interface MyCallbackList {
  items: MyCallback[];
  total: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The answer of GET /api/agent/callbacks; an entry without a callId or a known state is left out, one without items refused. */
export function parseMyCallbacks(v: unknown): MyCallbackList {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  if (!Array.isArray(o.items)) throw new WebError('WEB_ERR_BAD_RESPONSE', 'GET /api/agent/callbacks: no items in the answer');
  const items = o.items
    .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object' && str((c as Record<string, unknown>).callId) !== null && STATES.includes(String((c as Record<string, unknown>).state)))
    .map((c) => ({
      callId: c.callId as string,
      queueId: num(c.queueId),
      queue: str(c.queue) ?? '',
      number: str(c.number) ?? '',
      state: c.state as CallbackState,
      attempts: Math.max(0, num(c.attempts) ?? 0),
      requestedAt: str(c.requestedAt) ?? '',
      scheduledFor: str(c.scheduledFor),
      updatedAt: str(c.updatedAt) ?? '',
    }));
  return { items, total: Math.max(num(o.total) ?? items.length, items.length) };
}

const pad = (n: number): string => String(n).padStart(2, '0');
const dayOf = (d: Date, plus = 0): number => new Date(d.getFullYear(), d.getMonth(), d.getDate() + plus).getTime();

/** An instant in the agent's time: "today 14:30", "tomorrow 09:00", "yesterday 17:05", else "5 May 14:30" ("5 May 2027 14:30" in another year). */
export function localWhen(iso: string, now = new Date()): string {
  const d = new Date(toEpochMs(iso));
  if (Number.isNaN(d.getTime())) return iso;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const day = dayOf(d);
  if (day === dayOf(now)) return `today ${time}`;
  if (day === dayOf(now, 1)) return `tomorrow ${time}`;
  if (day === dayOf(now, -1)) return `yesterday ${time}`;
  return dayAndTime(d.toISOString(), now);
}

/**
 * When the callback is made: "in line now", "being dialled", its due time in the agent's time ("tomorrow 09:00"; "due
 * since today 14:30" once past, the queue closed meanwhile say), or what became of it ("done", "failed", "cancelled").
 */
export function callbackDueText(c: Pick<MyCallback, 'state' | 'scheduledFor'>, now = new Date()): string {
  switch (c.state) {
    case 'waiting':
      return 'in line now';
    case 'dialing':
      return 'being dialled';
    case 'scheduled': {
      const at = c.scheduledFor === null ? Number.NaN : toEpochMs(c.scheduledFor);
      if (!Number.isFinite(at)) return 'as soon as possible';
      const when = localWhen(c.scheduledFor!, now);
      return at <= now.getTime() ? `due since ${when}` : when;
    }
    case 'completed':
      return 'done';
    default:
      return c.state;
  }
}

/** "1 attempt", "3 attempts"; '' before the first. */
export function attemptsText(attempts: number): string {
  return attempts <= 0 ? '' : `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`;
}

/** Whether a callback may be moved to another time: it is still to be made and not being dialled. */
export function movable(state: CallbackState): boolean {
  return state === 'waiting' || state === 'scheduled';
}

/**
 * The instant (ISO) a Move editor's value asks for: its datetime-local value read as the agent's local time, refused on
 * the page (in these words) when it is empty or not a time, or not after `now`.
 */
export function moveAt(value: string, now: number): { at: string } | { error: string } {
  const at = localInputToIso(value);
  if (at === null) return { error: 'Choose the day and time to call back.' };
  if (Date.parse(at) <= now) return { error: 'Choose a time in the future.' };
  return { at };
}

/** The words of one row of the panel, whether its Cancel is under way, and its Move editor. */
export interface CallbackRow {
  callId: string;
  state: CallbackState;
  due: string;
  /** the due instant (ISO), for a scheduled callback */
  dueAt?: string;
  number: string;
  queue: string;
  attempts: string;
  /** still to be made: it may be cancelled */
  open: boolean;
  cancelling: boolean;
  /** not being dialled: it may be moved to another time */
  movable: boolean;
  /** the time its Move editor offers when it opens (a datetime-local value: when it is due, else an hour from now) */
  moveFrom: string;
  /** its Move editor is open: whether Save is on its way, and why the last one was refused ('' : not refused) */
  move?: { saving: boolean; error: string };
}

/** "tomorrow 09:00 · +3725551234 · support · 2 attempts" (what is not known is left out). */
export function callbackRowText(r: Pick<CallbackRow, 'due' | 'number' | 'queue' | 'attempts'>): string {
  return [r.due, r.number, r.queue, r.attempts].filter((p) => p !== '').join(' · ');
}

/** What MyCallbacks knows: the list last read (none yet: undefined), the reads and cancels under way, and what the last ones said. */
export interface MyCallbacksSnapshot {
  list?: MyCallbackList;
  reading: boolean;
  /** why the last read failed (the list shown is then the one before) */
  readError?: string;
  /** the callbacks whose Cancel is under way */
  cancelling: ReadonlySet<string>;
  /** the server's refusal of the last Cancel, in its words, and the number it was about */
  refusal?: { number: string; message: string };
  /** the number of the callback cancelled last (said until the next Cancel or Move) */
  cancelled?: string;
  /** the callback whose Move editor is open (one at a time), whether its Save is on its way, and why the last was refused */
  moving?: { callId: string; saving: boolean; error?: string };
  /** the callback moved last and its new time (ISO; said until the next Cancel or Move) */
  moved?: { number: string; at: string };
}

/** Everything the panel shows, from a snapshot. */
export interface MyCallbacksModel {
  /** the heading's count ('' before the first read) */
  count: string;
  rows: CallbackRow[];
  /** "No callbacks arranged" is shown */
  empty: boolean;
  /** "the next 100 of 123" when the list is longer than a page ('' else) */
  more: string;
  /** the polite status line: reading, a failed read, a Cancel or a Move done ('' : none) */
  status: string;
  /** the refusal of the last Cancel ('' : none) */
  refusal: string;
  /** the earliest time a Move editor takes (a datetime-local value: now) */
  moveMin: string;
}

const OPEN: readonly CallbackState[] = ['waiting', 'scheduled', 'dialing'];

export function myCallbacksModel(s: MyCallbacksSnapshot, now = new Date()): MyCallbacksModel {
  const items = s.list?.items ?? [];
  const rows = items.map((c): CallbackRow => ({
    callId: c.callId,
    state: c.state,
    due: callbackDueText(c, now),
    ...(c.state === 'scheduled' && c.scheduledFor !== null && Number.isFinite(toEpochMs(c.scheduledFor)) ? { dueAt: new Date(toEpochMs(c.scheduledFor)).toISOString() } : {}),
    number: c.number,
    queue: c.queue,
    attempts: attemptsText(c.attempts),
    open: OPEN.includes(c.state),
    cancelling: s.cancelling.has(c.callId),
    movable: movable(c.state),
    moveFrom: moveDefault(c, now.getTime()),
    ...(s.moving?.callId === c.callId && movable(c.state) ? { move: { saving: s.moving.saving, error: s.moving.error ?? '' } } : {}),
  }));
  const total = s.list?.total ?? 0;
  const status =
    s.readError !== undefined
      ? `Could not read your callbacks: ${s.readError}`
      : s.list === undefined
        ? s.reading
          ? 'Reading…'
          : ''
        : s.cancelled !== undefined
          ? `Callback to ${s.cancelled} cancelled`
          : s.moved !== undefined
            ? `Callback to ${s.moved.number} moved to ${localWhen(s.moved.at, now)}`
            : '';
  return {
    count: s.list === undefined ? '' : String(total),
    rows,
    empty: s.list !== undefined && items.length === 0,
    more: total > items.length ? `the next ${items.length} of ${total}` : '',
    status,
    refusal: s.refusal === undefined ? '' : `Callback to ${s.refusal.number} not cancelled: ${s.refusal.message}`,
    moveMin: localInputValue(now.getTime()),
  };
}

export interface MyCallbacksDeps {
  read(): Promise<MyCallbackList>;
  cancel(callId: string): Promise<void>;
  /** moves a callback to `at` (ISO); answers its new time (ISO; null: not said) */
  move(callId: string, at: string): Promise<{ scheduledFor: string | null }>;
  render(s: MyCallbacksSnapshot): void;
  /** told of a read, a Cancel or a Move that failed (for the log) */
  failed?(what: 'read' | 'cancel' | 'move', err: unknown, callId?: string): void;
  /** how often the list is read again while open (ms) */
  everyMs: number;
}

/**
 * The agent's callbacks while they are signed in: read at start() and every `everyMs`, again on refresh() (after a
 * callback is arranged, say) and after each Cancel or Move. One read at a time: a refresh asked for meanwhile reads once
 * more when it is answered. Cancel takes the row off when the server says done; a refusal is kept in the server's words.
 * Move opens the editor of one callback (openMove; keepMove closes it) whose move() sends the time typed: done, the
 * editor closes and the new time is said; refused (on the page or by the server), the editor stays open with why. The
 * editor stays open across reads until its callback leaves the list or is being dialled. close() stops it all (answers
 * that come later are dropped).
 */
export class MyCallbacks {
  readonly #deps: MyCallbacksDeps;
  #list: MyCallbackList | undefined;
  #reading = false;
  #again = false;
  #readError: string | undefined;
  readonly #cancelling = new Set<string>();
  /** callbacks cancelled while the read under way was asked: its answer may still have them */
  #cancelledMeanwhile = new Set<string>();
  #refusal: { number: string; message: string } | undefined;
  #cancelled: string | undefined;
  /** the open Move editor; `opened` tells one opening from the next (an answer to an editor closed since is not shown in it) */
  #moving: { callId: string; saving: boolean; error?: string; opened: number } | undefined;
  #opened = 0;
  #moved: { number: string; at: string } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(deps: MyCallbacksDeps) {
    this.#deps = deps;
  }

  get snapshot(): MyCallbacksSnapshot {
    return {
      ...(this.#list ? { list: this.#list } : {}),
      reading: this.#reading,
      ...(this.#readError !== undefined ? { readError: this.#readError } : {}),
      cancelling: new Set(this.#cancelling),
      ...(this.#refusal ? { refusal: this.#refusal } : {}),
      ...(this.#cancelled !== undefined ? { cancelled: this.#cancelled } : {}),
      ...(this.#moving ? { moving: { callId: this.#moving.callId, saving: this.#moving.saving, ...(this.#moving.error !== undefined ? { error: this.#moving.error } : {}) } } : {}),
      ...(this.#moved ? { moved: this.#moved } : {}),
    };
  }

  /** Reads the list now and every `everyMs`. */
  start(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.refresh();
    this.#timer = setInterval(() => this.refresh(), this.#deps.everyMs);
  }

  /** Reads the list again (once the read under way is answered, when there is one). */
  refresh(): void {
    if (this.#closed) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    this.#cancelledMeanwhile = new Set();
    this.#render();
    this.#deps.read().then(
      (list) => {
        if (this.#closed) return;
        const gone = this.#cancelledMeanwhile;
        const items = list.items.filter((c) => !gone.has(c.callId));
        this.#list = { items, total: Math.max(items.length, list.total - (list.items.length - items.length)) };
        this.#readError = undefined;
        this.#dropStaleMove();
        this.#answered();
      },
      (err: unknown) => {
        if (this.#closed) return;
        this.#deps.failed?.('read', err);
        this.#readError = userMessage(err);
        this.#answered();
      },
    );
  }

  #answered(): void {
    this.#reading = false;
    this.#render();
    if (this.#again) {
      this.#again = false;
      this.refresh();
    }
  }

  /** Cancels one of the listed callbacks (not twice at once); then reads the list again, whatever the server said. */
  async cancel(callId: string): Promise<void> {
    if (this.#closed || this.#cancelling.has(callId)) return;
    const number = this.#list?.items.find((c) => c.callId === callId)?.number || callId;
    this.#cancelling.add(callId);
    this.#refusal = undefined;
    this.#cancelled = undefined;
    this.#moved = undefined;
    this.#render();
    try {
      await this.#deps.cancel(callId);
      if (this.#closed) return;
      if (this.#reading) this.#cancelledMeanwhile.add(callId);
      if (this.#list?.items.some((c) => c.callId === callId)) {
        this.#list = { items: this.#list.items.filter((c) => c.callId !== callId), total: Math.max(0, this.#list.total - 1) };
        this.#dropStaleMove();
      }
      this.#cancelled = number;
    } catch (err) {
      if (this.#closed) return;
      this.#deps.failed?.('cancel', err, callId);
      this.#refusal = { number, message: userMessage(err) };
    }
    this.#cancelling.delete(callId);
    this.#render();
    this.refresh();
  }

  /** Opens the Move editor of a listed callback that is not being dialled (closing another's). */
  openMove(callId: string): void {
    if (this.#closed || !this.#list?.items.some((c) => c.callId === callId && movable(c.state))) return;
    this.#moving = { callId, saving: false, opened: ++this.#opened };
    this.#render();
  }

  /** Closes the Move editor of the callback (its time stays as it was; a Save on its way is still answered in the status line). */
  keepMove(callId: string): void {
    if (this.#closed || this.#moving?.callId !== callId) return;
    this.#moving = undefined;
    this.#render();
  }

  /**
   * Saves the time typed in the open Move editor (`value`: its datetime-local value, the agent's local time). An empty
   * or past time is refused in the editor without asking the server; else the move is sent (not twice at once): done,
   * the editor closes, the new time is said and the list read again; refused, the server's words show in the editor.
   */
  async move(callId: string, value: string): Promise<void> {
    const editor = this.#moving;
    if (this.#closed || editor?.callId !== callId || editor.saving) return;
    const checked = moveAt(value, Date.now());
    if ('error' in checked) {
      this.#moving = { ...editor, error: checked.error };
      this.#render();
      return;
    }
    const number = this.#list?.items.find((c) => c.callId === callId)?.number || callId;
    this.#moving = { callId, saving: true, opened: editor.opened };
    this.#render();
    const still = () => this.#moving?.opened === editor.opened;
    try {
      const r = await this.#deps.move(callId, checked.at);
      if (this.#closed) return;
      const at = r.scheduledFor ?? checked.at;
      if (this.#list?.items.some((c) => c.callId === callId)) {
        this.#list = { ...this.#list, items: this.#list.items.map((c) => (c.callId === callId ? { ...c, state: 'scheduled', scheduledFor: at } : c)) };
      }
      if (still()) this.#moving = undefined;
      this.#moved = { number, at };
      this.#cancelled = undefined;
      this.#render();
      this.refresh();
    } catch (err) {
      if (this.#closed) return;
      this.#deps.failed?.('move', err, callId);
      if (still()) this.#moving = { callId, saving: false, error: userMessage(err), opened: editor.opened };
      this.#render();
    }
  }

  /** The open editor goes when its callback is no longer listed, or is being dialled. */
  #dropStaleMove(): void {
    const m = this.#moving;
    if (m !== undefined && !this.#list?.items.some((c) => c.callId === m.callId && movable(c.state))) this.#moving = undefined;
  }

  /** Stops reading; nothing is rendered any more. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #render(): void {
    if (!this.#closed) this.#deps.render(this.snapshot);
  }
}
