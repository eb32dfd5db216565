import { InvalidStateError, SipError } from '../message/errors.ts';
import { SipRequest, type SipResponse } from '../message/message.ts';
import { randomToken } from '../message/grammar.ts';
import { MAGIC_COOKIE } from '../message/via.ts';
import { isSipsUri } from '../message/uri.ts';
import { IGNORE_RESPONSES, type ClientTransaction, type ClientTransactionUser } from '../transaction/client-transactions.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import { keepBytes, keptBytes, RELEASED } from '../transaction/transaction.ts';
import { Dialog } from '../dialog/dialog.ts';
import type { SendTarget } from '../transport/flow.ts';
import { ALLOW } from '../core/request-checks.ts';
import { type ClientCredentials, answerChallenge } from '../auth/digest-client.ts';
import { CallLeg, type CallLegEvents } from './call-leg.ts';
import { CallState } from './call-state.ts';
import type { LegContext } from './context.ts';

export interface OutgoingCallEvents extends CallLegEvents {
  /** 1xx from the callee (180 ringing, 183 with early media SDP) */
  provisional: [number, string | undefined];
  /**
   * 2xx: the callee answered with this SDP (the ACK is already sent). For a call placed without an offer (late
   * offer, RFC 3261 13.2.1) this is the callee's offer, and the call layer sends its answer with acknowledge().
   */
  answered: [string];
  /** final failure: status (408 for no answer, 503 for transport failure, 487 after cancel) and reason */
  failed: [number, string];
}

export interface OutgoingCallInit {
  requestUri: string;
  from: string;
  to: string;
  /** our offer; undefined: none (late offer), the callee offers in its 2xx and we answer in the ACK */
  sdp: string | undefined;
  headers: Record<string, string>;
  route: string[];
  target: SendTarget;
  /** answers a 401/407 to the INVITE once with these (a trunk's account at its provider) */
  auth?: ClientCredentials | undefined;
}

/** The UAC side of a call placed by the call layer (placeCall). */
/** RFC 3326 Reason for a CANCEL because another device or agent took the call (RFC 3261 forking; phones log no missed call). */
export const ANSWERED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

export class OutgoingCall extends CallLeg<OutgoingCallEvents> {
  /** our INVITE (after a challenge, the one with our credentials) */
  invite: SipRequest;
  readonly target: SendTarget;
  private tx: ClientTransaction | undefined;
  private gotProvisional = false;
  private cancelRequested = false;
  private cancelSent = false;
  private cancelReason: string | undefined;
  private ack: SipRequest | undefined;
  /** late offer: the 2xx came, our ACK (with the answer) is not sent yet */
  private ackPending = false;
  /** what placeCall asked for (undefined once the call is over: see release()) */
  private init: OutgoingCallInit | undefined;
  private readonly fromTag = randomToken(6);
  private authTried = false;

  constructor(ctx: LegContext, init: OutgoingCallInit) {
    const callId = randomToken(12);
    super(ctx, callId);
    this.target = init.target;
    this.init = init;
    this.secure = isSipsUri(init.requestUri);
    this.localSdp = init.sdp;
    this.invite = this.buildInvite(1);
  }

  /** Our INVITE with CSeq `seq` (a new transaction), and the credentials' answer to a challenge when there was one. */
  private buildInvite(seq: number, authorization?: { header: 'authorization' | 'proxy-authorization'; value: string }): SipRequest {
    const init = this.init;
    if (init === undefined) throw new InvalidStateError('the call is over');
    const req = new SipRequest('INVITE', init.requestUri);
    if (init.route.length) req.set('route', init.route);
    req.set('max-forwards', '70');
    req.set('from', `${init.from};tag=${this.fromTag}`);
    req.set('to', init.to);
    req.set('call-id', this.callId);
    req.set('cseq', `${seq} INVITE`);
    req.set('contact', this.contactHeader(init.target.protocol));
    req.set('allow', ALLOW);
    req.set('user-agent', this.ctx.userAgent);
    for (const [k, v] of Object.entries(init.headers)) req.set(k, v);
    if (authorization !== undefined) req.set(authorization.header, authorization.value);
    if (init.sdp !== undefined) {
      req.set('content-type', 'application/sdp');
      req.body = Buffer.from(init.sdp, 'utf8');
    }
    return req;
  }

