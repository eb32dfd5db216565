/**
 * "Call a number": the agent dials a phone number from this page's phone (an INVITE to sip:<number>@<realm>, which the
 * server routes out through its trunk), and the panel follows the call, this one or one dialled from their desk phone,
 * by the server's word on the agent socket (`outbound`: dialing, ringing, talking, ended). GET /api/agent/outbound says
 * whether the agent may dial (and which numbers) and what call is on; POST /api/agent/call/hangup hangs up a call on
 * another device. The checks and the words are pure (unit tested in Node); DialOut runs the call; agent-view.ts draws it.
 */
import { SessionState, type Inviter } from 'sip.js';
import { WebError, userMessage } from '../shared/errors.ts';
import { clock } from '../shared/format.ts';
import type { Logger } from '../shared/logger.ts';
import { playRemoteAudio, stopRemoteAudio } from '../shared/media.ts';
import { normalizeNumber } from '../shared/phone-number.ts';
import { canTransitionDial, type DialState } from './dial-out-state.ts';

/** GET /api/agent/outbound's answer. */
export interface OutboundSettings {
  allowed: boolean;
  /** the numbers allowed start with one of these; empty: any */
  allowedPrefixes: string[];
  /** why the agent may not dial, when not allowed */
  reason: string | null;
  /** the agent's call to a number in progress (on any of their devices), if any */
  call: { callId: string; number: string; answered: boolean } | null;
}

/** GET /api/agent/outbound's answer checked; one without `allowed` is refused. */
export function parseOutboundSettings(v: unknown): OutboundSettings {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  if (typeof o.allowed !== 'boolean') throw new WebError('WEB_ERR_BAD_RESPONSE', 'GET /api/agent/outbound: no allowed in the answer');
  const c = (o.call && typeof o.call === 'object' ? o.call : {}) as Record<string, unknown>;
  return {
    allowed: o.allowed,
    allowedPrefixes: Array.isArray(o.allowedPrefixes) ? o.allowedPrefixes.filter((p): p is string => typeof p === 'string' && p !== '') : [],
    reason: typeof o.reason === 'string' && o.reason !== '' ? o.reason : null,
    call:
      typeof c.callId === 'string' && c.callId !== '' && typeof c.number === 'string'
        ? { callId: c.callId, number: c.number, answered: c.answered === true }
        : null,
  };
}


/** "+372", "+372 or +49", "+372, +49 or +358". */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "Numbers starting with +372 or +49" ('' : any number). */
export function prefixesText(allowedPrefixes: readonly string[]): string {
  return allowedPrefixes.length === 0 ? '' : `Numbers starting with ${orList(allowedPrefixes)}`;
}

/** The number typed, checked as the server will: the number to dial, or why not (in the panel's words). */
export function checkNumber(raw: string, allowedPrefixes: readonly string[]): { number: string } | { error: string } {
  const typed = raw.trim();
  if (typed === '') return { error: 'Enter the number to call.' };
  const number = normalizeNumber(typed);
  if (number === null) return { error: `"${typed}" is not a phone number (digits, + first for an international one).` };
  if (allowedPrefixes.length > 0 && !allowedPrefixes.some((p) => number.startsWith(p))) return { error: `Numbers must start with ${orList(allowedPrefixes)}.` };
  return { number };
}

/** The URI that dials `number`: sip:<number>@<realm>, the realm being the host of this phone's own URI (as the transfer targets' are); undefined: `ownUri` is not a SIP URI. */
export function dialTarget(number: string, ownUri: string): string | undefined {
  const host = /^sips?:(?:[^@;?]*@)?([^;?>]+)/i.exec(ownUri.trim())?.[1];
  return host === undefined ? undefined : `sip:${number}@${host}`;
}

/**
 * Why a call to a number ended, in a few words ('' : not said), from the server's reason: who hung up ('agent',
 * 'customer'), 'cancelled' (the agent's phone gave up before the answer), 'failed', or the SIP status the trunk refused it with.
 */
export function endReasonText(reason: string | undefined): string {
  switch (reason) {
    case undefined:
    case '':
      return '';
    case 'agent':
    case 'cancelled':
      return 'you hung up';
    case 'customer':
      return 'the customer hung up';
    case 'failed':
      return 'the call failed';
  }
  if (!/^[3-6]\d\d$/.test(reason)) return reason;
  const status = Number(reason);
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 404 || status === 484 || status === 604) return 'no such number';
  if (status === 408 || status === 480 || status === 487) return 'no answer';
  return status >= 500 ? `the call failed, ${status}` : `not connected, ${status}`;
}

