import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { InvalidStateError, SipError } from '../message/errors.ts';
import { createResponse, type SipRequest, type SipResponse } from '../message/message.ts';
import { parseNameAddr } from '../message/name-addr.ts';
import { formatUri } from '../message/uri.ts';
import { MAGIC_COOKIE } from '../message/via.ts';
import { randomToken } from '../message/grammar.ts';
import type { ServerTransaction } from '../transaction/server-transactions.ts';
import { responseTarget } from '../transaction/transaction.ts';
import type { Dialog } from '../dialog/dialog.ts';
import { applyToResponse, expiryDelayMs, planAsUas, refreshDelayMs, refusal, type SessionTimerPlan } from '../dialog/session-timer.ts';
import type { Flow, SendTarget } from '../transport/flow.ts';
import { CALL_MOVES, CallState } from './call-state.ts';
import { ALLOW } from '../core/request-checks.ts';
import type { LegContext } from './context.ts';

/** Events common to both call legs. */
export interface CallLegEvents {
  stateChange: [CallState];
  /** the peer hung up */
  bye: [];
  /** the peer sent a re-INVITE or an UPDATE with this offer (hold/resume); the answer comes from setReinviteHandler */
  reinvite: [string];
  /** REFER received (RFC 3515): the transfer target URI and Referred-By, if any */
  refer: [string, string | undefined];
  /** DTMF digit received by INFO (application/dtmf-relay or application/dtmf) */
  dtmf: [string];
  /** the leg is over; reason e.g. 'bye', 'local-bye', 'cancelled', 'rejected', 'failed', 'timeout', 'closed' */
  close: [string];
}

type ReinviteHandler = (offer: string) => string | Promise<string>;

/**
 * Behaviour shared by the incoming and the outgoing leg once a dialog exists: in-dialog requests
 * (BYE, re-INVITE, INFO, REFER, OPTIONS, NOTIFY), BYE and re-INVITE from our side, 2xx retransmission (RFC 3261 13.3.1.4).
 */
