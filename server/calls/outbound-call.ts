import { randomUUID } from 'node:crypto';
import { type MediaEngine, type MediaSession, answerReinvite } from '../../media/index.ts';
import type { IncomingCall, OutgoingCall, SipStack } from '../../sip/index.ts';
import type { Logger } from '../logger.ts';
import type { CallbackSettings } from './callback-settings.ts';
import { type CallLogWriter, newCallRecord } from './call-log-writer.ts';
import { dialUri, maskNumber } from './phone-numbers.ts';

/** How long the customer's phone may ring for an agent's call before it is given up (the agent may hang up sooner). */
export const OUTBOUND_RING_SECONDS = 120;

/** What the agent's desktop is told of a phone call they place (whichever of their devices dialled). */
export interface OutboundEvent {
  type: 'outbound';
  callId: string;
  number: string;
  state: 'dialing' | 'ringing' | 'talking' | 'ended';
  /** when ended: why (answered and hung up: 'agent' / 'customer'; not answered: the trunk's status, or 'cancelled') */
  reason?: string;
}

/** Why agents may not dial phone numbers now (or this `number`), or null when they may. */
export function outboundProblem(settings: Readonly<CallbackSettings>, number?: string): string | null {
  if (settings.trunk === null) return 'no trunk is set up for calls to phone numbers';
  if (!settings.agentCalls) return 'agents may not dial phone numbers here (an admin allows it: PUT /api/settings/callbacks {"agentCalls": true})';
  const prefixes = settings.allowedPrefixes;
  if (number !== undefined && prefixes.length > 0 && !prefixes.some((p) => number.startsWith(p))) {
    return `${maskNumber(number)} does not start with an allowed prefix (${prefixes.join(', ')})`;
  }
  return null;
}

export interface OutboundDeps {
  sip: SipStack;
  media: MediaEngine;
  log: Pick<CallLogWriter, 'insertCall' | 'updateCall'>;
  logger: Logger;
  settings: Readonly<CallbackSettings>;
  agentName: string;
  /** the desktop of the agent, told how the call goes */
  toAgent(event: OutboundEvent): void;
  /** the call is over (both legs and its media released) */
  ended(call: OutboundCall): void;
}

/**
 * An agent's call to a phone number: their desk phone or browser softphone dialled the number (an INVITE to
 * sip:<number>@<realm>), the call goes out through the trunk, media anchored in rtpengine (the agent's device,
 * WebRTC or RTP, on one side; the trunk, plain RTP, on the other). The agent hears the trunk's ringing (180), is
 * answered when the customer answers; a BYE from either side ends both, the agent's CANCEL cancels the trunk's
 * leg, a trunk's refusal is passed back to the agent's device. The call record says `outbound`, with the number as
 * the customer (so the customer's history has it). The agent's ACD state is the caller's business (CallCenter).
 */
export class OutboundCall {
  readonly id = randomUUID();
  readonly startedAt = new Date();
  #trunkLeg: OutgoingCall | null = null;
  #media: MediaSession;
  #answeredAt: Date | null = null;
  #ended = false;
  /** either side holds the call (it sends no media then) */
  #held = false;
  #checkingMedia = false;

  constructor(
    private readonly deps: OutboundDeps,
    private readonly incoming: IncomingCall,
    readonly agentId: string,
    readonly number: string,
  ) {
    this.#media = deps.media.createSession(this.id);
    this.#media.on('mediaLost', () => this.#end('media-lost'));
  }

  get answered(): boolean {
    return this.#answeredAt !== null;
  }

