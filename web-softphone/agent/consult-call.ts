import { SessionState, type Inviter } from 'sip.js';
import { Emitter } from '../shared/emitter.ts';
import { userMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { playRemoteAudio, stopRemoteAudio } from '../shared/media.ts';
import type { ConsultProgress } from './agent-messages.ts';
import type { CallDesk, CallDeskSnapshot } from './call-desk.ts';
import { ConferenceMix } from './conference-mix.ts';
import { canTransitionConsult, type ConsultState } from './consult-call-state.ts';

/** Whom the agent consults: a queue or an agent of the Transfer list (uri: sip:<queue or login>@<realm>). */
export interface ConsultTarget {
  name: string;
  uri: string;
}

export interface ConsultSnapshot {
  state: ConsultState;
  /** whom the agent consults, as the Transfer list names them */
  target: string;
  /** the server's id of the consult call, once it said */
  consultId?: string;
  /** the three hear each other: in state conference, and completing from it */
  conference?: true;
  /**
   * dialled from another of the agent's devices (their desk phone: desk-phone-consult.ts), followed here: this page has
   * neither call's media, so no Conference
   */
  elsewhere?: true;
}

export interface ConsultCallEvents extends Record<string, unknown[]> {
  change: [ConsultSnapshot];
}

/**
 * What a consult works with: the desk holding the customer's call (and, in a conference, mixing the other agent into
 * it, its mute and its end followed), this page's phone, its own audio, the server's Complete.
 */
export interface ConsultDeps {
  desk: Pick<CallDesk, 'snapshot' | 'hold' | 'resume' | 'setRemoteAudio' | 'mixIn' | 'remoteAudio' | 'on'>;
  /** a call from this page's phone to `uri`, not placed yet (undefined: not a SIP URI) */
  inviter: (uri: string) => Inviter | undefined;
  /** where the consult call plays (the customer's call has its own element, silenced meanwhile) */
  audio: HTMLAudioElement;
  /** asks the server to hand the caller over to the consulted agent; a refusal throws with the server's words */
  complete: () => Promise<void>;
  /** shows why the consult did not work or is over (the call's error line) */
  showError: (message: string) => void;
  log: Logger;
}

/** How a consult ends: the customer taken off hold or not, the consult call hung up by this page or left to the server, what the agent is told. */
interface Ending {
  resume: boolean;
  hangUp: boolean;
  error?: string;
}

/**
 * A consult (attended transfer) about the customer's call on this page's phone: the customer is put on hold, a second
 * call goes from this page's phone to the target, whose audio plays instead of the customer's; then the server hands
 * the caller over (Complete transfer), the agent cancels (the customer is taken off hold), or the other side ends it
 * (the customer stays on hold). The server's word on it (ringing, talking, ended) comes over the agent socket.
 * Conference takes the customer off hold and mixes the three on this page (conference-mix.ts); End conference hangs
 * up the consult call and the agent goes on with the customer.
 * All state changes go through transition(); `ended` disposes the consult call.
 */
export class ConsultCall extends Emitter<ConsultCallEvents> {
  /** the customer's call the consult is about */
  readonly callId: string;
  readonly #target: ConsultTarget;
  readonly #deps: ConsultDeps;
  #snap: ConsultSnapshot;
  #inviter: Inviter | undefined;
  /** the customer was talking: the consult put them on hold (a refused consult takes them off it again) */
  #heldForConsult = false;
  /** the consult ended while the hold was under way: the customer is taken off hold once it is done */
  #resumeAfterHold = false;
  /** the server answered the consult call */
  #answered = false;
  /** why the consult call could not be placed: the final answer refusing it ("486 Busy Here"), or the failure */
  #failure: string | undefined;
  /** the conference's media, while the three are mixed */
  #mix: ConferenceMix | undefined;
  /** stops following the desk (its mute, the customer hanging up), while the three are mixed */
  #unfollowDesk: (() => void) | undefined;

  constructor(callId: string, target: ConsultTarget, deps: ConsultDeps) {
    super(deps.log);
    this.callId = callId;
    this.#target = target;
    this.#deps = deps;
    this.#snap = { state: 'holding', target: target.name };
  }

  get snapshot(): Readonly<ConsultSnapshot> {
    return this.#snap;
  }

  /** Puts the customer on hold (unless the agent held them already), then places the consult call. */
  async start(): Promise<void> {
    const desk = this.#deps.desk;
    this.#heldForConsult = desk.snapshot.state === 'active';
    const held = await desk.hold();
    if (this.#snap.state !== 'holding') {
      // cancelled meanwhile: the hold just done is undone
      if (held && this.#resumeAfterHold) void desk.resume();
      return;
    }
    // (a failed hold says why on the desk; the customer's call ended: nothing to consult about)
    if (!held) this.#transition('ended', { resume: false, hangUp: true });
    else this.#dial();
  }

  /**
   * What the server says of the consult (agent socket). The first word it has of it (ringing or talking) gives the
   * consult's id; a word on another consult (an earlier one's, late) changes nothing.
   */
  serverSaid(consultId: string, progress: ConsultProgress, reason?: string): void {
    const s = this.#snap;
    if (s.state === 'holding' || s.state === 'ended') return; // (no consult call yet, or none any more)
    if (s.consultId === undefined) {
      if (progress === 'ended') return;
      this.#update({ consultId });
    } else if (s.consultId !== consultId) {
      return;
    }
    if (progress === 'talking' && s.state === 'ringing') this.#transition('talking');
    // (completing: the answer to Complete transfer says whether this is the hand-over)
    else if (progress === 'ended' && s.state !== 'completing') this.#transition('ended', { resume: false, hangUp: true, error: consultEnded(reason) });
  }

  /**
   * Cancel consult: hangs up the consult call (CANCEL before it is answered, BYE after) and takes the customer off hold.
   * End conference (the same button): hangs up the consult call, and the agent goes on with the customer, who is not on
   * hold (nor is one taken off it while Conference is under way: that resume goes on).
   */
  cancel(): void {
    const state = this.#snap.state;
    if (state === 'ended' || state === 'completing') return;
    this.#transition('ended', { resume: state !== 'conference' && state !== 'joining', hangUp: true });
  }

  /**
   * Conference: takes the customer off hold (the desk's resume re-INVITE), and only once they are, mixes the three
   * (conference-mix.ts) and plays the customer's call again beside the consult call. A refused resume: the desk says
   * why, and the consult goes on with the customer on hold.
   */
  async conference(): Promise<void> {
    const inviter = this.#inviter;
    if (this.#snap.state !== 'talking' || inviter?.state !== SessionState.Established) return;
    const desk = this.#deps.desk;
    const call = desk.snapshot.state;
    if (call !== 'held' && call !== 'active') {
      this.#deps.showError('No conference: the customer is no longer on the call.');
      return;
    }
    this.#transition('joining');
    const resumed = call === 'active' || (await desk.resume());
    if (this.#state() !== 'joining') return; // (cancelled or ended meanwhile: the resume, if done, stands)
    if (!resumed) {
      // (the desk shows why: "Resume refused (488 Not Acceptable Here).")
      this.#transition('talking');
      return;
    }
    desk.setRemoteAudio(true);
    const mix = await ConferenceMix.start(desk, inviter, desk.snapshot.muted);
    if (this.#state() !== 'joining' || desk.snapshot.state !== 'active') {
      // (ended meanwhile, or the customer hung up: a consult ended left the customer with the agent)
      await mix?.stop();
      if (this.#state() === 'joining') this.#transition('talking');
      return;
    }
    if (mix === null) {
      // Nothing to mix (a call without media): the customer waits on hold again, and the consult goes on.
      desk.setRemoteAudio(false);
      void desk.hold();
      this.#transition('talking');
      this.#deps.showError('The conference could not be set up: a call has no audio.');
      return;
    }
    this.#mix = mix;
    this.#unfollowDesk = desk.on('change', (snap) => this.#deskChanged(snap));
    this.#transition('conference');
  }

  /** While the three are mixed: the consult call's microphone follows the agent's mute; the customer hanging up ends the mixing. */
  #deskChanged(snap: CallDeskSnapshot): void {
    if (snap.state !== 'idle') {
      this.#mix?.setMuted(snap.muted);
      return;
    }
    this.#stopMixing();
    // The consult goes on with the other agent (completing: the answer to Complete transfer says how it goes on).
    if (this.#snap.state === 'conference') this.#transition('talking');
  }

  /** The three are mixed no more: each call sends the microphone again. */
  #stopMixing(): void {
    this.#unfollowDesk?.();
    this.#unfollowDesk = undefined;
    void this.#mix?.stop();
    this.#mix = undefined;
  }

  /**
   * Complete transfer: the server hands the caller over to the consulted agent and hangs up both of this page's calls
   * itself (BYE), so the consult is over with its answer. Refused (4xx): the server's words, and the consult (or the
   * conference) goes on.
   */
  async complete(): Promise<void> {
    if (this.#snap.state !== 'talking' && this.#snap.state !== 'conference') return;
    this.#transition('completing');
    try {
      await this.#deps.complete();
    } catch (err) {
      if (this.#isEnded()) return; // (signed out meanwhile)
      // The other side hung up meanwhile: nothing left to complete.
      if (this.#inviter?.state === SessionState.Terminated) {
        this.#transition('ended', { resume: false, hangUp: true, error: consultEnded(userMessage(err)) });
      } else {
        // (the customer may have hung up meanwhile: the conference is over then)
        this.#transition(this.#mix !== undefined ? 'conference' : 'talking');
        this.#deps.showError(userMessage(err));
      }
      return;
    }
    // (a BYE from this page would cross the server's)
    this.#transition('ended', { resume: false, hangUp: false });
  }

  #isEnded(): boolean {
    return this.#snap.state === 'ended';
  }

  /** The state now (after an await: it may have changed meanwhile). */
  #state(): ConsultState {
    return this.#snap.state;
  }

  /** Ends the consult without a word, the customer left as they are (the agent signs out). Safe to call twice. */
  close(): void {
    this.#transition('ended', { resume: false, hangUp: true });
    this.removeAll();
  }

  /** Places the consult call; the customer's audio is silenced while it plays. */
  #dial(): void {
    const inviter = this.#deps.inviter(this.#target.uri);
    if (!inviter) {
      this.#transition('ended', { resume: this.#heldForConsult, hangUp: true, error: `Cannot consult ${this.#target.uri}.` });
      return;
    }
    this.#inviter = inviter;
    inviter.delegate = {
      onInvite: () => playRemoteAudio(inviter, this.#deps.audio), // re-INVITE from the server (the other agent's media)
    };
    inviter.stateChange.addListener((state) => {
      if (inviter !== this.#inviter) return;
      if (state === SessionState.Established) {
        this.#answered = true;
        playRemoteAudio(inviter, this.#deps.audio);
      } else if (state === SessionState.Terminated) {
        // (a refusal's delegate and a failed invite() run after this: they say why first)
        setTimeout(() => this.#sessionEnded(inviter), 0);
      }
    });
    this.#deps.desk.setRemoteAudio(false);
    this.#transition('ringing');
    inviter
      .invite({ requestDelegate: { onReject: (res) => void (this.#failure = `${res.message.statusCode} ${res.message.reasonPhrase}`) } })
      .catch((err: unknown) => {
        this.#deps.log.warn({ err: String(err) }, 'consult call failed');
        this.#failure ??= userMessage(err);
      });
  }

  /** The consult call ended by itself: refused, failed, or hung up by the other side (BYE). */
  #sessionEnded(inviter: Inviter): void {
    const state = this.#snap.state;
    // (completing: the answer to Complete transfer says whether this is the hand-over's BYE)
    if (inviter !== this.#inviter || state === 'completing') return;
    // Refused (404 no such target, 480 logged out, 486 busy or not ready, 403 oneself): the customer comes back.
    if (!this.#answered) this.#transition('ended', { resume: this.#heldForConsult, hangUp: false, error: this.#failure ?? 'The consult call failed.' });
    // Hung up by the other side: the customer stays on hold until the agent resumes them.
    else this.#transition('ended', { resume: false, hangUp: false, error: consultEnded() });
  }

  /** The one place the consult's state changes; `ended` (given how) disposes the consult call. */
  #transition(to: ConsultState, ending?: Ending): void {
    const from = this.#snap.state;
    if (!canTransitionConsult(from, to)) {
      if (from !== 'ended') this.#deps.log.warn({ from, to }, 'ignored an invalid consult transition');
      return;
    }
    if (to === 'ended') this.#dispose(ending ?? { resume: false, hangUp: true });
    // (completing from a conference keeps it mixed until the answer)
    const conference = to === 'conference' || (to === 'completing' && from === 'conference');
    this.#update({ state: to, conference: conference ? true : undefined });
    if (to === 'ended') this.removeAll();
  }

  #update(patch: Partial<ConsultSnapshot>): void {
    const next = { ...this.#snap, ...patch };
    for (const key of Object.keys(next) as (keyof ConsultSnapshot)[]) if (next[key] === undefined) delete next[key];
    this.#snap = next;
    this.emit('change', this.#snap);
  }

  /**
   * Stops mixing the three (each call sends the microphone again), hangs up the consult call (or leaves it to the
   * server), plays the customer's call again and takes them off hold if asked.
   */
  #dispose(e: Ending): void {
    const inviter = this.#inviter;
    this.#inviter = undefined;
    stopRemoteAudio(this.#deps.audio);
    if (inviter && e.hangUp) this.#hangUp(inviter);
    // (after the hang-up: a call closed has no microphone to be given back)
    this.#stopMixing();
    const desk = this.#deps.desk;
    desk.setRemoteAudio(true);
    if (e.resume) {
      // (the hold is still under way: start() takes the customer off it once it is done)
      if (desk.snapshot.holdPending) this.#resumeAfterHold = true;
      else if (desk.snapshot.state === 'held') void desk.resume();
    }
    // (after the resume, which clears the call's last error as it starts)
    if (e.error) this.#deps.showError(e.error);
  }

  #hangUp(inviter: Inviter): void {
    const warn = (err: unknown): void => this.#deps.log.warn({ err: String(err) }, 'hanging up the consult call failed');
    // RFC 3261 9.1: CANCEL while the INVITE has no final answer (sip.js sends it once a provisional one came, or
    // ACKs and BYEs a 200 that crosses it); 15.1.1: BYE once it is answered.
    if (inviter.state === SessionState.Initial || inviter.state === SessionState.Establishing) void inviter.cancel().catch(warn);
    else if (inviter.state === SessionState.Established) void inviter.bye().catch(warn);
  }
}

/** "Consult ended", with the server's reason when it gave one. */
export function consultEnded(reason?: string): string {
  return reason ? `Consult ended (${reason})` : 'Consult ended';
}