export abstract class CallLeg<E extends CallLegEvents = CallLegEvents> extends EventEmitter {
  state = CallState.Initial;
  dialog: Dialog | undefined;
  /** our most recent SDP (offer or answer) */
  localSdp: string | undefined;
  /** the peer's most recent SDP */
  remoteSdp: string | undefined;
  readonly callId: string;
  private childLog: Logger | undefined;
  private reinviteHandler: ReinviteHandler | undefined;
  private pendingReinvite = false;
  /** The dialog's Request-URI was sips: (RFC 3261 12.1.1, 8.1.1.8: our Contact is a SIPS URI too). */
  protected secure = false;
  /** 2xx retransmission until ACK, keyed by CSeq number */
  private readonly awaitingAck = new Map<number, { timer: NodeJS.Timeout | undefined; giveUp: NodeJS.Timeout; resolve: () => void; reject: (e: Error) => void }>();
  private closed = false;
  private referSubscription: { cseq: number } | undefined;
  private durationTimer: NodeJS.Timeout | undefined;
  /** RFC 4028: our next refresh, or the end of the session if the peer does not refresh it */
  private sessionTimer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly ctx: LegContext,
    callId: string,
  ) {
    super();
    this.callId = callId;

  }

  /** per-call child logger, made on first use (a pino child per call is not free on the hot path) */
  protected get log(): Logger {
    this.childLog ??= this.ctx.logger.child({ callId: this.callId });
    return this.childLog;
  }

  // typed emitter surface
  override on<K extends keyof E & string>(event: K, listener: (...args: E[K] & unknown[]) => void): this {
    return super.on(event, listener as (...a: unknown[]) => void);
  }
  override once<K extends keyof E & string>(event: K, listener: (...args: E[K] & unknown[]) => void): this {
    return super.once(event, listener as (...a: unknown[]) => void);
  }
  override off<K extends keyof E & string>(event: K, listener: (...args: E[K] & unknown[]) => void): this {
    return super.off(event, listener as (...a: unknown[]) => void);
  }

  /** Emits without letting a throwing listener unwind into the stack. */
  protected fire(event: keyof E & string, ...args: unknown[]): void {
    // (rawListeners: a once() listener comes as its wrapper, which removes it when called)
    for (const l of this.rawListeners(event)) {
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.log.error({ err, event }, 'call listener threw');
      }
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  protected transition(to: CallState): void {
    if (this.state === to) return;
    if (!CALL_MOVES[this.state].includes(to)) throw new InvalidStateError(`call cannot move ${this.state} -> ${to}`);
    this.state = to;
    if (to === CallState.Established && this.ctx.maxCallDurationMs > 0) {
      this.durationTimer = setTimeout(() => {
        this.log.info({ ms: this.ctx.maxCallDurationMs }, 'call reached its maximum duration');
        void this.bye('max-duration').catch(() => {});
      }, this.ctx.maxCallDurationMs);
      this.durationTimer.unref();
    }
    this.fire('stateChange', to);
  }

  /** Supplies the SDP answer to a re-INVITE offer (default: our last SDP, i.e. no change). */
  setReinviteHandler(fn: ReinviteHandler | undefined): void {
    this.reinviteHandler = fn;
  }

  protected attachDialog(d: Dialog): void {
    this.dialog = d;
    this.ctx.registerDialog(d.id, this);
  }

  protected contactHeader(protocol: SendTarget['protocol']): string {
    return `<${this.ctx.contactUri(protocol, this.secure)}>`;
  }

  /** Called by the stack for a request inside our dialog. */
  async handleInDialog(req: SipRequest, tx: ServerTransaction | undefined, flow: Flow): Promise<void> {
    const d = this.dialog!;
    if (req.method === 'ACK') {
      const w = this.awaitingAck.get(req.cseq.seq);
      if (w) {
        if (w.timer) clearTimeout(w.timer);
        clearTimeout(w.giveUp);
        this.awaitingAck.delete(req.cseq.seq);
        if (req.body.length > 0) this.remoteSdp = req.bodyText;
        w.resolve();
      }
      return;
    }
    if (!tx) return;
    // RFC 3261 12.2.2: out-of-order requests get 500
    if (!d.acceptRemoteSeq(req)) return respond(tx, req, 500, 'Server Internal Error: CSeq out of order');
    switch (req.method) {
      case 'BYE':
        respond(tx, req, 200);
        this.terminate('bye');
        return;
      case 'INVITE':
      case 'UPDATE':
        return this.handleSessionChange(req, tx, flow);
      case 'INFO': {
        const digit = parseDtmfInfo(req);
        respond(tx, req, 200);
        if (digit !== undefined) this.fire('dtmf', digit);
        return;
      }
      case 'REFER': {
        const rt = req.get('refer-to');
        if (!rt) return respond(tx, req, 400, 'Bad Request: missing Refer-To');
        let target: string;
        try {
          target = formatUri(parseNameAddr(rt).uri);
        } catch {
          return respond(tx, req, 400, 'Bad Request: bad Refer-To');
        }
        respond(tx, req, 202);
        this.referSubscription = { cseq: 0 };
        this.notifyRefer(100, 'Trying');
        this.fire('refer', target, req.get('referred-by'));
        return;
      }
      case 'OPTIONS':
      case 'NOTIFY':
        respond(tx, req, 200);
        return;
      case 'PRACK':
        respond(tx, req, 501, 'Not Implemented');
        return;
      default:
        respond(tx, req, 405, 'Method Not Allowed');
    }
  }

  /**
   * A re-INVITE (RFC 3261 14.2) or an UPDATE (RFC 3311) in our dialog: an offer to answer (hold, resume) or none
   * (a session refresh, RFC 4028), and the session interval again. An UPDATE is not ACKed; its 2xx is retransmitted
   * by its non-INVITE transaction.
   */
  private async handleSessionChange(req: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
    const d = this.dialog!;
    // RFC 3261 14.2 / RFC 3311 5.2: a re-INVITE or UPDATE while our offer is pending gets 491
    if (this.pendingReinvite) {
      tx.respond(createResponse(req, 491, 'Request Pending'));
      return;
    }
    // RFC 4028 9: a refresh (or any re-INVITE) names the session interval again; refuse a bad or too small one first
    const plan = planAsUas(req, this.ctx.sessionMinSeconds);
    const refused = refusal(plan, req, createResponse);
    if (refused) {
      tx.respond(refused);
      return;
    }
    d.refreshTarget(req);
    const offer = req.body.length > 0 ? req.bodyText : undefined;
    if (offer !== undefined) {
      this.remoteSdp = offer;
      this.fire('reinvite', offer);
    }
    // an offerless re-INVITE gets our SDP as an offer; an offerless UPDATE (a refresh) gets no SDP at all
    let answer = offer !== undefined || req.method === 'INVITE' ? this.localSdp : undefined;
    try {
      if (offer !== undefined && this.reinviteHandler) answer = await this.reinviteHandler(offer);
    } catch (err) {
      this.log.warn({ err, method: req.method }, 'offer handler failed');
      tx.respond(createResponse(req, 488, 'Not Acceptable Here'));
      return;
    }
    if (this.closed) return;
    if (answer !== undefined) this.localSdp = answer;
    const res = createResponse(req, 200, 'OK');
    res.set('contact', this.contactHeader(flow.protocol));
    if (answer !== undefined) {
      res.set('content-type', 'application/sdp');
      res.body = Buffer.from(answer, 'utf8');
    }
    if (plan.kind === 'timer') applyToResponse(plan, res);
    tx.respond(res);
    this.armSessionTimer(plan);
    if (req.method !== 'INVITE') return;
    this.retransmit2xx(req, res, flow).catch(() => {
      // RFC 3261 13.3.1.4: no ACK for a re-INVITE 2xx ends the dialog
      void this.bye().catch(() => {});
    });
  }

  /** RFC 3261 13.3.1.4: resend the 2xx (T1 doubling, capped at T2) until the ACK arrives; give up after 64*T1. */
  protected retransmit2xx(req: SipRequest, res: SipResponse, flow: Flow): Promise<void> {
    const { T1, T2 } = this.ctx.tl.timers;
    const seq = req.cseq.seq;
    const target = responseTarget(req, flow);
    return new Promise((resolve, reject) => {
      let interval = T1;
      const entry = {
        timer: undefined as NodeJS.Timeout | undefined,
        giveUp: setTimeout(() => {
          if (entry.timer) clearTimeout(entry.timer);
          this.awaitingAck.delete(seq);
          reject(new SipError('SIP_ERR_TIMEOUT', 'no ACK for 2xx', 408));
        }, 64 * T1),
        resolve,
        reject,
      };
      const again = (): void => {
        this.ctx.tl.retransmitStateless(res, target);
        interval = Math.min(2 * interval, T2);
        entry.timer = setTimeout(again, interval);
      };
      if (flow.protocol === 'udp') entry.timer = setTimeout(again, interval);
      this.awaitingAck.set(seq, entry);
    });
  }

  /**
   * Sends a request inside the dialog `d` (ours by default; a BYE names it, as the leg has let go of it by then) in a
   * client transaction; resolves with the final response.
   */
  protected sendInDialog(req: SipRequest, d: Dialog | undefined = this.dialog): Promise<SipResponse> {
    if (!d) return Promise.reject(new InvalidStateError('no dialog'));
    const target = d.nextHop();
    return new Promise((resolve, reject) => {
      this.ctx.tl.sendRequest(req, target, {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res);
        },
        onTimeout: (status) => reject(new SipError('SIP_ERR_TIMEOUT', `${req.method} got no response`, status)),
      });
    });
  }

  /** Ends an established call with BYE (RFC 3261 15.1.1). Resolves when the BYE is answered or timed out. */
  async bye(reason = 'local-bye'): Promise<void> {
    if (this.closed) return;
    if (this.state !== CallState.Established || !this.dialog) throw new InvalidStateError('bye() needs an established call');
    const dialog = this.dialog;
    this.terminate(reason);
    try {
      await this.sendInDialog(dialog.createRequest('BYE', { headers: { 'user-agent': this.ctx.userAgent } }), dialog);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'BYE not answered');
    }
  }

  /**
   * RFC 4028 10, once our 2xx named a session interval: as the refresher we re-INVITE (same SDP) at half the
   * interval; otherwise, if the peer has not refreshed by interval - min(32 s, interval / 3), we end the call with
   * BYE. A plan without a timer stops it (a re-INVITE without Session-Expires turns the timer off).
   */
  protected armSessionTimer(plan: SessionTimerPlan): void {
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = undefined;
    if (plan.kind !== 'timer' || this.closed) return;
    const { seconds } = plan;
    this.sessionTimer =
      plan.refresher === 'uas'
        ? setTimeout(() => void this.refreshSession(seconds), refreshDelayMs(seconds))
        : setTimeout(() => {
            this.log.info({ seconds }, 'session expired: the peer did not refresh it (RFC 4028)');
            void this.bye('session-expired').catch(() => {});
          }, expiryDelayMs(seconds));
    this.sessionTimer.unref();
  }

  private async refreshSession(seconds: number): Promise<void> {
    if (this.closed || this.state !== CallState.Established || this.localSdp === undefined) return;
    const plan: SessionTimerPlan = { kind: 'timer', seconds, refresher: 'uas', uacSupports: false };
    const retrySoon = (): void => {
      this.sessionTimer = setTimeout(() => void this.refreshSession(seconds), 1000 + Math.random() * 1000);
      this.sessionTimer.unref();
    };
    // a re-INVITE of ours (hold, resume) is under way: refresh right after it
    if (this.pendingReinvite) return retrySoon();
    try {
      await this.reinvite(this.localSdp, { 'session-expires': `${seconds};refresher=uas`, supported: 'timer' });
      this.armSessionTimer(plan);
    } catch (err) {
      if (this.closed) return;
      // RFC 3261 14.1: glare with the peer's own re-INVITE (491): try again after a moment
      if (err instanceof SipError && err.status === 491) return retrySoon();
      this.log.info({ err: (err as Error).message }, 'session refresh failed: ending the call (RFC 4028 10)');
      void this.bye('session-expired').catch(() => {});
    }
  }

  /** Sends a re-INVITE with a new offer (hold/resume); resolves with the answer SDP (RFC 3261 14.1). */
  async reinvite(sdp: string, headers: Record<string, string> = {}): Promise<string> {
    if (this.closed || this.state !== CallState.Established || !this.dialog) throw new InvalidStateError('reinvite() needs an established call');
    if (this.pendingReinvite) throw new InvalidStateError('a re-INVITE is already pending');
    this.pendingReinvite = true;
    const d = this.dialog;
    const target = d.nextHop();
    const req = d.createRequest('INVITE', { body: sdp, headers: { ...headers, contact: this.contactHeader(target.protocol) } });
    this.localSdp = sdp;
    try {
      const res = await this.sendInDialog(req);
      if (res.status >= 300) throw new SipError('SIP_ERR_REJECTED', `re-INVITE rejected: ${res.status} ${res.reason}`, res.status);
      d.refreshTarget(res);
      // RFC 3261 13.2.2.4: ACK the 2xx, same CSeq number
      const ack = d.createRequest('ACK', { cseq: req.cseq.seq });
      ack.prepend('via', this.ctx.tl.makeVia(target.protocol, MAGIC_COOKIE + randomToken(10)));
      this.ctx.tl.sendStateless(ack, target);
      const answer = res.bodyText;
      if (answer) this.remoteSdp = answer;
      return answer;
    } finally {
      this.pendingReinvite = false;
    }
  }

  /** Reports REFER progress with a NOTIFY carrying a sipfrag (RFC 3515 2.4.4); a final status ends the subscription. */
  notifyRefer(status: number, reason = ''): void {
    if (!this.referSubscription || !this.dialog || this.closed) return;
    const final = status >= 200;
    const req = this.dialog.createRequest('NOTIFY', {
      body: `SIP/2.0 ${status} ${reason}\r\n`,
      contentType: 'message/sipfrag;version=2.0',
      headers: { event: 'refer', 'subscription-state': final ? 'terminated;reason=noresource' : 'active;expires=60' },
    });
    req.set('contact', this.contactHeader(this.dialog.nextHop().protocol));
    if (final) this.referSubscription = undefined;
    this.sendInDialog(req).catch(() => {});
  }

  /** Moves to Terminated, cleans up and emits `bye` (for a remote BYE) and `close`. */
  protected terminate(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.durationTimer) clearTimeout(this.durationTimer);
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    if (this.state !== CallState.Terminated) this.transition(CallState.Terminated);
    for (const w of this.awaitingAck.values()) {
      if (w.timer) clearTimeout(w.timer);
      clearTimeout(w.giveUp);
      w.reject(new InvalidStateError('call closed'));
    }
    if (this.awaitingAck.size > 0) this.awaitingAck.clear(); // (clear() makes a new table: only when needed)
    if (this.dialog) this.ctx.unregisterDialog(this.dialog.id);
    if (reason === 'bye') this.fire('bye');
    this.fire('close', reason);
    this.release();
  }

  /**
   * After `close` (subclasses add what they own): a finished leg lets go of what only a live call needs, its
   * listeners (the bridge's and the call layer's closures, which reach the other leg and the call around it), its
   * dialog and its re-INVITE handler.
   * A finished leg may still be referenced (by the call layer, or by a Map's old table: see core/key-table.ts, which
   * is how finished legs used to survive every scavenge), and holding nothing more it costs the collector little
   * however it is reached. Measured before the stack's Maps were replaced: without this, some 12 kB per bridged call
   * survived each scavenge, against 7.4 kB with it.
   */
  protected release(): void {
    // (all at once: one new empty listener table; removed one name at a time, each but the last deleted a property
    // of the table and turned it into a dictionary, some 1.2 kB per call allocated)
    this.removeAllListeners();
    this.reinviteHandler = undefined;
    this.dialog = undefined;
    this.childLog = undefined;
  }

  /**
   * Where the peer is reached directly (no route set in between): the dialog's flow; a leg without a dialog yet
   * says where its INVITE came from or went.
   */
  protected directPeer(): { protocol: string; connectionId?: string | undefined } | undefined {
    const d = this.dialog;
    return d !== undefined && d.routeSet.length === 0 ? d.flowTarget : undefined;
  }

  /**
   * The stack saw a WebSocket connection close: if the peer was reached through it alone, the call ends
   * ('connection-lost'; the call layer then ends the other leg). A browser (RFC 7118) has no address of its own
   * (its Contact is a `.invalid` host), so neither a BYE nor a re-INVITE can reach it any more, and a closed
   * browser tab would otherwise keep its agent busy. Returns whether this leg ended.
   */
  connectionClosed(connectionId: string): boolean {
    const p = this.directPeer();
    if (this.closed || p === undefined || (p.protocol !== 'ws' && p.protocol !== 'wss') || p.connectionId !== connectionId) return false;
    this.log.info({ connectionId }, "the peer's WebSocket closed: the call ends (nothing can reach the peer now)");
    this.endUnreachable();
    return true;
  }

  protected endUnreachable(): void {
    this.terminate('connection-lost');
  }

  /** Drops the leg without signalling (stack shutdown). Safe to call twice. */
  close(): void {
    this.terminate('closed');
  }
}

/**
 * Answers a request inside the dialog with a bare response (a 405 lists what we allow). (A module function, not a
 * closure per request: tsx keeps function names, which costs every closure a defineProperty.)
 */
function respond(tx: ServerTransaction, req: SipRequest, status: number, reason?: string): void {
  const r = createResponse(req, status, reason);
  if (status === 405) r.set('allow', ALLOW);
  tx.respond(r);
}

/** DTMF by SIP INFO: application/dtmf-relay ("Signal=5") or application/dtmf ("5"). */
export function parseDtmfInfo(req: SipRequest): string | undefined {
  const ct = req.contentType;
  const body = req.bodyText;
  if (ct === 'application/dtmf-relay') {
    const m = /^\s*signal\s*=\s*([0-9A-Da-d*#]|1[0-5])\s*$/im.exec(body);
    if (!m) return undefined;
    const v = m[1]!;
    return v === '10' ? '*' : v === '11' ? '#' : v.length === 2 ? 'ABCD'[Number(v) - 12] : v.toUpperCase();
  }
  if (ct === 'application/dtmf') {
    const v = body.trim();
    return /^[0-9A-Da-d*#]$/.test(v) ? v.toUpperCase() : undefined;
  }
  return undefined;
}
