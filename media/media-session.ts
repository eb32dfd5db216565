/**
 * One call's media in rtpengine: the customer leg (tag `<callId>.c`) and the other side (tag `<callId>.o`), which is
 * first our waiting-room sink and later an agent's device. The other side keeps one tag for the whole call and every
 * request carries the `port-latching` flag, so the customer's ports, ICE and DTLS stay as first agreed: moving the
 * customer from the waiting room to an agent, or from one agent to another (transfer), needs no re-INVITE towards
 * the customer.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { InvalidStateError, MediaError, MediaErrorCode } from './errors.ts';
import type { NgClient, NgParams, NgReply } from './ng-client.ts';
import { MediaSessionState, sessionTransitions, type DtmfEvent, type LegKind, type LegName } from './media-session-state.ts';
import { firstMediaCodec, isTelephoneEvent, keepPayloadTypes, parseAudio, renumberMids, sinkAnswer, type AudioDescription } from './sdp.ts';
import { MUSIC_ON_HOLD, type PromptItem } from './prompts.ts';
import { CallRecording } from './recording.ts';

export interface AgentOfferOptions {
  /** the agent's device: 'rtp' for desk phones (PCMU/PCMA + telephone-event), 'webrtc' for the browser softphone */
  kind: LegKind;
  /** codecs to add by transcoding when the customer's codec is not among them (default: PCMU, PCMA for rtp; opus for webrtc) */
  codecs?: string[];
}

export interface MediaSessionOptions {
  /** allow sendDtmf(): rtpengine then runs this call through its codec handlers (some CPU even without transcoding) */
  injectDtmf?: boolean;
}

export interface PlaybackResult {
  /** true when the prompt played to its end, false when it was stopped or replaced */
  completed: boolean;
  durationMs: number;
  /** not played: an agent was connected and the request did not say duringCall */
  skipped?: boolean;
}

export type MediaSessionEvents = {
  stateChange: [MediaSessionState];
  dtmf: [DtmfEvent];
  /** rtpengine lost this call (it died and was restarted): the call has no media any more */
  mediaLost: [];
  close: [];
};

/** What a session needs from its engine (kept narrow so the session does not depend on MediaEngine). */
export interface SessionContext {
  ng(): NgClient;
  sinkAddress: string;
  sinkPort: number;
  logger: Logger;
  /** WAV file (path rtpengine can read) for a list of prompts, and its duration */
  promptFile(items: readonly PromptItem[], lang: string): Promise<{ file: string; durationMs: number }>;
  released(session: MediaSession): void;
}

const COMMON: NgParams = { replace: ['origin', 'session-connection'], flags: ['trust-address', 'port-latching'] };
const TO_PLAIN: NgParams = { 'transport-protocol': 'RTP/AVP', ICE: 'remove', DTLS: 'off', SDES: ['off'], 'rtcp-mux': ['demux'] };
const TO_WEBRTC: NgParams = { 'transport-protocol': 'UDP/TLS/RTP/SAVPF', ICE: 'force', SDES: ['off'], 'rtcp-mux': ['offer', 'require'] };

export class MediaSession extends EventEmitter<MediaSessionEvents> {
  readonly callId: string;
  readonly customerTag: string;
  readonly otherTag: string;
  private _state: MediaSessionState = MediaSessionState.Idle;
  private readonly log: Logger;
  private chain: Promise<unknown> = Promise.resolve();
  /** rtpengine's plain RTP offer towards the other side of the customer leg (answered by sink or agent) */
  private internalOffer: string | undefined;
  /** the SDP answer the customer got */
  private customerAnswer: string | undefined;
  private agentKind: LegKind | undefined;
  /**
   * Offers made to agents' devices and not answered yet, at most one per kind (every device of a kind gets the same
   * offer: an agent's desk phones, or the agents of a ring-all); chainId = the chained rtpengine call, if any.
   */
  private readonly pending = new Map<LegKind, { chainId: string | undefined; sdp: string }>();
  /** chained rtpengine call of the connected WebRTC agent */
  private currentChain: string | undefined;
  private chainSeq = 0;
  private coachSeq = 0;
  private customerWebrtc = false;
  private stateBeforeOffer: MediaSessionState | undefined;
  private mohOn = false;
  private playing: { timer: NodeJS.Timeout; done: (r: PlaybackResult) => void; durationMs: number; blocked: boolean } | undefined;
  private sinkVersion = 1;
  /** something was sent to rtpengine for this call, so close() must delete it */
  private touched = false;

  private readonly injectDtmf: boolean;