/** The agent's call to a number, as the page knows it. */
export interface DialCall {
  state: DialState;
  number: string;
  /** the server's id of the call, once it said */
  callId?: string;
  /** placed from this page's phone (its audio plays here) */
  own: boolean;
  /** when the customer answered (epoch ms), if the page saw it happen */
  talkingSince?: number;
  /** the customer answered (it was talking once; stays once it ended) */
  answered?: true;
  /** why it ended: the server's reason, or 'agent' when the agent hung up on this page */
  endReason?: string;
  /** the agent hung up on this page (the server's later word on why it ended changes nothing) */
  hungUpHere?: true;
}

/** The panel's status line: "Calling +3725551234…", "Ringing …", "Talking with …", "Call to … ended (busy)"; '' : no call. */
export function dialStatusText(c: DialCall | undefined): string {
  if (c === undefined) return '';
  switch (c.state) {
    case 'placing':
    case 'dialing':
      return `Calling ${c.number}…`;
    case 'ringing':
      return `Ringing ${c.number}…`;
    case 'talking':
      return `Talking with ${c.number}`;
    case 'ended': {
      const why = endReasonText(c.endReason);
      return `Call to ${c.number} ended${why ? ` (${why})` : ''}`;
    }
  }
}

/**
 * The call the agent may write a note on (PUT /api/agent/calls/:callId/note), by the server's id: the call to a number
 * once the customer answered, on or ended (until the next); undefined: none (no id yet, or never answered).
 */
export function dialNoteCallId(c: DialCall | undefined): string | undefined {
  return c?.answered === true ? c.callId : undefined;
}

/** How long the agent has talked ("0:12"), while they talk and the page saw the answer; '' otherwise. */
export function talkClock(c: DialCall | undefined, now: number): string {
  return c?.state === 'talking' && c.talkingSince !== undefined ? clock((now - c.talkingSince) / 1000) : '';
}

/** What DialOut knows. */
export interface DialSnapshot {
  /** what GET /api/agent/outbound said (not read yet: undefined) */
  settings?: Omit<OutboundSettings, 'call'>;
  /** the call in progress, or the last one (shown ended until the next) */
  call?: DialCall;
  /** why the last number was not called, or the call not hung up (the page's check, the server's refusal) */
  error?: string;
  /** a Hang up through the server is on its way */
  hangingUp: boolean;
}

/** The agent is on a call to a number (not ended). */
export function dialInProgress(s: Pick<DialSnapshot, 'call'>): boolean {
  return s.call !== undefined && s.call.state !== 'ended';
}

export interface DialOutDeps {
  /** GET /api/agent/outbound */
  read(): Promise<OutboundSettings>;
  /** a call from this page's phone to `number` (sip:<number>@<realm>), not placed yet; undefined: the phone is not there */
  inviter(number: string): Inviter | undefined;
  /** POST /api/agent/call/hangup: hangs up the agent's call, on whichever device */
  hangUp(): Promise<void>;
  /** where the call's audio plays */
  audio: HTMLAudioElement;
  render(s: DialSnapshot): void;
  log: Logger;
}

/**
 * The agent's calls to numbers while they are signed in. dial() checks the number and places the call from this page's
 * phone (the server's refusal of the INVITE goes to the error line); serverSaid() follows the server's word on the call,
 * this page's or one from another device (the first word of a call the page does not know shows it); read() reads
 * whether the agent may dial and the call that is on (a call the page shows that is no longer on ends). Hang up ends this
 * page's call itself (CANCEL or BYE), another device's through the server. While the customer talks, the clock ticks.
 * All state changes go through #transition(); `ended` hangs up this page's call and stops its audio. close() ends it all.
 */
