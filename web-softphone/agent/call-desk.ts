import { SessionState, UserAgent, Web, type Invitation } from 'sip.js';
import { Emitter } from '../shared/emitter.ts';
import { userMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { AUDIO_ONLY, playRemoteAudio, setMicrophoneEnabled, stopRemoteAudio, webHandler } from '../shared/media.ts';
import { canTransitionCall, type AgentCallState } from './agent-call-state.ts';
import type { AgentDevice, OfferContext } from './agent-messages.ts';
import { SendMix } from './send-mix.ts';

export interface CallDeskSnapshot {
  state: AgentCallState;
  callId?: string;
  context?: OfferContext;
  /** In state elsewhere: the device that took the call. */
  device?: AgentDevice;
  muted: boolean;
  /** A hold or resume re-INVITE is under way. */
  holdPending: boolean;
  /** A transfer (REFER) is under way: the server hangs up this call once it took the caller. */
  transferPending?: boolean;
  error?: string;
}

export interface CallDeskEvents extends Record<string, unknown[]> {
  change: [CallDeskSnapshot];
}

/**
 * What may be mixed into what this softphone sends the caller besides the microphone (send-mix.ts): `coach`, a
 * supervisor who joined the call (barge-in); `conference`, the other agent of the agent's conference (conference-mix.ts).
 */
export type MixInput = 'coach' | 'conference';

/**
 * One call at a time at the agent's desk: pairs the server's offer (context) with the INVITE (matched by
 * X-Callflow-Call-Id), and runs answer, decline, hold/resume, mute and hang-up; a consult (consult-call.ts) holds and
 * resumes the call through it. All state changes go through transition(); returning to idle disposes the session.
 */
export class CallDesk extends Emitter<CallDeskEvents> {
  readonly #audio: HTMLAudioElement;
  readonly #log: Logger;
  #snap: CallDeskSnapshot = { state: 'idle', muted: false, holdPending: false };
  #invitation: Invitation | undefined;
  /** what is mixed into what this softphone sends the caller (see mixIn), and the context lent to mix it in, if any */
  readonly #mixInputs = new Map<MixInput, { stream: MediaStream; audio?: AudioContext }>();
  /** the mix of #mixInputs on the call's sender, while there are any */
  #mix: SendMix | undefined;
  /** the changes of the mix, one after the other (each stops the last mix before it starts the next) */
  #mixing: Promise<unknown> = Promise.resolve();
  /** the agent's consult call plays instead of this one (see setRemoteAudio) */
  #audioOff = false;

  constructor(audio: HTMLAudioElement, log: Logger) {
    super(log);
    this.#audio = audio;
    this.#log = log;
  }

  get snapshot(): Readonly<CallDeskSnapshot> {
    return this.#snap;
  }

  /** The server offers a call (agent socket). */
  offer(callId: string, context: OfferContext): void {
    const s = this.#snap;
    if (s.state === 'idle') {
      this.#transition('offered', { callId, context });
    } else if (s.callId === callId || (s.state === 'ringing' && !s.callId)) {
      this.#update({ callId, context }); // the INVITE came first
    } else {
      this.#log.warn({ callId, busyWith: s.callId }, 'offer while busy with another call');
    }
  }

  /**
   * An INVITE arrived. Busy with another call → 486, unless it takes over the call on the desk (`replaces`: its
   * X-Callflow-Replaces header, see #takeOver).
   */
  invitation(invitation: Invitation, callId: string, replaces = ''): void {
    const s = this.#snap;
    if (replaces !== '' && replaces === s.callId && (s.state === 'active' || s.state === 'held')) {
      void this.#takeOver(invitation);
      return;
    }
    const matches = s.state === 'idle' || (s.state === 'offered' && (!callId || !s.callId || callId === s.callId));
    if (!matches) {
      this.#log.warn({ callId, busyWith: s.callId }, 'rejecting an INVITE while busy');
      void invitation.reject({ statusCode: 486 }).catch(() => {});
      return;
    }
    this.#invitation = invitation;
    this.#follow(invitation);
    this.#transition('ringing', callId ? { callId } : {});
  }

  /** Plays the session's audio, and ends the call with the session, while it is the desk's. */
  #follow(invitation: Invitation): void {
    invitation.delegate = {
      onInvite: () => this.#playRemote(invitation), // re-INVITE from the far end (a consult handed over: the caller's media)
    };
    invitation.stateChange.addListener((state) => {
      if (invitation !== this.#invitation) return;
      if (state === SessionState.Established) {
        this.#playRemote(invitation);
        if (this.#snap.state === 'connecting') this.#transition('active', {});
      } else if (state === SessionState.Terminated) {
        this.#transition('idle', {});
      }
    });
  }

  /**
   * The server puts the caller on a new call to this phone in place of the consult call on the desk (the consulting
   * agent completed the transfer; a browser's DTLS would not follow a re-INVITE onto the caller's media). Answered at
   * once, it becomes the desk's session, and the server hangs up the consult's; the call's id and details change with
   * the server's `connected` (replaces) that follows. Not answered: the consult goes on as it was.
   */
  async #takeOver(invitation: Invitation): Promise<void> {
    const consult = this.#invitation;
    try {
      await invitation.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
    } catch (err) {
      this.#log.warn({ err: String(err) }, 'the call in place of the consult could not be answered');
      return;
    }
    if (consult === undefined || this.#invitation !== consult) {
      // (the consult call ended meanwhile: nothing to take over)
      if (invitation.state === SessionState.Established) void invitation.bye().catch(() => {});
      return;
    }
    this.#dropMix(); // (a barge-in mixed into the consult call's media)
    this.#invitation = invitation;
    this.#follow(invitation);
    if (invitation.state === SessionState.Established) this.#playRemote(invitation);
    // (a muted agent stays muted; the caller's new call is not on hold)
    if (this.#snap.muted) setMicrophoneEnabled(invitation, false);
    if (this.#snap.state === 'held') this.#transition('active', {});
  }

  /**
   * The server says the call was answered. Unless this softphone answered it, another of the agent's devices did:
   * keep the caller's details on screen while the agent talks there. (The CANCEL of this softphone's INVITE may come
   * before or after this message; the INVITE is left to it.)
   */
  connected(callId: string, context: OfferContext, device: AgentDevice, replaces?: string): void {
    const s = this.#snap;
    if (replaces !== undefined && s.callId === replaces && s.state !== 'idle') {
      this.#handedOver(callId, context, device);
      return;
    }
    const mine = s.callId === callId && (s.state === 'connecting' || s.state === 'active' || s.state === 'held');
    if (mine || (s.state !== 'idle' && s.callId !== undefined && s.callId !== callId)) return;
    this.#invitation = undefined;
    this.#transition('elsewhere', { callId, context, device });
  }

  /**
   * The consult call on the desk became the customer's call (the consulting agent completed the transfer): the same
   * SIP session carries the caller now (the server re-INVITEd it with their media), so only the call it is changes.
   */
  #handedOver(callId: string, context: OfferContext, device: AgentDevice): void {
    const { consult: _consult, ...customers } = context; // (the customer's own call: no longer a consult)
    this.#update({ callId, context: customers, ...(this.#snap.state === 'elsewhere' ? { device } : {}) });
  }

  /** Shows why something about the current call did not work. */
  showError(message: string): void {
    if (this.#snap.state !== 'idle') this.#update({ error: message });
  }

  /** The server withdrew the offer or ended the call (agent socket). */
  ended(callId: string): void {
    if (this.#snap.callId !== callId || this.#snap.state === 'idle') return;
    this.#transition('idle', {});
  }

  async answer(): Promise<void> {
    const inv = this.#invitation;
    if (this.#snap.state !== 'ringing' || !inv) return;
    this.#transition('connecting', { error: undefined });
    try {
      await inv.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
    } catch (err) {
      this.#log.warn({ err: String(err) }, 'answer failed');
      this.#transition('idle', { error: userMessage(err) });
    }
  }

  decline(): void {
    const inv = this.#invitation;
    if (this.#snap.state !== 'ringing' || !inv) return;
    // 603 Decline (RFC 3261 21.6.2): the agent said no, so the server stops ringing the agent's other devices too.
    void inv.reject({ statusCode: 603 }).catch((err) => this.#log.warn({ err: String(err) }, 'decline failed'));
    this.#transition('idle', {});
  }

  /**
   * Blind transfer to a queue or an agent (uri: sip:<queue or login>@<realm>): REFER (RFC 3515). The server takes the
   * caller back into line and hangs this call up; a NOTIFY with a failure (404, 480) leaves the call as it was.
   */
  transfer(uri: string): void {
    const inv = this.#invitation;
    const s = this.#snap;
    if (!inv || (s.state !== 'active' && s.state !== 'held') || s.transferPending) return;
    const target = UserAgent.makeURI(uri);
    if (!target) {
      this.#update({ error: `Cannot transfer to ${uri}.` });
      return;
    }
    const failed = (why: string): void => this.#update({ transferPending: undefined, error: `Transfer failed (${why}).` });
    this.#update({ transferPending: true, error: undefined });
    inv
      .refer(target, {
        requestDelegate: { onReject: (res) => failed(`${res.message.statusCode} ${res.message.reasonPhrase}`) },
        onNotify: (n) => {
          n.accept().catch(() => {});
          const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/m.exec(n.request.body ?? '');
          if (m && Number(m[1]) >= 300) failed(`${m[1]} ${m[2]}`);
        },
      })
      .catch((err: unknown) => failed(userMessage(err)));
  }

  /** Holds (re-INVITE with a=sendonly) or resumes (a plain re-INVITE). */
  async toggleHold(): Promise<void> {
    await this.#setHeld(this.#snap.state === 'active');
  }

  /** Puts the call on hold (for a consult); true once it is held (or was already). */
  async hold(): Promise<boolean> {
    if (this.#snap.state === 'held' && !this.#snap.holdPending) return true;
    return this.#setHeld(true);
  }

  /** Takes the call off hold (a consult is over); true once it is. */
  async resume(): Promise<boolean> {
    return this.#setHeld(false);
  }

  /**
   * Lets the call's audio play (on) or silences it while the agent's consult call plays instead (off). Media that comes
   * meanwhile (a hold's answer, a re-INVITE) waits until it is on again.
   */
  setRemoteAudio(on: boolean): void {
    this.#audioOff = !on;
    const inv = this.#invitation;
    if (!on) stopRemoteAudio(this.#audio);
    else if (inv?.state === SessionState.Established) playRemoteAudio(inv, this.#audio);
  }

  /** The hold (re-INVITE with a=sendonly) or resume (a plain re-INVITE) of an active or held call; true once it is done. */
  async #setHeld(hold: boolean): Promise<boolean> {
    const inv = this.#invitation;
    const s = this.#snap;
    if (!inv || s.holdPending || s.state !== (hold ? 'active' : 'held')) return false;
    this.#update({ holdPending: true, error: undefined });
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean, why?: string): void => {
        const live = this.#snap.state === 'active' || this.#snap.state === 'held';
        if (live) {
          if (ok) this.#transition(hold ? 'held' : 'active', { holdPending: false });
          else this.#update({ holdPending: false, error: why ?? (hold ? 'Hold failed.' : 'Resume failed.') });
        }
        resolve(ok && live);
      };
      inv
        .invite({
          sessionDescriptionHandlerModifiers: hold ? [Web.holdModifier] : [],
          requestDelegate: {
            onAccept: () => {
              this.#playRemote(inv);
              done(true);
            },
            onReject: (res) => {
              const why = `${hold ? 'Hold' : 'Resume'} refused (${res.message.statusCode} ${res.message.reasonPhrase}).`;
              void rollBackOffer(inv).then(() => done(false, why));
            },
          },
        })
        .catch((err) => done(false, userMessage(err)));
    });
  }

  setMuted(muted: boolean): void {
    const inv = this.#invitation;
    if (!inv || (this.#snap.state !== 'active' && this.#snap.state !== 'held')) return;
    if (this.#mix !== undefined) {
      this.#mix.mic.enabled = !muted; // (the caller goes on hearing the supervisor who joined, the other agent of a conference)
      this.#update({ muted });
    } else if (setMicrophoneEnabled(inv, !muted)) {
      this.#update({ muted });
    }
  }

  /**
   * Mixes `other` into what this softphone sends the caller as `input` (a supervisor's voice for barge-in, the other
   * agent's for a conference), or takes it out again (null). `audio`: the context to mix in (the conference's, which
   * mixes its other call in it too); none: the mix makes its own. Resolves false when this softphone has no call in
   * progress to send it into (the agent talks on another device), or the call ended meanwhile.
   */
  async mixIn(input: MixInput, other: MediaStream | null, audio?: AudioContext): Promise<boolean> {
    if (other === null) this.#mixInputs.delete(input);
    else this.#mixInputs.set(input, audio === undefined ? { stream: other } : { stream: other, audio });
    const next = this.#mixing.then(() => this.#remix());
    this.#mixing = next.catch(() => false);
    const mixed = await next.catch((err: unknown) => {
      this.#log.warn({ err: String(err), input }, 'mixing into the call failed');
      return false;
    });
    // (not sent: it is not waiting to be, unless a later call put it back meanwhile)
    if (!mixed && this.#mixInputs.get(input)?.stream === other) this.#mixInputs.delete(input);
    return mixed || other === null;
  }

  /** The audio the caller sends (what the agent hears of them), while the call is on this softphone; a conference mixes it into its other call. */
  remoteAudio(): MediaStream | undefined {
    const inv = this.#invitation;
    if (inv === undefined || (this.#snap.state !== 'active' && this.#snap.state !== 'held')) return undefined;
    return webHandler(inv)?.remoteMediaStream;
  }

  /** Stops the last mix and mixes what #mixInputs holds now (if anything) onto the call's sender; false: no call to send it into. */
  async #remix(): Promise<boolean> {
    const before = this.#mix;
    this.#mix = undefined;
    await before?.stop();
    // (a mute toggled while the mix was being swapped went to the track on the sender, not the microphone)
    if (before !== undefined) before.mic.enabled = !this.#snap.muted;
    const inputs = [...this.#mixInputs.values()];
    if (inputs.length === 0) return true;
    const inv = this.#invitation;
    const pc = inv === undefined ? undefined : webHandler(inv)?.peerConnection;
    if (pc == null || (this.#snap.state !== 'active' && this.#snap.state !== 'held')) return false;
    const mix = await SendMix.start(pc, inputs.map((i) => i.stream), inputs.find((i) => i.audio !== undefined)?.audio);
    if (mix === null) return false;
    if (this.#invitation !== inv) {
      await mix.stop(); // the call ended meanwhile
      return false;
    }
    mix.mic.enabled = !this.#snap.muted;
    this.#mix = mix;
    return true;
  }

  /** The call's mix is over (its session ends or is replaced): nothing is mixed in any more. */
  #dropMix(): void {
    this.#mixInputs.clear();
    this.#mixing = this.#mixing.then(() => this.#remix()).catch(() => false);
  }

  hangup(): void {
    if (this.#snap.state === 'active' || this.#snap.state === 'held' || this.#snap.state === 'connecting') this.#transition('idle', {});
  }

  close(): void {
    if (this.#snap.state !== 'idle') this.#transition('idle', {});
    this.removeAll();
  }

  /** The one place the call state changes. Going idle ends the SIP session (reject/cancel/bye as fits). */
  #transition(to: AgentCallState, patch: Partial<CallDeskSnapshot>): void {
    const from = this.#snap.state;
    if (!canTransitionCall(from, to)) {
      this.#log.warn({ from, to }, 'ignored an invalid call transition');
      return;
    }
    if (to === 'idle') {
      this.#endSession();
      this.#snap = { state: 'idle', muted: false, holdPending: false, ...(patch.error ? { error: patch.error } : {}) };
      this.emit('change', this.#snap);
      return;
    }
    this.#update({ ...patch, state: to });
  }

  #update(patch: Partial<CallDeskSnapshot>): void {
    const next = { ...this.#snap, ...patch };
    for (const key of Object.keys(next) as (keyof CallDeskSnapshot)[]) if (next[key] === undefined) delete next[key];
    this.#snap = next;
    this.emit('change', next);
  }

  /** Plays the call's audio, unless the agent's consult call plays meanwhile. */
  #playRemote(session: Invitation): void {
    if (!this.#audioOff) playRemoteAudio(session, this.#audio);
  }

  #endSession(): void {
    const inv = this.#invitation;
    this.#invitation = undefined;
    this.#dropMix();
    stopRemoteAudio(this.#audio);
    if (!inv) return;
    const warn = (err: unknown): void => this.#log.warn({ err: String(err) }, 'ending the session failed');
    if (inv.state === SessionState.Initial || inv.state === SessionState.Establishing) {
      void inv.reject({ statusCode: 486 }).catch(() => {
        // Already answered (200 sent, ACK pending): hang up as soon as the dialog is confirmed.
        inv.stateChange.addListener((st) => {
          if (st === SessionState.Established) void inv.bye().catch(warn);
        });
        if (inv.state === SessionState.Established) void inv.bye().catch(warn);
      });
    } else if (inv.state === SessionState.Established) {
      void inv.bye().catch(warn);
    }
  }
}

/**
 * Takes back the offer of a refused re-INVITE. RFC 3261 14.1: after a non-2xx final response to a re-INVITE the
 * session parameters remain unchanged, as if no re-INVITE had been issued. sip.js's web session description handler has
 * no rollbackDescription, so without this its peer connection would stay in have-local-offer and every later
 * re-INVITE of the call (Hold, Resume) would fail.
 */
async function rollBackOffer(session: Invitation): Promise<void> {
  const pc = webHandler(session)?.peerConnection;
  if (pc?.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => undefined);
}