  constructor(callId: string, private readonly ctx: SessionContext, options: MediaSessionOptions = {}) {
    super();
    this.injectDtmf = options.injectDtmf === true;
    this.callId = callId;
    this.customerTag = `${callId}.c`;
    this.otherTag = `${callId}.o`;
    this.log = ctx.logger.child({ callId });
  }

  get state(): MediaSessionState {
    return this._state;
  }

  private transition(to: MediaSessionState): void {
    const from = this._state;
    if (from === to) return;
    if (!sessionTransitions[from].includes(to)) throw new InvalidStateError(`media session ${this.callId}: cannot go from ${from} to ${to}`);
    this._state = to;
    this.log.debug({ from, to }, 'media session state');
    this.safeEmit('stateChange', to);
    if (to === MediaSessionState.Closed) {
      this.finishPlayback(false);
      this.safeEmit('close');
      this.removeAllListeners();
    }
  }

  private safeEmit<K extends keyof MediaSessionEvents>(event: K, ...args: MediaSessionEvents[K]): void {
    for (const l of this.rawListeners(event)) { // (a once() listener comes as its wrapper, which removes it)
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.log.error({ err, event }, 'media session listener threw');
      }
    }
  }

  /** Runs operations of one session one after another (offer/answer pairs must not interleave). */
  private serial<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this._state === MediaSessionState.Closed) throw new InvalidStateError(`media session ${this.callId} is closed (${what})`);
      return fn();
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private expect(what: string, ...states: MediaSessionState[]): void {
    if (!states.includes(this._state)) {
      throw new MediaError(MediaErrorCode.WrongOrder, `media session ${this.callId}: ${what} needs state ${states.join(' or ')}, not ${this._state}`, { callId: this.callId });
    }
  }

  private base(): NgParams {
    this.touched = true;
    return { 'call-id': this.callId, ...COMMON, ...(this.injectDtmf ? { flags: [...(COMMON.flags as string[]), 'inject-DTMF'] } : {}) };
  }

  /**
   * The customer's leg in rtpengine: the customer's offer, turned into a plain RTP offer for the other side
   * (`internalOffer`) that keeps the customer's codecs first and adds PCMU/PCMA (and telephone-event) by
   * transcoding. This offer is made once per call; every later change of the other side (waiting-room sink,
   * agent, next agent) is a new answer to it, which rtpengine applies without touching the customer's ports,
   * ICE or DTLS. (Re-offering a WebRTC customer's SDP made rtpengine 10.5 move the customer to new ports.)
   */
  private async offerCustomerLeg(offerSdp: string): Promise<void> {
    const d = parseAudio(offerSdp, this.callId);
    this.customerWebrtc = d.webrtc;
    const offer = await this.ctx.ng().offer({ ...this.base(), 'from-tag': this.customerTag, sdp: offerSdp, ...TO_PLAIN, ...transcodeFlags(d, ['PCMU', 'PCMA']) });
    this.internalOffer = sdpOf(offer, this.callId);
  }

  /**
   * Waiting room: answers the customer's offer with our own media endpoint as the other side (it keeps the
   * customer's preferred codec, so the waiting room needs no transcoding). Returns the SDP answer for the customer.
   */
  answerCustomer(offerSdp: string): Promise<string> {
    return this.serial('answerCustomer', async () => {
      this.expect('answerCustomer', MediaSessionState.Idle);
      await this.offerCustomerLeg(offerSdp);
      const answer = await this.ctx.ng().answer({
        ...this.base(),
        'from-tag': this.customerTag,
        'to-tag': this.otherTag,
        sdp: sinkAnswer(parseAudio(this.internalOffer!, this.callId), this.ctx.sinkAddress, this.ctx.sinkPort, this.sinkVersion++),
      });
      this.customerAnswer = sdpOf(answer, this.callId);
      this.transition(MediaSessionState.Waiting);
      return this.customerAnswer;
    });
  }

  /**
   * Direct bridge without a waiting room: takes the customer's offer and returns the offer for the agent's device.
   * Finish with answerFromAgent(), whose result is then the SDP answer for the customer.
   */
  offerFromCustomer(offerSdp: string, agent: AgentOfferOptions): Promise<string> {
    checkAgent(agent);
    return this.serial('offerFromCustomer', async () => {
      this.expect('offerFromCustomer', MediaSessionState.Idle);
      await this.offerCustomerLeg(offerSdp);
      const sdp = await this.prepareAgent(agent);
      this.stateBeforeOffer = MediaSessionState.Idle;
      this.transition(MediaSessionState.AgentOffered);
      return sdp;
    });
  }

  /**
   * Produces the offer SDP for an agent's device: plain RTP (the customer's codec plus PCMU/PCMA and
   * telephone-event) for desk phones, WebRTC (ICE, DTLS-SRTP, rtcp-mux, Opus) for the browser softphone. The
   * agent's choice of codec decides between passthrough and transcoding. From the bridged or held state this
   * starts a transfer: the current agent stays connected until the new one answers. While an offer is out, an offer
   * for the other kind of device may be added (an agent with a desk phone and the softphone, or a ring-all over
   * both): the first answer, of either kind, wins; asking again for a kind already offered returns that offer.
   */
  offerToAgent(agent: AgentOfferOptions): Promise<string> {
    checkAgent(agent);
    return this.serial('offerToAgent', async () => {
      this.expect('offerToAgent', MediaSessionState.Waiting, MediaSessionState.Bridged, MediaSessionState.Held, MediaSessionState.AgentOffered);
      if (this._state === MediaSessionState.AgentOffered) {
        return this.pending.get(agent.kind)?.sdp ?? (await this.prepareAgent(agent));
      }
      await this.dropPending();
      const sdp = await this.prepareAgent(agent);
      this.stateBeforeOffer = this._state;
      this.transition(MediaSessionState.AgentOffered);
      return sdp;
    });
  }

  /**
   * The customer leg's other side keeps the codec first agreed (rtpengine 10.5 does not rebuild its codec
   * handlers when a new answer changes the codec: audio came out in the old codec). So:
   * - fast path, one rtpengine call: a plain RTP agent when the customer speaks G.711 gets the internal offer
   *   restricted to the customer's codec — passthrough;
   * - otherwise a second rtpengine call is chained to the internal side (`<callId>~<n>`, plain RTP with the
   *   customer's codec on loopback on one side; the agent's protocol and codecs on the other), which converts
   *   SRTP/RTP and transcodes where the agent picks another codec.
   */
  private async prepareAgent(agent: AgentOfferOptions): Promise<string> {
    const d = parseAudio(this.internalOffer!, this.callId);
    const main = firstMediaCodec(d);
    if (!main) throw new MediaError(MediaErrorCode.BadSdp, `call ${this.callId}: the customer offered no usable audio codec`, { callId: this.callId });
    const keep = [main.pt, ...d.codecs.filter((c) => isTelephoneEvent(c)).map((c) => c.pt)];
    const restricted = keepPayloadTypes(this.internalOffer!, keep);
    const g711 = /^(PCMU|PCMA)$/i.test(main.name) && main.rate === 8000;
    if (agent.kind === 'rtp' && g711 && (agent.codecs === undefined || agent.codecs.some((c) => c.toUpperCase() === main.name.toUpperCase()))) {
      this.pending.set('rtp', { chainId: undefined, sdp: restricted });
      return restricted;
    }
    const chainId = `${this.callId}~${++this.chainSeq}`;
    let sdp: string;
    try {
      const offer = await this.ctx.ng().offer({
        'call-id': chainId,
        ...COMMON,
        'from-tag': `${chainId}.i`,
        sdp: restricted,
        ...(agent.kind === 'rtp' ? TO_PLAIN : TO_WEBRTC),
        ...transcodeFlags(parseAudio(restricted, this.callId), agent.codecs ?? (agent.kind === 'rtp' ? ['PCMU', 'PCMA'] : ['opus'])),
      });
      sdp = sdpOf(offer, this.callId);
    } catch (err) {
      await this.deleteChain(chainId);
      throw err;
    }
    this.pending.set(agent.kind, { chainId, sdp });
    return sdp;
  }

  /** Forgets the offers not answered (except: keep), deleting their chained rtpengine calls. */
  private async dropPending(keep?: string): Promise<void> {
    const chains = [...this.pending.values()].map((p) => p.chainId).filter((c): c is string => c !== undefined && c !== keep && c !== this.currentChain);
    this.pending.clear();
    for (const c of chains) await this.deleteChain(c);
  }

  private async deleteChain(chainId: string): Promise<void> {
    try {
      await this.ctx.ng().delete({ 'call-id': chainId });
    } catch (err) {
      this.log.info({ err: (err as Error).message, chainId }, 'rtpengine delete of a chained agent call failed (already gone)');
    }
  }

  /**
   * Takes the agent's answer and connects customer and agent (rtpengine passes media through when both use one
   * codec and transcodes otherwise). Returns the SDP for the customer: after offerFromCustomer() it is the answer
   * to send; after a waiting room or a transfer the customer's ports and codec are unchanged and nothing needs to
   * be sent to the customer (the SDP it already has is returned). kind: which offer this answers, when offers of
   * both kinds are out (by default the one offered, or the kind of the answer).
   */
  answerFromAgent(answerSdp: string, kind?: LegKind): Promise<string> {
    return this.serial('answerFromAgent', async () => {
      this.expect('answerFromAgent', MediaSessionState.AgentOffered);
      const agent = parseAudio(answerSdp, this.callId);
      const answered: LegKind = kind ?? (this.pending.size === 1 ? [...this.pending.keys()][0]! : agent.webrtc ? 'webrtc' : 'rtp');
      const pending = this.pending.get(answered);
      if (pending === undefined) {
        throw new MediaError(MediaErrorCode.WrongOrder, `call ${this.callId}: no ${answered} agent offer to answer`, { callId: this.callId });
      }
      if (answered === 'rtp' && agent.webrtc) {
        throw new MediaError(MediaErrorCode.BadSdp, `call ${this.callId}: a WebRTC answer to a plain RTP agent offer`, { callId: this.callId });
      }
      let towardsCustomerLeg = answerSdp;
      if (pending.chainId) {
        const a = await this.ctx.ng().answer({ 'call-id': pending.chainId, ...COMMON, 'from-tag': `${pending.chainId}.i`, 'to-tag': `${pending.chainId}.a`, sdp: answerSdp });
        towardsCustomerLeg = sdpOf(a, this.callId);
      }
      if (this.playing || this.mohOn) {
        this.mohOn = false;
        await this.stopPlaybackNow();
      }
      const reply = await this.ctx.ng().answer({ ...this.base(), 'from-tag': this.customerTag, 'to-tag': this.otherTag, sdp: towardsCustomerLeg });
      if (this.stateBeforeOffer === MediaSessionState.Held) {
        await this.ctx.ng().unblockMedia({ 'call-id': this.callId, 'from-tag': this.otherTag });
        await this.ctx.ng().unblockMedia({ 'call-id': this.callId, 'from-tag': this.customerTag });
      }
      const previousChain = this.currentChain;
      await this.dropPending(pending.chainId);
      this.currentChain = pending.chainId;
      this.agentKind = answered;
      if (previousChain && previousChain !== this.currentChain) await this.deleteChain(previousChain);
      if (this.customerAnswer === undefined) this.customerAnswer = sdpOf(reply, this.callId);
      this.transition(MediaSessionState.Bridged);
      return this.customerAnswer;
    });
  }

  /**
   * The agent let go of the customer (a blind transfer to a queue): the other side is our waiting-room sink again
   * (a new answer, as for any change of the other side), the agent's chain is deleted, hold is undone. The caller
   * then hears what the waiting room plays (startMusicOnHold, playPrompts).
   */
  returnToWaitingRoom(): Promise<void> {
    return this.serial('returnToWaitingRoom', async () => {
      this.expect('returnToWaitingRoom', MediaSessionState.Bridged, MediaSessionState.Held);
      const held = this._state === MediaSessionState.Held;
      if (this.playing || this.mohOn) {
        this.mohOn = false;
        await this.stopPlaybackNow();
      }
      const sink = sinkAnswer(parseAudio(this.internalOffer!, this.callId), this.ctx.sinkAddress, this.ctx.sinkPort, this.sinkVersion++);
      await this.ctx.ng().answer({ ...this.base(), 'from-tag': this.customerTag, 'to-tag': this.otherTag, sdp: sink });
      if (held) {
        await this.ctx.ng().unblockMedia({ 'call-id': this.callId, 'from-tag': this.otherTag });
        await this.ctx.ng().unblockMedia({ 'call-id': this.callId, 'from-tag': this.customerTag });
      }
      const chain = this.currentChain;
      this.currentChain = undefined;
      this.agentKind = undefined;
      if (chain) await this.deleteChain(chain);
      this.transition(MediaSessionState.Waiting);
    });
  }

  /** The agent did not answer the offer: the customer stays where it was (waiting room or the previous agent). */
  cancelAgentOffer(): Promise<void> {
    return this.serial('cancelAgentOffer', async () => {
      this.expect('cancelAgentOffer', MediaSessionState.AgentOffered);
      await this.dropPending();
      const back = this.stateBeforeOffer ?? MediaSessionState.Waiting;
      if (back === MediaSessionState.Idle) {
        // a direct offer (no waiting room) has nowhere to go back to: the call's media is released
        this.transition(MediaSessionState.Closed);
        await this.releaseAll();
        return;
      }
      this.transition(back);
    });
  }

  /**
   * Plays prompts (names like 'all-agents-busy', 'you-are-number', 'n/3') to the customer, one after another,
   * replacing any other audio while they play (music on hold; with { duringCall: true } also the connected
   * agent's voice). Resolves when they finished or were stopped/replaced; music on hold that was on resumes after.
   * Without duringCall, a request that only gets its turn after an agent was connected (the call layer asked while
   * the caller was waiting) plays nothing and resolves with skipped: true.
   */
  async playPrompts(names: readonly PromptItem[], lang: string, options: { duringCall?: boolean } = {}): Promise<PlaybackResult> {
    const started = await this.serial('playPrompts', async () => {
      this.expect('playPrompts', MediaSessionState.Waiting, MediaSessionState.Bridged, MediaSessionState.Held, MediaSessionState.AgentOffered);
      const connected = this._state === MediaSessionState.Bridged || this._state === MediaSessionState.Held;
      if (connected && options.duringCall !== true) {
        this.log.debug({ names }, 'prompt for a waiting caller skipped: an agent is connected');
        return { done: Promise.resolve<PlaybackResult>({ completed: false, durationMs: 0, skipped: true }) };
      }
      const { file, durationMs } = await this.ctx.promptFile(names, lang);
      return this.startPlayback(file, durationMs, 1);
    });
    return started.done;
  }

  /** Starts rtpengine's player towards the customer; `done` settles when it ends, is stopped or is replaced. */
  private async startPlayback(file: string, durationMs: number, repeat: number): Promise<{ done: Promise<PlaybackResult> }> {
    this.finishPlayback(false);
    // block the agent's audio so the prompt replaces it instead of mixing with it
    const block = this._state === MediaSessionState.Bridged;
    if (block) await this.ctx.ng().blockMedia({ 'call-id': this.callId, 'from-tag': this.otherTag });
    const reply = await this.ctx.ng().playMedia({ 'call-id': this.callId, 'from-tag': this.customerTag, file, ...(repeat > 1 ? { 'repeat-times': repeat } : {}) });
    const ms = typeof reply.duration === 'number' && reply.duration > 0 ? reply.duration : durationMs;
    const done = new Promise<PlaybackResult>((resolve) => {
      const timer = setTimeout(() => this.finishPlayback(true), repeat > 1 ? 2 ** 31 - 1 : ms + 60);
      this.playing = { timer, done: resolve, durationMs: ms, blocked: block };
    });
    return { done };
  }

  private finishPlayback(completed: boolean): void {
    const p = this.playing;
    if (!p) return;
    this.playing = undefined;
    clearTimeout(p.timer);
    p.done({ completed, durationMs: p.durationMs });
    if (!completed || this._state === MediaSessionState.Closed) return;
    // the prompt ended by itself: unblock the agent, or go back to music on hold
    void this.serial('after prompt', async () => {
      if (this.playing) return;
      if (p.blocked && this._state === MediaSessionState.Bridged) await this.ctx.ng().unblockMedia({ 'call-id': this.callId, 'from-tag': this.otherTag });
      if (this.mohOn) await this.startMoh();
    }).catch((err) => this.log.warn({ err }, 'could not restore audio after a prompt'));
  }

  private async startMoh(): Promise<void> {
    const { file, durationMs } = await this.ctx.promptFile([MUSIC_ON_HOLD], 'en');
    await this.startPlayback(file, durationMs, 100_000);
  }

  /**
   * Music on hold to a waiting customer until stopMusicOnHold() or until an agent is connected; a prompt
   * interrupts it and it resumes after. Once an agent is connected, music is hold()'s business: calling this then
   * fails with MEDIA_ERR_WRONG_ORDER instead of playing music over the conversation.
   */
  startMusicOnHold(): Promise<void> {
    return this.serial('startMusicOnHold', async () => {
      this.expect('startMusicOnHold', MediaSessionState.Waiting, MediaSessionState.AgentOffered);
      if (this.stateBeforeOffer !== undefined && this.stateBeforeOffer !== MediaSessionState.Waiting && this._state === MediaSessionState.AgentOffered) {
        throw new MediaError(MediaErrorCode.WrongOrder, `call ${this.callId}: music on hold during a transfer is hold()'s business`, { callId: this.callId });
      }
      this.mohOn = true;
      await this.startMoh();
    });
  }

  stopMusicOnHold(): Promise<void> {
    return this.serial('stopMusicOnHold', async () => {
      this.mohOn = false;
      await this.stopPlaybackNow();
    });
  }

  /** Stops whatever plays (prompt or music); the promise of a running playPrompts() resolves with completed: false. */
  stopPlayback(): Promise<void> {
    return this.serial('stopPlayback', () => this.stopPlaybackNow());
  }

  private async stopPlaybackNow(): Promise<void> {
    const blocked = this.playing?.blocked ?? false;
    this.finishPlayback(false);
    await this.ctx.ng().stopMedia({ 'call-id': this.callId, 'from-tag': this.customerTag }).catch((err: unknown) => {
      // "Not currently playing media" is not a failure
      this.log.debug({ err }, 'stop media');
    });
    if (blocked && this._state === MediaSessionState.Bridged) await this.ctx.ng().unblockMedia({ 'call-id': this.callId, 'from-tag': this.otherTag });
  }

  /**
   * Hold: customer and agent no longer hear each other; the customer hears music on hold unless
   * { music: false } (silence). For a browser customer, music makes the agent's audio disappear from the browser's
   * track after resume (Chrome and a returning SSRC, see media/README.md); { music: false } avoids that.
   */
  hold(options: { music?: boolean } = {}): Promise<void> {
    return this.serial('hold', async () => {
      this.expect('hold', MediaSessionState.Bridged, MediaSessionState.Held);
      if (this._state === MediaSessionState.Held) return;
      this.transition(MediaSessionState.Held);
      await this.ctx.ng().blockMedia({ 'call-id': this.callId, 'from-tag': this.otherTag });
      await this.ctx.ng().blockMedia({ 'call-id': this.callId, 'from-tag': this.customerTag });
      if (options.music === false) return;
      this.mohOn = true;
      await this.startMoh();
    });
  }

  /** The customer's leg is WebRTC (a browser): see hold(). */
  get customerIsBrowser(): boolean {
    return this.internalOffer !== undefined && this.customerWebrtc;
  }

  resume(): Promise<void> {
    return this.serial('resume', async () => {
      this.expect('resume', MediaSessionState.Held, MediaSessionState.Bridged);
      if (this._state === MediaSessionState.Bridged) return;
      this.mohOn = false;
      this.finishPlayback(false);
      await this.ctx.ng().stopMedia({ 'call-id': this.callId, 'from-tag': this.customerTag }).catch(() => undefined);
      await this.ctx.ng().unblockMedia({ 'call-id': this.callId, 'from-tag': this.otherTag });
      await this.ctx.ng().unblockMedia({ 'call-id': this.callId, 'from-tag': this.customerTag });
      this.transition(MediaSessionState.Bridged);
    });
  }

  /**
   * Sends RFC 4733 DTMF digits to one leg (e.g. to an IVR on the agent's side). Needs the session to be created
   * with { injectDtmf: true }. rtpengine injects them into the media flowing towards that leg.
   */
  sendDtmf(to: LegName, digits: string, durationMs = 160): Promise<void> {
    if (to !== 'customer' && to !== 'agent') throw new TypeError(`DTMF target must be 'customer' or 'agent', not ${String(to)}`);
    if (!/^[0-9*#A-D]+$/.test(digits)) throw new TypeError(`DTMF digits "${digits}" must be 0-9, *, #, A-D`);
    return this.serial('sendDtmf', async () => {
      if (!this.injectDtmf) {
        throw new MediaError(MediaErrorCode.WrongOrder, `call ${this.callId}: sendDtmf needs a session created with { injectDtmf: true }`, { callId: this.callId });
      }
      this.expect('sendDtmf', MediaSessionState.Waiting, MediaSessionState.Bridged, MediaSessionState.Held, MediaSessionState.AgentOffered);
      for (const d of digits) {
        // the digit is injected as if the other party had sent it
        await this.ctx.ng().playDtmf({ 'call-id': this.callId, 'from-tag': to === 'customer' ? this.otherTag : this.customerTag, code: d, duration: durationMs });
        await new Promise((r) => setTimeout(r, durationMs + 60));
      }
    });
  }

  /**
   * Silent monitoring: an offer for a listener's browser (WebRTC: ICE, DTLS-SRTP, rtcp-mux), receive-only, with two
   * audio streams, first what the customer says and then what the agent says (rtpengine's `subscribe request` to both
   * tags of the customer leg, so it holds through transfers and chained calls). Neither party hears the listener or
   * is told. `id` names the listener in listenAnswer() and stopListening(). Only while an agent is connected.
   */
  listenOffer(): Promise<{ id: string; sdp: string }> {
    return this.serial('listenOffer', async () => {
      this.expect('listenOffer', MediaSessionState.Bridged, MediaSessionState.Held);
      return this.subscribe([this.customerTag, this.otherTag]);
    });
  }

  /**
   * Coaching (whisper): the coach's browser offers its microphone (WebRTC) and gets the answer here; rtpengine takes
   * it into the call as a party of its own (`publish`) that nobody in the call hears. coachOffer(id) then gives the
   * agent's page a receive-only offer of it, answered with listenAnswer() and ended with stopListening().
   */
  coachPublish(offerSdp: string): Promise<{ id: string; sdp: string }> {
    return this.serial('coachPublish', async () => {
      this.expect('coachPublish', MediaSessionState.Bridged, MediaSessionState.Held);
      const id = `${this.callId}.coach${++this.coachSeq}`;
      const reply = await this.ctx.ng().request('publish', { 'call-id': this.callId, 'from-tag': id, sdp: offerSdp, 'ICE-lite': 'backward', flags: ['trust-address'] });
      return { id, sdp: sdpOf(reply, this.callId) };
    });
  }

  /** A receive-only offer of what the coach `coachId` (coachPublish) says, for the agent's page. */
  coachOffer(coachId: string): Promise<{ id: string; sdp: string }> {
    return this.serial('coachOffer', () => this.subscribe([coachId]));
  }

  /**
   * Voicemail: records what the customer says from now on (rtpengine's `subscribe request` to the customer's tag, as
   * plain RTP transcoded to PCMU, answered by a socket of ours at the sink's address) until the recording's stop(),
   * which ends the subscription. Only while no agent is connected: prompts may play to the caller meanwhile.
   */
  recordCustomer(maxSeconds: number): Promise<CallRecording> {
    return this.serial('recordCustomer', async () => {
      this.expect('recordCustomer', MediaSessionState.Waiting);
      return this.record([this.customerTag], maxSeconds);
    });
  }

  /**
   * Call recording: both parties from now on, the customer and the other side (whichever agent is connected: the
   * tag stays through transfers and hold), as a stereo file, customer left, until the recording's stop().
   */
  recordCall(maxSeconds: number): Promise<CallRecording> {
    return this.serial('recordCall', async () => {
      this.expect('recordCall', MediaSessionState.Bridged, MediaSessionState.Held);
      return this.record([this.customerTag, this.otherTag], maxSeconds);
    });
  }

  private async record(tags: string[], maxSeconds: number): Promise<CallRecording> {
    const rec = await CallRecording.open(this.ctx.sinkAddress, maxSeconds, tags.length as 1 | 2);
    try {
      const reply = await this.ctx.ng().request('subscribe request', {
        'call-id': this.callId,
        'from-tags': tags,
        ...TO_PLAIN,
        codec: { transcode: ['PCMU'], mask: ['all'] },
        flags: ['trust-address'],
      });
      const id = reply['to-tag'];
      if (typeof id !== 'string' || id === '') throw new MediaError(MediaErrorCode.NgFailed, `rtpengine gave no tag for a recording of call ${this.callId}`, { callId: this.callId });
      try {
        // (allow-transcoding: rtpengine takes an answer that does not repeat every codec of the source)
        await this.ctx.ng().request('subscribe answer', { 'call-id': this.callId, 'to-tag': id, sdp: rec.answer(sdpOf(reply, this.callId)), flags: ['trust-address', 'allow-transcoding'] });
      } catch (err) {
        await this.ctx.ng().request('unsubscribe', { 'call-id': this.callId, 'to-tag': id }).catch(() => undefined);
        throw err;
      }
      rec.onStop(() => this.stopListening(id));
    } catch (err) {
      await rec.stop();
      throw err;
    }
    return rec;
  }

  /** rtpengine's `subscribe request` to `tags` for a WebRTC browser (ICE-lite towards it; mids renumbered). */
  private async subscribe(tags: string[]): Promise<{ id: string; sdp: string }> {
    const reply = await this.ctx.ng().request('subscribe request', {
      'call-id': this.callId,
      'from-tags': tags,
      ...TO_WEBRTC,
      'ICE-lite': 'forward',
      DTLS: 'passive',
      flags: ['trust-address'],
    });
    const id = reply['to-tag'];
    if (typeof id !== 'string' || id === '') throw new MediaError(MediaErrorCode.NgFailed, `rtpengine gave no tag for a subscriber of call ${this.callId}`, { callId: this.callId });
    return { id, sdp: renumberMids(sdpOf(reply, this.callId)) };
  }

  /** The listener's browser answered listenOffer(), or the agent's page coachOffer() (MEDIA_ERR_NG_FAILED when rtpengine refuses the SDP). */
  listenAnswer(id: string, sdp: string): Promise<void> {
    return this.serial('listenAnswer', async () => {
      await this.ctx.ng().request('subscribe answer', { 'call-id': this.callId, 'to-tag': id, sdp, flags: ['trust-address'] });
    });
  }

  /** The listener leaves, or the agent's page stops hearing the coach (their streams stop); nothing else in the call changes. */
  stopListening(id: string): Promise<void> {
    return this.serial('stopListening', async () => {
      await this.ctx.ng().request('unsubscribe', { 'call-id': this.callId, 'to-tag': id });
    });
  }

  /** rtpengine's view of the call (packet counters per tag and stream). */
  query(): Promise<NgReply> {
    return this.serial('query', () => this.ctx.ng().query({ 'call-id': this.callId }));
  }

  /**
   * Seconds since RTP last came in from each side (rtpengine's per-stream `last packet`, whole seconds; a side
   * that never sent counts from when its stream was set up), null for a side rtpengine does not have. For the
   * media inactivity timeout: a phone that lost power or its network sends no BYE, only silence.
   */
  async silentSeconds(nowMs = Date.now()): Promise<Record<LegName, number | null>> {
    const q = await this.query();
    const age = (tag: string): number | null => {
      const last = lastRtpPacket(q, tag);
      return last === null ? null : Math.max(0, nowMs / 1000 - last);
    };
    return { customer: age(this.customerTag), agent: age(this.otherTag) };
  }

  /** Which kind of device the agent leg is (undefined while waiting). */
  get agentLegKind(): LegKind | undefined {
    return this.agentKind;
  }

  /** Called by the engine for each DTMF digit rtpengine reports for this call. */
  handleDtmf(sourceTag: string, digit: string, durationMs: number): void {
    const leg: LegName | undefined = sourceTag === this.customerTag ? 'customer' : sourceTag === this.otherTag ? 'agent' : undefined;
    if (!leg || this._state === MediaSessionState.Closed) return;
    this.safeEmit('dtmf', { callId: this.callId, leg, digit, durationMs });
  }

  /** Called by the engine when rtpengine died: the call is gone from it. */
  handleMediaLost(): void {
    if (this._state === MediaSessionState.Closed) return;
    this.log.warn('rtpengine lost this call');
    this.safeEmit('mediaLost');
  }

  /**
   * Releases everything in rtpengine (delete). Safe to call twice and in any state, also after an abnormal end:
   * a failing delete (rtpengine restarted, call unknown) is logged, not thrown.
   */
  async close(): Promise<void> {
    if (this._state === MediaSessionState.Closed) return;
    this.transition(MediaSessionState.Closed);
    await this.chain.catch(() => undefined);
    await this.releaseAll();
  }

  private async releaseAll(): Promise<void> {
    this.ctx.released(this);
    const chains = [this.currentChain, ...[...this.pending.values()].map((p) => p.chainId)].filter((c): c is string => c !== undefined);
    this.currentChain = undefined;
    this.pending.clear();
    for (const c of chains) await this.deleteChain(c);
    if (!this.touched) return;
    this.touched = false;
    try {
      await this.ctx.ng().delete({ 'call-id': this.callId });
    } catch (err) {
      this.log.info({ err: (err as Error).message }, 'rtpengine delete failed (call already gone)');
    }
  }
}

function checkAgent(agent: AgentOfferOptions): void {
  if (!agent || (agent.kind !== 'rtp' && agent.kind !== 'webrtc')) throw new TypeError(`agent.kind must be 'rtp' or 'webrtc', not ${String(agent?.kind)}`);
  if (agent.codecs !== undefined && (!Array.isArray(agent.codecs) || agent.codecs.some((c) => typeof c !== 'string' || !/^[A-Za-z0-9.-]+(\/[A-Za-z0-9.=;_-]*)*$/.test(c)))) {
    throw new TypeError('agent.codecs must be a list of codec names such as ["PCMU", "opus"]');
  }
}

/** rtpengine `codec.transcode` for the wanted codecs the description lacks, plus telephone-event when it has none. */
function transcodeFlags(d: AudioDescription, wanted: readonly string[]): NgParams {
  const have = new Set(d.codecs.map((c) => c.name.toLowerCase()));
  const transcode = wanted.filter((c) => !have.has(c.toLowerCase()));
  if (!have.has('telephone-event')) transcode.push('telephone-event');
  return transcode.length ? { codec: { transcode } } : {};
}

function sdpOf(reply: NgReply, callId: string): string {
  if (typeof reply.sdp !== 'string') throw new MediaError(MediaErrorCode.NgProtocol, `rtpengine reply for call ${callId} has no SDP`, { callId });
  return reply.sdp;
}

/** The latest `last packet` (unix seconds) of the RTP streams (the first of each media) rtpengine reports for a tag. */
function lastRtpPacket(reply: NgReply, tag: string): number | null {
  const tags = reply.tags as Record<string, { medias?: Array<{ streams?: Array<Record<string, unknown>> }> }> | undefined;
  let latest: number | null = null;
  for (const media of tags?.[tag]?.medias ?? []) {
    const v = Number(media.streams?.[0]?.['last packet']);
    if (Number.isFinite(v) && (latest === null || v > latest)) latest = v;
  }
  return latest;
}