  async start(): Promise<void> {
    const { deps, incoming } = this;
    const offer = incoming.remoteSdp;
    if (offer === undefined) return this.#refuse(488, 'Not Acceptable Here: an INVITE with an SDP offer is required to dial a number');
    const channel = /UDP\/TLS\/RTP\/SAVPF/.test(offer) ? 'webrtc' : 'sip';
    deps.log.insertCall({
      ...newCallRecord({
        id: this.id, queue_id: null, direction: 'outbound', channel, caller: this.number, customer_id: null, language: null,
        context: JSON.stringify({ dialledBy: Number(this.agentId) }), sip_call_id: incoming.callId, state: 'ringing', queued_at: null,
      }),
      agent_id: Number(this.agentId),
    });
    deps.logger.info({ callId: this.id, agentId: this.agentId, number: maskNumber(this.number) }, 'agent dials a number');
    deps.toAgent({ type: 'outbound', callId: this.id, number: this.number, state: 'dialing' });
    incoming.on('cancel', () => {
      this.#trunkLeg?.cancel();
      if (this.#trunkLeg === null) this.#end('cancelled');
    });
    incoming.on('close', (reason) => this.#end(this.#answeredAt === null ? 'cancelled' : reason === 'bye' ? 'agent' : reason));
    let trunkOffer: string;
    try {
      trunkOffer = await this.#media.offerFromCustomer(offer, { kind: 'rtp' });
    } catch (err) {
      deps.logger.warn({ err, callId: this.id }, 'outbound call: the media engine refused the offer');
      return this.#refuse(488, `Not Acceptable Here: ${(err as Error).message}`);
    }
    if (this.#ended) return;
    const { settings } = deps;
    let leg: OutgoingCall;
    try {
      leg = deps.sip.placeCall({
        target: dialUri(settings.trunk!, this.number),
        from: `"${deps.agentName.replace(/["\\\r\n]/g, '')}" <${settings.callerId}>`,
        sdp: trunkOffer,
        // (one hop less than the agent's phone gave: a trunk that routes the number back to us ends the loop)
        headers: { 'max-forwards': String(incoming.onwardMaxForwards) },
        ...(settings.auth ? { auth: settings.auth } : {}),
      });
    } catch (err) {
      deps.logger.warn({ err, callId: this.id }, 'outbound call: the trunk cannot be reached');
      return this.#refuse(503, 'Service Unavailable: the trunk cannot be reached');
    }
    this.#trunkLeg = leg;
    const ringLimit = setTimeout(() => leg.cancel(), OUTBOUND_RING_SECONDS * 1000);
    leg.on('provisional', (status: number, _sdp: string | undefined) => {
      if (status !== 180 && status !== 183) return;
      if (!incoming.isClosed && this.#answeredAt === null) incoming.progress(180);
      deps.toAgent({ type: 'outbound', callId: this.id, number: this.number, state: 'ringing' });
    });
    leg.on('answered', (sdp) => {
      clearTimeout(ringLimit);
      void this.#connect(leg, sdp);
    });
    leg.on('failed', (status, reason) => {
      clearTimeout(ringLimit);
      // (a challenge the trunk's account did not answer is the server's problem, not the agent's phone's)
      const refusedUs = status === 401 || status === 407;
      this.#end(String(status), refusedUs ? [502, 'Bad Gateway: the trunk refused the call center\'s credentials'] : [status >= 300 ? status : 500, reason ?? '']);
    });
    leg.on('bye', () => this.#end('customer'));
    leg.on('close', (reason) => {
      clearTimeout(ringLimit);
      if (reason !== 'bye' && this.#answeredAt !== null) this.#end(reason);
    });
  }

  /** The customer answered: the agent's device gets the answer, both sides talk. */
  async #connect(leg: OutgoingCall, trunkAnswer: string): Promise<void> {
    const { incoming, deps } = this;
    if (this.#ended || incoming.isClosed) {
      void leg.bye().catch(() => {});
      return;
    }
    try {
      const answer = await this.#media.answerFromAgent(trunkAnswer, 'rtp');
      await incoming.answer(answer);
    } catch (err) {
      deps.logger.warn({ err, callId: this.id }, 'outbound call: could not connect the agent');
      void leg.bye().catch(() => {});
      if (!incoming.isClosed) incoming.reject(488, 'Not Acceptable Here: the media of the two sides could not be bridged');
      this.#end('failed');
      return;
    }
    this.#answeredAt = new Date();
    deps.log.updateCall(this.id, { state: 'connected', answered_at: this.#answeredAt });
    deps.toAgent({ type: 'outbound', callId: this.id, number: this.number, state: 'talking' });
    // Hold and resume from either side: the ports and codecs stay as they are (the held side sends nothing).
    const agentOffer = incoming.remoteSdp;
    const reinvite = (local: string | undefined, remote: string | undefined, offer: string): string => {
      const a = answerReinvite(local ?? '', remote, offer);
      this.#held = a.hold;
      return a.sdp;
    };
    incoming.setReinviteHandler((o) => reinvite(incoming.localSdp, agentOffer, o));
    // (a transfer of this call is not supported: the REFER's outcome says so, the call goes on)
    incoming.on('refer', () => incoming.notifyRefer(603, 'Decline: a call to a number cannot be transferred'));
    leg.setReinviteHandler((o) => reinvite(leg.localSdp, trunkAnswer, o));
  }

  /**
   * Media inactivity (MEDIA_TIMEOUT_SECONDS), as for customers' calls: a talking call in which one side has sent no RTP
   * for `timeoutSeconds` is hung up on both sides ('media-timeout': a phone that lost power or its network sends no
   * BYE, and its agent would stay not ready). Not while the call is held.
   */
  async checkMedia(timeoutSeconds: number): Promise<void> {
    if (this.#answeredAt === null || this.#ended || this.#held || this.#checkingMedia) return;
    this.#checkingMedia = true;
    try {
      const silent = await this.#media.silentSeconds();
      if (this.#ended || this.#held) return;
      // (the media session's "customer" leg is the agent's device, which offered; its "agent" leg is the trunk)
      if ((silent.customer ?? 0) >= timeoutSeconds || (silent.agent ?? 0) >= timeoutSeconds) {
        this.deps.logger.warn({ callId: this.id, silentSeconds: silent, timeoutSeconds }, 'no media on a call to a number: ending it');
        this.#end('media-timeout');
      }
    } catch (err) {
      this.deps.logger.debug({ err, callId: this.id }, 'media query failed');
    } finally {
      this.#checkingMedia = false;
    }
  }

  /** Ends the call from the server's side (the agent's page hung up, the server is closing). */
  hangUp(): void {
    this.#end('agent');
  }

  #refuse(status: number, reason: string): void {
    this.#end('failed', [status, reason]);
  }

  /**
   * Ends both legs (before the answer: the trunk's leg cancelled, the agent's refused with `refusal`; BYE after), the
   * record, the media: once.
   */
  #end(reason: string, refusal: [status: number, phrase: string] = [487, 'Request Terminated']): void {
    if (this.#ended) return;
    this.#ended = true;
    const { deps } = this;
    const leg = this.#trunkLeg;
    if (leg !== null && !leg.isClosed) {
      if (this.#answeredAt === null) leg.cancel();
      else void leg.bye().catch(() => {});
    }
    if (!this.incoming.isClosed) {
      if (this.#answeredAt === null) this.incoming.reject(...refusal);
      else void this.incoming.bye().catch(() => {});
    }
    const endedAt = new Date();
    const talk = this.#answeredAt === null ? null : (endedAt.getTime() - this.#answeredAt.getTime()) / 1000;
    deps.log.updateCall(this.id, { state: 'ended', end_reason: reason, ended_at: endedAt, talk_seconds: talk });
    deps.toAgent({ type: 'outbound', callId: this.id, number: this.number, state: 'ended', reason });
    void this.#media.close().finally(() => deps.ended(this));
  }
}