  /** Sends the INVITE (called by the stack right after construction). */
  start(): void {
    this.tx = this.ctx.tl.sendRequest(this.invite, this.target, {
      onResponse: (res) => {
        try {
          this.onResponse(res);
        } catch (err) {
          // a response we cannot build a dialog from: the call fails here rather than hang in its state forever
          this.log.warn({ err: (err as Error).message, status: res.status }, 'unusable response to our INVITE');
          this.fail(502, 'Bad Gateway');
        }
      },
      onTimeout: (status) => this.fail(status, status === 408 ? 'Request Timeout' : 'Service Unavailable'),
    });
  }

  private onResponse(res: SipResponse): void {
    const s = res.status;
    if (s < 200) {
      if (s > 100 || this.cancelRequested) this.gotProvisional = true;
      if (this.cancelRequested && !this.cancelSent) this.sendCancel();
      if (s === 100 || this.isClosed) return;
      const sdp = res.body.length > 0 ? res.bodyText : undefined;
      if (sdp !== undefined) this.remoteSdp = sdp;
      if (this.state === CallState.Initial && res.toTag) this.transition(CallState.Early);
      this.fire('provisional', s, sdp);
      return;
    }
    if (s < 300) {
      this.on2xx(res);
      return;
    }
    const init = this.init;
    if ((s === 401 || s === 407) && init?.auth !== undefined && !this.authTried && !this.cancelRequested && !this.isClosed) {
      // RFC 3261 22.2: the same INVITE again (same Call-ID and From tag, next CSeq) with our credentials, once
      this.authTried = true;
      const value = answerChallenge(res.getAll(s === 401 ? 'www-authenticate' : 'proxy-authenticate'), init.auth, 'INVITE', init.requestUri);
      if (value !== null) {
        this.invite = this.buildInvite(this.invite.cseq.seq + 1, { header: s === 401 ? 'authorization' : 'proxy-authorization', value });
        this.gotProvisional = false;
        this.start();
        return;
      }
    }
    this.fail(s, res.reason);
  }

  private on2xx(res: SipResponse): void {
    // RFC 3261 13.2.2.4: every 2xx is ACKed; retransmissions get the same ACK again (none while a late offer's
    // answer is being made: the callee retransmits until it comes)
    if (this.dialog && res.toTag === this.dialog.remoteTag && this.ack) {
      if (!this.ackPending) this.ctx.tl.sendStateless(this.ack, this.dialog.nextHop());
      return;
    }
    const d = Dialog.asUac(this.invite, res, this.target);
    const ack = d.createRequest('ACK', { cseq: this.invite.cseq.seq });
    const hop = d.nextHop();
    ack.prepend('via', this.ctx.tl.makeVia(hop.protocol, MAGIC_COOKIE + randomToken(10)));
    if (this.dialog || this.isClosed) {
      // a second (forked) 2xx or one after we gave up: ACK and BYE it (RFC 3261 13.2.2.4)
      this.ctx.tl.sendStateless(ack, hop);
      const bye = d.createRequest('BYE');
      this.ctx.tl.sendRequest(bye, hop, IGNORE_RESPONSES);
      return;
    }
    if (this.localSdp === undefined && res.body.length === 0) {
      // late offer answered without an offer: nothing to talk with (RFC 3261 13.2.1: ACK, then BYE)
      this.ctx.tl.sendStateless(ack, hop);
      this.ctx.tl.sendRequest(d.createRequest('BYE'), hop, IGNORE_RESPONSES);
      this.fail(488, 'Not Acceptable Here (no offer in the 2xx to our INVITE without SDP)');
      return;
    }
    this.ack = ack;
    this.attachDialog(d);
    this.remoteSdp = res.bodyText;
    // late offer: the 2xx carries the callee's offer, our answer goes in the ACK (acknowledge())
    if (this.localSdp === undefined) this.ackPending = true;
    else this.ctx.tl.sendStateless(ack, hop);
    this.transition(CallState.Established);
    if (this.cancelRequested) {
      // answered while we were cancelling: hang up at once
      void this.bye();
      return;
    }
    this.fire('answered', res.bodyText);
  }

