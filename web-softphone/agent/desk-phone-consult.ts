import { Emitter } from '../shared/emitter.ts';
import { userMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { ConsultProgress } from './agent-messages.ts';
import type { CallDesk, CallDeskSnapshot } from './call-desk.ts';
import { consultEnded, type ConsultCallEvents, type ConsultSnapshot } from './consult-call.ts';
import { canTransitionConsult, type ConsultState } from './consult-call-state.ts';

/** What a consult dialled from the desk phone works with: the desk showing the customer's call there, the server's Complete and Cancel. */
export interface DeskPhoneConsultDeps {
  /** the desk showing the customer's call on the desk phone (state elsewhere); the call leaving it ends the consult here */
  desk: Pick<CallDesk, 'snapshot' | 'on'>;
  /** asks the server to hand the caller over to the consulted agent; a refusal throws with the server's words */
  complete: () => Promise<void>;
  /** asks the server to hang up both sides of the consult; a refusal throws with the server's words */
  cancel: () => Promise<void>;
  /** shows why the consult did not work or is over (the call's error line) */
  showError: (message: string) => void;
  log: Logger;
}

/**
 * A consult (attended transfer) the agent dialled from their desk phone about the customer's call there (the desk shows
 * it `elsewhere`), followed and controlled from this page: the server's word on it (ringing, talking, ended) comes over
 * the agent socket; Complete transfer and Cancel consult go to the server, which hangs up the desk phone's calls (and
 * after a cancel leaves the caller on hold there until the agent resumes them on the phone).
 *
 * A class of its own rather than a mode of ConsultCall: everything ConsultCall does beyond that (holding the caller,
 * placing and hanging up its own SIP call, playing its audio, mixing a conference) is about this page's media, which a
 * desk-phone consult has none of, so a mode would branch in nearly every method. What is the same is shared: the
 * snapshot (ConsultSnapshot, `elsewhere` set), the states and their moves (consult-call-state.ts), the words of an end
 * (consultEnded), the panel that shows it (AgentView.renderConsult) and the page's buttons and socket wiring.
 *
 * Of the consult's states it goes through these:
 *
 *   ringing ──► talking ◄──► completing
 *      │           │             │
 *      └───────────┴─────────────┴──► ended
 *
 * `completing`: Complete transfer was asked; refused, the consult goes on (talking). Cancel consult keeps the state
 * until the server answers. `ended`: handed over, cancelled, over for the server (declined, hung up), the customer's
 * call gone from the desk (nothing left here to complete or cancel), or the agent signed out.
 */
export class DeskPhoneConsult extends Emitter<ConsultCallEvents> {
  /** the customer's call the consult is about */
  readonly callId: string;
  readonly #deps: DeskPhoneConsultDeps;
  #snap: ConsultSnapshot;
  /** Complete transfer or Cancel consult was asked and the server has not answered yet: its answer says how this ends */
  #asked: 'complete' | 'cancel' | undefined;
  /** the consult ended while the server's answer was awaited (the server said so, the customer's call left the desk) */
  #endedMeanwhile = false;
  readonly #unfollowDesk: () => void;

  /** `progress`: the server's first word on it (ringing, or talking when this page heard of it late). */
  constructor(callId: string, consultId: string, target: string, progress: 'ringing' | 'talking', deps: DeskPhoneConsultDeps) {
    super(deps.log);
    this.callId = callId;
    this.#deps = deps;
    this.#snap = { state: progress, target, consultId, elsewhere: true };
    this.#unfollowDesk = deps.desk.on('change', (snap) => this.#deskChanged(snap));
  }

  get snapshot(): Readonly<ConsultSnapshot> {
    return this.#snap;
  }

  /** What the server says of the consult (agent socket); a word on another consult (an earlier one's, late) changes nothing. */
  serverSaid(consultId: string, progress: ConsultProgress, reason?: string): void {
    if (consultId !== this.#snap.consultId) return;
    if (progress === 'talking' && this.#snap.state === 'ringing') this.#transition('talking');
    else if (progress === 'ended') this.#over(consultEnded(reason));
  }

  /**
   * Complete transfer: the server hands the caller over to the consulted agent and hangs up the desk phone's calls.
   * Refused (4xx): the server's words, and the consult goes on.
   */
  async complete(): Promise<void> {
    if (this.#snap.state !== 'talking' || this.#asked !== undefined) return;
    this.#transition('completing');
    await this.#ask('complete');
  }

  /** Cancel consult: the server hangs up both sides of the consult. Refused (4xx): the server's words, and the consult goes on. */
  cancel(): void {
    const state = this.#snap.state;
    if (state === 'ended' || state === 'completing' || this.#asked !== undefined) return;
    void this.#ask('cancel');
  }

  /** Ends the consult here without a word (the agent signs out). Safe to call twice. */
  close(): void {
    this.#transition('ended');
    this.removeAll();
  }

  /**
   * Asks the server to complete or cancel the consult. Done, it is over without a word: the agent asked for it (the
   * server's own `ended`, or the call leaving the desk, may come before the answer and is no news then). Refused, the
   * server's words, and the consult goes on; unless it ended meanwhile: a cancel got what it asked for, a complete did
   * not hand the caller over and says why (as ConsultCall does).
   */
  async #ask(what: 'complete' | 'cancel'): Promise<void> {
    this.#asked = what;
    try {
      await (what === 'complete' ? this.#deps.complete() : this.#deps.cancel());
    } catch (err) {
      this.#asked = undefined;
      if (this.#snap.state === 'ended') return; // (signed out meanwhile)
      if (this.#endedMeanwhile) {
        this.#transition('ended', what === 'complete' ? consultEnded(userMessage(err)) : undefined);
      } else {
        if (this.#snap.state === 'completing') this.#transition('talking');
        this.#deps.showError(userMessage(err));
      }
      return;
    }
    this.#asked = undefined;
    this.#transition('ended');
  }

  /** The customer's call left the desk (hung up, handed over): the server's consult endpoints act on it, so nothing is left here to do. */
  #deskChanged(snap: CallDeskSnapshot): void {
    if (snap.state !== 'elsewhere' || snap.callId !== this.callId) this.#over();
  }

  /** The consult is over without the agent's asking, saying `error` (none: silently); while their request is under way, its answer decides. */
  #over(error?: string): void {
    if (this.#asked !== undefined) this.#endedMeanwhile = true;
    else this.#transition('ended', error);
  }

  /** The one place the consult's state changes; `ended` stops following the desk and says why, if asked. */
  #transition(to: ConsultState, error?: string): void {
    const from = this.#snap.state;
    if (!canTransitionConsult(from, to)) {
      if (from !== 'ended') this.#deps.log.warn({ from, to }, 'ignored an invalid consult transition');
      return;
    }
    if (to === 'ended') {
      this.#unfollowDesk();
      if (error !== undefined) this.#deps.showError(error);
    }
    this.#snap = { ...this.#snap, state: to };
    this.emit('change', this.#snap);
    if (to === 'ended') this.removeAll();
  }
}