export class DialOut {
  readonly #deps: DialOutDeps;
  #settings: DialSnapshot['settings'];
  #call: DialCall | undefined;
  #error: string | undefined;
  #hangingUp = false;
  /** this page's call, while it is on */
  #session: Inviter | undefined;
  /** why this page's call was not placed: the final answer that refused it, or the failure */
  #refusal: { status: number; reason: string } | undefined;
  #failure: string | undefined;
  #reads = 0;
  #ticking: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(deps: DialOutDeps) {
    this.#deps = deps;
  }

  get snapshot(): DialSnapshot {
    return {
      ...(this.#settings ? { settings: this.#settings } : {}),
      ...(this.#call ? { call: this.#call } : {}),
      ...(this.#error !== undefined ? { error: this.#error } : {}),
      hangingUp: this.#hangingUp,
    };
  }

  /**
   * Reads whether the agent may dial, and their call that is on (at sign-in, and when the socket is back after a break).
   * An older answer that comes later is dropped; a failure keeps what the page has.
   */
  read(): void {
    if (this.#closed) return;
    const read = ++this.#reads;
    const known = this.#call?.callId;
    this.#deps.read().then(
      (o) => {
        if (this.#closed || read !== this.#reads) return;
        this.#settings = { allowed: o.allowed, allowedPrefixes: o.allowedPrefixes, reason: o.reason };
        this.#reconcile(o.call, known);
        this.#render();
      },
      (err: unknown) => this.#deps.log.warn({ err: String(err) }, 'could not read whether the agent may call numbers'),
    );
  }

  /**
   * The call the server says is on (null: none), against the page's: one the page did not know is shown; one it showed
   * that is not on ends (it ended while the socket was down), unless the page learnt of it after the read was asked
   * (`known`: the id of the call it knew then).
   */
  #reconcile(on: OutboundSettings['call'], known: string | undefined): void {
    const c = this.#call;
    if (on === null) {
      // (this page's own call ends with its session)
      if (c !== undefined && !c.own && c.callId === known) this.#transition('ended');
      return;
    }
    if (c !== undefined && (c.callId === on.callId || (c.callId === undefined && c.own && c.state !== 'ended'))) {
      if (c.state === 'ended') return; // (it ended after the server answered)
      if (c.callId === undefined) this.#call = { ...c, callId: on.callId };
      if (on.answered && c.state !== 'talking') this.#transition('talking');
      return;
    }
    if (c === undefined || c.state === 'ended' || !c.own) this.#follow(on.callId, on.number, on.answered ? 'talking' : 'dialing');
  }

  /**
   * The server's word on the agent's call to a number (agent socket). The first word of a call (its id) is this page's
   * call when that is on without an id yet and the number is the same; else it is a call from another device, which the
   * panel shows from then on. A word on an earlier call that comes late, or a step back, changes nothing.
   */
  serverSaid(callId: string, number: string, progress: Exclude<DialState, 'placing'>, reason?: string): void {
    if (this.#closed) return;
    const c = this.#call;
    const same = c !== undefined && (c.callId === callId || (c.callId === undefined && c.own && c.state !== 'ended' && c.number === number));
    if (!same) {
      // (the end of a call the page did not know, or of an earlier one, late)
      if (progress !== 'ended') this.#follow(callId, number, progress);
      return;
    }
    if (c.callId === undefined) this.#call = { ...c, callId };
    if (c.state === 'ended') {
      // (the server's reason for the end the page saw first: its session's; not when the agent hung up here)
      if (progress === 'ended' && reason !== undefined && c.hungUpHere === undefined) this.#call = { ...c, callId, endReason: reason };
      this.#render();
      return;
    }
    if (progress === c.state) return;
    this.#transition(progress, progress === 'talking' ? { talkingSince: Date.now() } : progress === 'ended' ? { endReason: reason } : {});
  }

  /** Shows a call the page did not place (from the desk phone, or before a reload) from the server's word on it. */
  #follow(callId: string, number: string, progress: 'dialing' | 'ringing' | 'talking'): void {
    if (this.#call !== undefined && this.#call.state !== 'ended') this.#transition('ended'); // (its end was missed)
    this.#error = undefined;
    this.#call = { state: 'dialing', number, callId, own: false };
    if (progress === 'dialing') this.#render();
    else this.#transition(progress);
  }

  /** Calls the number typed from this page's phone, once it passes the server's checks (the app checks that the agent has no other call). */
  dial(typed: string): void {
    const settings = this.#settings;
    if (this.#closed || dialInProgress(this.snapshot) || settings?.allowed !== true) return;
    const checked = checkNumber(typed, settings.allowedPrefixes);
    if ('error' in checked) {
      this.#error = checked.error;
      this.#render();
      return;
    }
    const inviter = this.#deps.inviter(checked.number);
    if (inviter === undefined) {
      this.#error = "This page's phone is not connected.";
      this.#render();
      return;
    }
    this.#error = undefined;
    this.#session = inviter;
    this.#refusal = undefined;
    this.#failure = undefined;
    this.#call = { state: 'placing', number: checked.number, own: true };
    inviter.delegate = {
      onInvite: () => playRemoteAudio(inviter, this.#deps.audio), // (a re-INVITE: hold, resume)
    };
    inviter.stateChange.addListener((state) => {
      if (inviter !== this.#session) return;
      if (state === SessionState.Established) {
        playRemoteAudio(inviter, this.#deps.audio);
        // (the server answers once the customer did; its word "talking" may come after)
        if (this.#call?.state !== 'talking') this.#transition('talking', { talkingSince: Date.now() });
      } else if (state === SessionState.Terminated) {
        // (a refusal's delegate and a failed invite() run after this: they say why first)
        setTimeout(() => this.#sessionEnded(inviter), 0);
      }
    });
    this.#render();
    inviter
      .invite({ requestDelegate: { onReject: (res) => void (this.#refusal = { status: res.message.statusCode ?? 0, reason: res.message.reasonPhrase ?? '' }) } })
      .catch((err: unknown) => {
        this.#deps.log.warn({ err: String(err) }, 'the call to a number could not be placed');
        this.#failure = userMessage(err);
      });
  }

  /**
   * This page's call ended by itself: refused by the server before it dialled (403 not allowed, 486 busy: the reason
   * phrase goes to the error line, and the call is forgotten), not placed (no microphone), refused by the customer's side
   * (its status says why), or hung up by the server (BYE).
   */
  #sessionEnded(inviter: Inviter): void {
    const c = this.#call;
    if (inviter !== this.#session || c === undefined || c.state === 'ended') return;
    const refusal = this.#refusal;
    if (c.callId === undefined && (refusal !== undefined || this.#failure !== undefined)) {
      this.#error = refusal !== undefined ? refusal.reason || `Refused (${refusal.status})` : this.#failure;
      this.#transition('ended');
      this.#call = undefined;
      this.#render();
      return;
    }
    this.#transition('ended', refusal !== undefined ? { endReason: String(refusal.status) } : {});
  }

  /**
   * Hang up: this page's call at once (CANCEL before the answer, BYE after: see #dispose), a call on another device
   * through the server (whose word that it ended follows; a refusal goes to the error line).
   */
  async hangUp(): Promise<void> {
    const c = this.#call;
    if (this.#closed || c === undefined || c.state === 'ended' || this.#hangingUp) return;
    this.#error = undefined;
    if (c.own) {
      this.#transition('ended', { endReason: 'agent', hungUpHere: true });
      return;
    }
    this.#hangingUp = true;
    this.#render();
    try {
      await this.#deps.hangUp();
    } catch (err) {
      if (this.#closed) return;
      this.#error = `Not hung up: ${userMessage(err)}`;
    }
    this.#hangingUp = false;
    this.#render();
  }

  /** Ends it all without a word (the agent signs out): this page's call is hung up. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    if (this.#call?.own === true) this.#transition('ended', { hungUpHere: true });
    this.#closed = true;
    this.#dispose();
  }

  /**
   * The one place the call's state changes: talking marks the call answered (its note may be written) and starts the
   * clock, ended hangs up this page's call and stops it.
   */
  #transition(to: DialState, patch: Partial<DialCall> = {}): void {
    const c = this.#call;
    if (c === undefined) return;
    if (!canTransitionDial(c.state, to)) {
      if (c.state !== 'ended') this.#deps.log.warn({ from: c.state, to }, 'ignored an invalid transition of the call to a number');
      return;
    }
    this.#call = { ...c, ...patch, state: to, ...(to === 'talking' ? { answered: true as const } : {}) };
    clearInterval(this.#ticking);
    this.#ticking = undefined;
    if (to === 'talking' && this.#call.talkingSince !== undefined) this.#ticking = setInterval(() => this.#render(), 1000);
    if (to === 'ended') this.#dispose();
    this.#render();
  }

  /** This page's call hung up (unless it is over already) and its audio stopped; the clock stopped. */
  #dispose(): void {
    clearInterval(this.#ticking);
    this.#ticking = undefined;
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return;
    stopRemoteAudio(this.#deps.audio);
    const warn = (err: unknown): void => this.#deps.log.warn({ err: String(err) }, 'hanging up the call to a number failed');
    // RFC 3261 9.1: CANCEL while the INVITE has no final answer (sip.js sends it once a provisional one came);
    // 15.1.1: BYE once it is answered.
    if (session.state === SessionState.Initial || session.state === SessionState.Establishing) void session.cancel().catch(warn);
    else if (session.state === SessionState.Established) void session.bye().catch(warn);
  }

  #render(): void {
    if (!this.#closed) this.#deps.render(this.snapshot);
  }
}