  /**
   * Late offer: sends the ACK carrying our answer to the offer the callee's 2xx made (the 'answered' event).
   * Without an answer (none could be made) the ACK goes out bare, and the call layer hangs up.
   */
  acknowledge(answerSdp?: string): void {
    if (!this.ackPending || this.ack === undefined || this.dialog === undefined) return;
    this.ackPending = false;
    if (answerSdp !== undefined) {
      this.ack.set('content-type', 'application/sdp');
      this.ack.body = Buffer.from(answerSdp, 'utf8');
      this.localSdp = answerSdp;
    }
    this.ctx.tl.sendStateless(this.ack, this.dialog.nextHop());
  }

  /** Before the answer, the callee is reached where the INVITE went (unless a route set was given). */
  protected override directPeer(): { protocol: string; connectionId?: string | undefined } | undefined {
    if (this.dialog !== undefined) return super.directPeer();
    return this.invite.has('route') ? undefined : this.target;
  }

  /** A callee that can no longer be reached before answering has failed (480): the call layer offers the call elsewhere at once. */
  protected override endUnreachable(): void {
    if (this.state === CallState.Established) super.endUnreachable();
    else this.fail(480, 'Temporarily Unavailable (connection closed)');
  }

  private fail(status: number, reason: string): void {
    if (this.isClosed) return;
    this.fire('failed', status, reason);
    this.terminate(this.cancelRequested ? 'cancelled' : status === 408 ? 'timeout' : 'failed');
  }

  /**
   * RFC 3261 9.1: CANCEL a pending INVITE; sent once a provisional response has arrived. reason: an RFC 3326 Reason
   * header value for the CANCEL, such as ANSWERED_ELSEWHERE (the phone then shows no missed call).
   */
  cancel(reason?: string): void {
    if (this.isClosed || this.state === CallState.Established) return;
    if (reason !== undefined && !this.cancelRequested) this.cancelReason = reason;
    this.cancelRequested = true;
    if (this.gotProvisional && !this.cancelSent) this.sendCancel();
  }

  private sendCancel(): void {
    this.cancelSent = true;
    const inv = this.invite;
    const c = new SipRequest('CANCEL', inv.uri);
    c.set('via', inv.getAll('via')[0]!);
    const route = inv.getAll('route');
    if (route.length) c.set('route', route);
    c.set('max-forwards', '70');
    c.set('from', inv.get('from')!);
    c.set('to', inv.get('to')!);
    c.set('call-id', inv.callId);
    c.set('cseq', `${inv.cseq.seq} CANCEL`);
    if (this.cancelReason !== undefined) c.set('reason', this.cancelReason);
    this.ctx.tl.sendRequest(c, this.target, IGNORE_RESPONSES);
  }

  /** Hangs up: BYE when established, CANCEL while pending. */
  override async bye(reason?: string): Promise<void> {
    if (this.isClosed) return;
    if (this.state !== CallState.Established) {
      this.cancel();
      return;
    }
    this.acknowledge(); // (a late offer's 2xx is ACKed before its BYE)
    return super.bye(reason);
  }

  /**
   * Also the INVITE we sent, our ACK and the placeCall options (with a trunk's credentials): see CallLeg.release.
   * The INVITE client transaction lives on (RFC 6026 timer M) to absorb 2xx retransmissions: it gets a small user
   * that only re-sends our ACK, kept as bytes (a parsed message would keep some twenty objects alive for 32 s).
   */
  protected override release(): void {
    const tx = this.tx;
    this.tx = undefined;
    const d = this.dialog;
    if (tx !== undefined) {
      if (this.ack === undefined || d === undefined) tx.setUser(IGNORE_RESPONSES);
      else tx.setUser(new ReAck(this.ctx.tl, keepBytes(this.ack.toBuffer()), d.nextHop(), d.remoteTag));
    }
    super.release();
    this.invite = RELEASED;
    this.ack = undefined;
    this.init = undefined;
  }
}

/** What a finished call's lingering INVITE transaction keeps: our ACK as bytes, re-sent for a retransmitted 2xx. */
class ReAck implements ClientTransactionUser {
  constructor(
    private readonly tl: TransactionLayer,
    private readonly ack: string,
    private readonly hop: SendTarget,
    private readonly remoteTag: string,
  ) {}

  onResponse(res: SipResponse): void {
    if (res.status >= 200 && res.status < 300 && res.toTag === this.remoteTag) this.tl.sendBytes(keptBytes(this.ack), this.hop);
  }
}

export { SipError, InvalidStateError };
