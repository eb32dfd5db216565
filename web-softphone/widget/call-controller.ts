import { Emitter } from '../shared/emitter.ts';
import { InvalidStateError, WebError, userMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { queueStatus, rateCall, requestCallback, scheduleCallback, startCall, type CallPage } from './api-client.ts';
import { canTransition, isLive, type CallState } from './call-state.ts';
import { MAX_LINKS, type CustomerLink } from './customer-links.ts';
import { CustomerEventsSocket, type CustomerEvent } from './events-socket.ts';
import type { VisitedPage } from './page-history.ts';
import { SipCall } from './sip-call.ts';
import type { WidgetConfig } from './config.ts';

/** Everything the UI shows about the call. */
export interface CallSnapshot {
  state: CallState;
  language: string;
  position?: number;
  ewtSeconds?: number;
  agentName?: string;
  muted: boolean;
  /** Why the call failed, in words for the customer (the server's message when it sent one). */
  error?: string;
  /** Why the call ended, as the server or the widget put it ("hangup", "callback", ...). */
  endReason?: string;
  /** The server can call back instead (offered while in line). */
  callbacks?: boolean;
  /** A callback is being asked for. */
  callbackPending?: boolean;
  /** The call ended for a callback: the number, and when (null: at the customer's turn). */
  callback?: { number: string; scheduledFor: string | null };
  /** The queue is closed and calls back: the customer may leave a number (opensAt: when it opens next). */
  closedCallback?: { opensAt: string | null };
  /** Links the agent sent in this call, newest first: kept after the call until the customer dismisses them. */
  links?: readonly CustomerLink[];
  /** The agent holds the call (connected only): the widget plays music on hold. */
  onHold?: boolean;
  /** Nobody could take the call: the customer is leaving a message (until they hang up or the server ends the call). */
  voicemail?: boolean;
  /** The queue records its calls: the customer is told while the call lasts. */
  recorded?: boolean;
  /**
   * The call an agent answered has ended and its queue asks callers to rate it (1–5): the score given (null: not
   * yet), and whether it is being sent. Kept until the customer closes the panel or calls again.
   */
  survey?: { score: number | null; sending: boolean };
}

export interface CallControllerEvents extends Record<string, unknown[]> {
  change: [CallSnapshot];
}

export interface CallControllerDeps {
  config: WidgetConfig;
  /** The page and the history at the moment of the call. */
  page: () => CallPage;
  history: () => VisitedPage[];
  audio: HTMLAudioElement;
  log: Logger;
}

/**
 * Runs one customer call at a time: asks the server for a call, opens its events socket, places the SIP call,
 * and keeps a snapshot for the UI. All state changes go through transition().
 */
export class CallController extends Emitter<CallControllerEvents> {
  readonly #deps: CallControllerDeps;
  readonly #log: Logger;
  #snapshot: CallSnapshot;
  #sip: SipCall | undefined;
  #events: CustomerEventsSocket | undefined;
  #abort: AbortController | undefined;
  #attempt = 0;
  #closed = false;
  /** the queue of the latest call (a closed one's callback goes there) */
  #queue: string;
  /** the current call's id and token (for the callback and rating requests), whether its queue asks for a rating, and whether an agent answered it */
  #call: { callId: string; token: string; survey: boolean; answered: boolean } | undefined;
  /** the call ended while a callback was being asked for: how (it counts if the request is refused) */
  #endedMeanwhile: string | undefined;

  constructor(deps: CallControllerDeps) {
    super(deps.log);
    this.#deps = deps;
    this.#log = deps.log;
    this.#snapshot = { state: 'idle', language: deps.config.language, muted: false };
    this.#queue = deps.config.queue;
  }

  get snapshot(): Readonly<CallSnapshot> {
    return this.#snapshot;
  }

  get state(): CallState {
    return this.#snapshot.state;
  }

  /** The language for the next call (and the widget's words). Ignored while a call is live. */
  setLanguage(language: string): void {
    if (isLive(this.state) || language === this.#snapshot.language) return;
    this.#update({ language });
  }

  /**
   * Starts a call, to the configured queue or to the one the visual IVR's choices led to (`route`: the queue and the
   * menus on the way). Does nothing while one is live. Failures end in the `failed` state, never throw.
   */
  async call(language?: string, route?: { queue: string; menus: string[] }): Promise<void> {
    if (this.#closed) throw new InvalidStateError('the widget is closed');
    if (isLive(this.state)) return;
    const lang = language ?? this.#snapshot.language;
    const queue = route?.queue ?? this.#deps.config.queue;
    this.#queue = queue;
    const attempt = ++this.#attempt;
    this.#transition('starting', {
      language: lang, muted: false, position: undefined, ewtSeconds: undefined, agentName: undefined, error: undefined, endReason: undefined,
      callbacks: undefined, callbackPending: undefined, callback: undefined, closedCallback: undefined, links: undefined, voicemail: undefined, recorded: undefined,
      survey: undefined,
    });
    this.#call = undefined;
    const { config } = this.#deps;
    this.#abort = new AbortController();
    try {
      const res = await startCall(
        config.apiBase,
        {
          queue,
          language: lang,
          page: this.#deps.page(),
          history: this.#deps.history(),
          ...(config.customerId ? { customerId: config.customerId } : {}),
          ...(route && route.menus.length > 0 ? { menus: route.menus } : {}),
        },
        this.#abort.signal,
      );
      if (attempt !== this.#attempt || this.state !== 'starting') return; // hung up meanwhile
      const log = this.#log.child({ callId: res.callId });
      this.#call = { callId: res.callId, token: res.token, survey: res.survey, answered: false };
      if (res.callbacks || res.recorded) this.#update({ ...(res.callbacks ? { callbacks: true } : {}), ...(res.recorded ? { recorded: true } : {}) });
      this.#events = new CustomerEventsSocket(res.eventsUrl, log.child({ component: 'events' }));
      this.#events.on('event', (e) => this.#onEvent(e));
      this.#sip = new SipCall(res.sip, res.token, this.#deps.audio, log.child({ component: 'sip' }));
      this.#sip.on('terminated', (reason, error) => {
        if (!isLive(this.state)) return;
        if (this.#snapshot.callbackPending) {
          this.#endedMeanwhile = reason; // (the callback's answer ends the call)
          return;
        }
        if (error) this.#transition('failed', { error: error.message, endReason: reason });
        else this.#transition('ended', { endReason: reason });
      });
      await this.#sip.start();
    } catch (err) {
      if (attempt !== this.#attempt || !isLive(this.state)) return;
      if (err instanceof DOMException && err.name === 'AbortError') return;
      this.#log.warn({ err: String(err), code: err instanceof WebError ? err.code : undefined }, 'call failed');
      this.#transition('failed', { error: userMessage(err), endReason: 'failed' });
      if (err instanceof WebError && err.status === 409) await this.#offerCallbackWhenClosed(attempt, queue);
    }
  }

  /** The call was refused as the queue is closed: if the server calls back, the customer may leave a number. */
  async #offerCallbackWhenClosed(attempt: number, queue: string): Promise<void> {
    try {
      const q = await queueStatus(this.#deps.config.apiBase, queue);
      if (attempt === this.#attempt && this.state === 'failed' && !q.open && q.callbacks) this.#update({ closedCallback: { opensAt: q.opensAt } });
    } catch (err) {
      this.#log.warn({ err: String(err) }, 'queue status unavailable');
    }
  }

  /** Ends the call: cancels before the answer, hangs up after it. Does nothing when no call is live. */
  hangup(): void {
    if (!isLive(this.state)) return;
    this.#transition('ended', { endReason: 'hangup' });
  }

  /**
   * While in line: call me back on `number` instead, at my turn (keeping my place) or at `at` (ISO time). The
   * server ends the browser call; the snapshot then says when the callback comes. A refusal (a bad number, the
   * queue closed at that time) leaves the call as it was, with the server's words in `error`.
   */
  async requestCallback(number: string, at?: string): Promise<void> {
    if (this.state === 'failed' && this.#snapshot.closedCallback) return this.#scheduleCallback(number, at);
    const call = this.#call;
    if (call === undefined || this.state !== 'queued' || this.#snapshot.callbackPending || this.#snapshot.voicemail) return;
    this.#endedMeanwhile = undefined;
    this.#update({ callbackPending: true, error: undefined });
    try {
      const r = await requestCallback(this.#deps.config.apiBase, call.callId, call.token, { number, ...(at ? { at } : {}) });
      if (this.#call !== call) return;
      this.#update({ callbackPending: undefined });
      const patch = { endReason: 'callback', callback: { number: r.number, scheduledFor: r.scheduledFor } };
      if (isLive(this.state)) this.#transition('ended', patch);
      else this.#update(patch);
    } catch (err) {
      if (this.#call !== call) return;
      this.#log.warn({ err: String(err) }, 'callback request refused');
      this.#update({ callbackPending: undefined, error: userMessage(err) });
      if (this.#endedMeanwhile !== undefined) this.#transition('ended', { endReason: this.#endedMeanwhile });
    }
  }

  /** Closed: call me back when the queue opens (no `at`) or at `at`, without a call. */
  async #scheduleCallback(number: string, at?: string): Promise<void> {
    if (this.#snapshot.callbackPending) return;
    const attempt = this.#attempt;
    const { config } = this.#deps;
    this.#update({ callbackPending: true });
    try {
      const r = await scheduleCallback(config.apiBase, {
        queue: this.#queue,
        number,
        language: this.#snapshot.language,
        page: this.#deps.page(),
        ...(at ? { at } : {}),
        ...(config.customerId ? { customerId: config.customerId } : {}),
      });
      if (attempt !== this.#attempt) return;
      this.#update({ callbackPending: undefined, closedCallback: undefined, error: undefined, callback: { number: r.number, scheduledFor: r.scheduledFor } });
    } catch (err) {
      if (attempt !== this.#attempt) return;
      this.#update({ callbackPending: undefined, error: userMessage(err) });
    }
  }

  /** The customer closed the panel after the call: the links and the rating of that call go (during a call the links stay). */
  dismissAfterCall(): void {
    if (!isLive(this.state) && (this.#snapshot.links !== undefined || this.#snapshot.survey !== undefined)) this.#update({ links: undefined, survey: undefined });
  }

  /**
   * After a call an agent answered, in a queue that asks for it: the customer's rating, 1 (very bad) to 5 (very good).
   * Sent once; a refusal (rated already, say) leaves it to give again, with the server's words in `error`.
   */
  async rate(score: number): Promise<void> {
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new TypeError(`score: ${score} is not a whole number from 1 to 5`);
    const call = this.#call;
    const survey = this.#snapshot.survey;
    if (call === undefined || survey === undefined || survey.sending || survey.score !== null) return;
    this.#update({ survey: { score: null, sending: true }, error: undefined });
    try {
      const r = await rateCall(this.#deps.config.apiBase, call.callId, call.token, score);
      if (this.#call === call && this.#snapshot.survey !== undefined) this.#update({ survey: { score: r.score, sending: false } });
    } catch (err) {
      if (this.#call !== call || this.#snapshot.survey === undefined) return;
      this.#log.warn({ err: String(err) }, 'rating refused');
      this.#update({ survey: { score: null, sending: false }, error: userMessage(err) });
    }
  }

  /** Mutes or unmutes the microphone of the live call. */
  setMuted(muted: boolean): void {
    if (!this.#sip || !isLive(this.state)) return;
    if (this.#sip.setMuted(muted)) this.#update({ muted });
  }

  close(): void {
    if (this.#closed) return;
    this.hangup();
    this.#closed = true;
    this.removeAll();
  }

  #onEvent(e: CustomerEvent): void {
    const state = this.state;
    if (!isLive(state)) return;
    switch (e.type) {
      case 'queued':
      case 'position':
        {
          const place = { position: e.position, ewtSeconds: e.ewtSeconds ?? undefined };
          if (state === 'starting' || state === 'ringing') this.#transition('queued', place);
          // back in line: the agent transferred the call to another queue
          else if (state === 'connected' && e.type === 'queued') this.#transition('queued', { ...place, agentName: undefined });
          else this.#update(place);
        }
        break;
      case 'ringing':
        if (state !== 'ringing' && canTransition(state, 'ringing')) this.#transition('ringing', {});
        break;
      case 'connected':
        if (this.#call !== undefined) this.#call.answered = true;
        if (state === 'connected') this.#update({ agentName: e.agentName });
        else this.#transition('connected', { agentName: e.agentName, position: undefined, ewtSeconds: undefined });
        break;
      case 'hold':
        if (state === 'connected') this.#update({ onHold: e.held || undefined });
        break;
      case 'voicemail':
        // out of the queue: no place in line any more, no callback to ask for, no music of ours (the server plays the
        // prompt and the tone in the call); the call stays live while the customer speaks, until they hang up
        this.#update({ voicemail: true, onHold: undefined, position: undefined, ewtSeconds: undefined, callbacks: undefined });
        break;
      case 'link':
        // shown, never opened: the customer decides (a popup blocker would stop a window opened without a click anyway)
        this.#update({ links: [{ url: e.url, title: e.title }, ...(this.#snapshot.links ?? [])].slice(0, MAX_LINKS) });
        break;
      case 'ended':
        if (this.#snapshot.callbackPending) {
          this.#endedMeanwhile = e.reason || 'ended'; // (the callback's answer ends the call)
          break;
        }
        this.#transition('ended', { endReason: e.reason || 'ended' });
        break;
      case 'error':
        this.#log.warn({ message: e.message }, 'the server reported an error on the events socket');
        break;
    }
  }

  /** The one place the call state changes: validates the move, disposes the call on a terminal state, emits. */
  #transition(to: CallState, patch: Partial<CallSnapshot>): void {
    const from = this.state;
    if (!canTransition(from, to)) {
      this.#log.warn({ from, to }, 'ignored an invalid call state transition');
      return;
    }
    this.#log.debug({ from, to }, 'call state');
    if (to === 'ended' || to === 'failed') this.#dispose();
    // a call an agent answered that ended (not for a callback: that call goes on later), in a queue that asks: rate it
    const call = this.#call;
    const survey = to === 'ended' && call?.survey === true && call.answered && patch.callback === undefined ? { score: null, sending: false } : undefined;
    // (a hold ends with the conversation: a transfer puts the caller back in line, or the call ends)
    this.#update({ ...patch, state: to, onHold: undefined, ...(survey ? { survey } : {}) });
  }

  #update(patch: Partial<CallSnapshot>): void {
    const next = { ...this.#snapshot, ...patch };
    for (const key of Object.keys(next) as (keyof CallSnapshot)[]) if (next[key] === undefined) delete next[key];
    this.#snapshot = next;
    this.emit('change', next);
  }

  #dispose(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#sip?.close();
    this.#sip = undefined;
    this.#events?.close();
    this.#events = undefined;
  }
}
