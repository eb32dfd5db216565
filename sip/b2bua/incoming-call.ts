import { InvalidStateError } from '../message/errors.ts';
import { createResponse, type SipRequest } from '../message/message.ts';
import { randomToken } from '../message/grammar.ts';
import { formatUri } from '../message/uri.ts';
import type { InviteServerTransaction } from '../transaction/server-transactions.ts';
import { Dialog } from '../dialog/dialog.ts';
import { applyToResponse, type SessionTimerPlan } from '../dialog/session-timer.ts';
import type { Flow } from '../transport/flow.ts';
import { ALLOW } from '../core/request-checks.ts';
import { CallLeg, type CallLegEvents } from './call-leg.ts';
import { CallState } from './call-state.ts';
import type { LegContext } from './context.ts';

export interface IncomingCallEvents extends CallLegEvents {
  /** the caller cancelled before we answered (RFC 3261 9.2); the INVITE got 487 */
  cancel: [];
  /** the ACK for our 2xx arrived */
  ack: [];
}

/** Who is calling, as far as the stack established it. */
export interface CallerIdentity {
  /** authenticated digest username; undefined when the source is trusted and sent no credentials */
  username: string | undefined;
  agentId: string | undefined;
  /** the INVITE came from a configured trusted address */
  trusted: boolean;
}

/**
 * The UAS side of a call: an authenticated (or trusted) INVITE waiting for the call layer to
 * ring (progress), answer or reject it.
 */
export class IncomingCall extends CallLeg<IncomingCallEvents> {
  readonly request: SipRequest;
  readonly identity: CallerIdentity;
  readonly flow: Flow;
  private readonly localTag = randomToken(6);
  private answering: Promise<void> | undefined;

  constructor(
    ctx: LegContext,
    private readonly tx: InviteServerTransaction,
    identity: CallerIdentity,
    /** RFC 4028: the session interval the INVITE asked for (the stack refused bad and too small ones) */
    private readonly sessionPlan: SessionTimerPlan = { kind: 'none' },
  ) {
    super(ctx, tx.request.callId);
    this.request = tx.request;
    this.secure = this.request.isSips;
    this.flow = tx.flow;
    this.identity = identity;
    this.remoteSdp = this.request.body.length > 0 ? this.request.bodyText : undefined;
    // RFC 3261 17.2.1: send 100 Trying unless the TU answers within 200 ms; we wait 100 ms so that a fast
    // 180/200 (the common B2BUA case) saves a datagram, and still stay well inside the caller's timer A.
    this.tryingTimer = setTimeout(() => {
      this.tryingTimer = undefined;
      if (!this.tx.finalSent && !this.sentProvisional && !this.isClosed) tx.respond(createResponse(this.request, 100, 'Trying'));
    }, 100);
  }

  private tryingTimer: NodeJS.Timeout | undefined;
  private sentProvisional = false;

  protected override release(): void {
    if (this.tryingTimer) clearTimeout(this.tryingTimer);
    super.release();
  }

  /** Before there is a dialog, the caller is reached where its INVITE came from. */
  protected override directPeer(): { protocol: string; connectionId?: string | undefined } | undefined {
    return this.dialog !== undefined ? super.directPeer() : this.flow;
  }

  /** An INVITE still unanswered gets its final response all the same (nobody hears it), ending the transaction. */
  protected override endUnreachable(): void {
    if (!this.tx.finalSent) this.tx.respond(createResponse(this.request, 480, 'Temporarily Unavailable', this.localTag));
    super.endUnreachable();
  }

  /** A request header value (e.g. 'X-Call-Token'), or undefined. */
  header(name: string): string | undefined {
    return this.request.get(name);
  }

  /**
   * Max-Forwards of a call placed on this one's behalf (RFC 7332 3: a B2BUA carries the count over, one less, so a
   * loop through a trunk ends with 483); the INVITE's own value less one, at most 70.
   */
  get onwardMaxForwards(): number {
    return Math.max(0, Math.min(70, this.request.maxForwards - 1));
  }

  /** Request-URI, From and To URIs of the INVITE. */
  get requestUri(): string {
    return this.request.uri;
  }
  get fromUri(): string {
    return formatUri(this.request.from.uri);
  }
  get fromDisplayName(): string | undefined {
    return this.request.from.displayName;
  }
  get toUri(): string {
    return formatUri(this.request.to.uri);
  }

  private assertPending(what: string): void {
    if (this.isClosed || this.tx.finalSent) throw new InvalidStateError(`${what}: the INVITE was already answered or ended`);
  }

  /** Sends 180 Ringing or 183 Session Progress (with early media SDP). */
  progress(status: 180 | 181 | 182 | 183 = 180, sdp?: string): void {
    this.assertPending('progress()');
    const res = createResponse(this.request, status, undefined, this.localTag);
    res.set('contact', this.contactHeader(this.flow.protocol));
    if (sdp !== undefined) {
      res.set('content-type', 'application/sdp');
      res.body = Buffer.from(sdp, 'utf8');
      this.localSdp = sdp;
    }
    this.tx.respond(res);
    this.sentProvisional = true;
    if (this.state === CallState.Initial) this.transition(CallState.Early);
  }

  /** Answers with 200 OK and `sdp`; resolves when the ACK arrives, rejects if it never does (the call is then ended). */
  answer(sdp: string): Promise<void> {
    if (this.answering) return this.answering;
    this.assertPending('answer()');
    const res = createResponse(this.request, 200, 'OK', this.localTag);
    res.set('contact', this.contactHeader(this.flow.protocol));
    res.set('allow', ALLOW);
    res.set('content-type', 'application/sdp');
    res.body = Buffer.from(sdp, 'utf8');
    if (this.sessionPlan.kind === 'timer') applyToResponse(this.sessionPlan, res);
    this.localSdp = sdp;
    this.attachDialog(Dialog.asUas(this.request, this.localTag, this.flow));
    if (this.tryingTimer) clearTimeout(this.tryingTimer);
    this.tx.respond(res);
    this.transition(CallState.Established);
    this.armSessionTimer(this.sessionPlan);
    this.answering = this.retransmit2xx(this.request, res, this.flow).then(
      () => {
        this.fire('ack');
      },
      (err: Error) => {
        // RFC 3261 13.3.1.4: no ACK -> the UAS SHOULD end the dialog with BYE
        if (!this.isClosed) void this.bye().catch(() => {});
        throw err;
      },
    );
    this.answering.catch(() => {});
    return this.answering;
  }

  /** Rejects the INVITE with a final status (>= 300). */
  reject(status: number, reason?: string): void {
    if (this.isClosed && this.tx.finalSent) return;
    if (status < 300 || status > 699) throw new TypeError(`reject(): status must be 300-699, got ${status}`);
    this.assertPending('reject()');
    this.tx.respond(createResponse(this.request, status, reason, this.localTag));
    this.terminate('rejected');
  }

  /** Called by the stack when a CANCEL matched our INVITE (RFC 3261 9.2). */
  handleCancel(): void {
    if (this.tx.finalSent || this.isClosed) return;
    this.tx.respond(createResponse(this.request, 487, 'Request Terminated', this.localTag));
    this.fire('cancel');
    this.terminate('cancelled');
  }

  /** Hangs up: BYE when established, otherwise rejects the pending INVITE with 480. */
  override async bye(reason?: string): Promise<void> {
    if (this.isClosed) return;
    if (this.state !== CallState.Established) {
      this.reject(480, 'Temporarily Unavailable');
      return;
    }
    return super.bye(reason);
  }
}
