import type { SipRequest, SipResponse } from '../message/message.ts';
import type { Flow, SendTarget } from '../transport/flow.ts';
import { keepBytes, keptBytes, RELEASED, responseTarget, Timer, TransactionBase, type TransactionContext } from './transaction.ts';

/**
 * INVITE server transaction (RFC 3261 17.2.1, with RFC 6026 Accepted state).
 *
 *               |INVITE, pass to TU, send 100
 *               v
 *          +------------+ 1xx from TU: send
 *          | Proceeding |------------+
 *          +------------+<-----------+
 *     2xx from TU |   | 300-699 from TU: send, start G (UDP), H
 *        send     |   v
 *                 |  +-----------+  G fires: resend, double G (cap T2)
 *                 |  | Completed |  H fires or transport error -> Terminated (tell TU: no ACK)
 *                 |  +-----------+
 *                 |        | ACK: start I
 *                 v        v
 *         +----------+  +-----------+
 *         | Accepted |  | Confirmed | I fires -> Terminated
 *         +----------+  +-----------+
 *   L fires -> Terminated
 */
export enum InviteServerState {
  Proceeding = 'proceeding',
  Completed = 'completed',
  Confirmed = 'confirmed',
  Accepted = 'accepted',
  Terminated = 'terminated',
}

const IST_MOVES: Record<InviteServerState, InviteServerState[]> = {
  [InviteServerState.Proceeding]: [InviteServerState.Completed, InviteServerState.Accepted, InviteServerState.Terminated],
  [InviteServerState.Completed]: [InviteServerState.Confirmed, InviteServerState.Terminated],
  [InviteServerState.Confirmed]: [InviteServerState.Terminated],
  [InviteServerState.Accepted]: [InviteServerState.Terminated],
  [InviteServerState.Terminated]: [],
};

export interface ServerTransaction {
  /** the request; after the final response it is a placeholder (keep your own reference) */
  readonly request: SipRequest;
  readonly flow: Flow;
  readonly key: string;
  /** sends a response through the transaction */
  respond(res: SipResponse): void;
  readonly isInvite: boolean;
  /** true once a final response was sent */
  readonly finalSent: boolean;
  /** true once any response (provisional or final) was sent */
  readonly answered: boolean;
  /** ends the transaction at once (after a response sent outside it, as a stateless UAS answers; see SipStack) */
  terminate(): void;
}

/** The hooks' default: one shared function (a closure per transaction would live as long as the transaction). */
export const NOOP = (): void => {};

export class InviteServerTransaction extends TransactionBase implements ServerTransaction {
  state = InviteServerState.Proceeding;
  readonly isInvite = true;
  /** last response, for retransmissions (see keepBytes) */
  private lastResponse: string | undefined;
  /** current timer G interval */
  private gInterval = 0;
  private readonly target: SendTarget;
  /** TU hooks */
  onNoAck: () => void = NOOP;
  onTerminated: () => void = NOOP;

  constructor(
    key: string,
    ctx: TransactionContext,
    public request: SipRequest,
    readonly flow: Flow,
  ) {
    super(key, ctx, flow.protocol !== 'udp');
    this.target = responseTarget(request, flow);
  }

  get finalSent(): boolean {
    return this.state !== InviteServerState.Proceeding;
  }

  get answered(): boolean {
    return this.state !== InviteServerState.Proceeding || this.lastResponse !== undefined;
  }

  private transition(to: InviteServerState): void {
    if (!IST_MOVES[this.state].includes(to)) {
      throw new Error(`INVITE server transaction cannot move ${this.state} -> ${to}`);
    }
    this.state = to;
    if (to !== InviteServerState.Proceeding) this.request = RELEASED;
    const { T1, T4 } = this.ctx.timers;
    switch (to) {
      case InviteServerState.Completed:
        // RFC 3261 17.2.1: timer G only for unreliable transports; timer H always
        if (!this.reliable) {
          this.gInterval = T1;
          this.startRetransmit(Timer.G, T1);
        }
        this.startLifetime(Timer.H, 64 * T1);
        break;
      case InviteServerState.Confirmed:
        this.stopRetransmit();
        // RFC 3261 17.2.1: timer I = T4 for unreliable, zero for reliable (replaces H)
        this.startLifetime(Timer.I, this.reliable ? 0 : T4);
        break;
      case InviteServerState.Accepted:
        this.lastResponse = undefined; // 2xx retransmission is the TU's job
        // RFC 6026 7.1: timer L = 64*T1 absorbs INVITE retransmissions
        this.startLifetime(Timer.L, 64 * T1);
        break;
      case InviteServerState.Terminated:
        this.dispose();
        this.onTerminated();
        break;
    }
  }

  onTimer(kind: Timer): void {
    if (this.disposed) return;
    if (kind === Timer.G) {
      this.ctx.retransmitted();
      if (this.lastResponse !== undefined) this.sendSafe(keptBytes(this.lastResponse), this.target);
      this.gInterval = Math.min(2 * this.gInterval, this.ctx.timers.T2);
      this.startRetransmit(Timer.G, this.gInterval);
      return;
    }
    if (kind === Timer.H) this.onNoAck();
    this.transition(InviteServerState.Terminated);
  }

  respond(res: SipResponse): void {
    if (this.state !== InviteServerState.Proceeding) {
      // RFC 6026: 2xx retransmissions from the TU pass straight to the transport in Accepted
      if (this.state === InviteServerState.Accepted && res.status >= 200 && res.status < 300) {
        this.sendSafe(res, this.target);
      }
      return;
    }
    const buf = res.toBuffer();
    this.lastResponse = res.status >= 200 && res.status < 300 ? undefined : keepBytes(buf);
    this.sendSafe(buf, this.target, (err) => {
      this.ctx.logger.debug({ err: err.message }, 'response send failed');
      if (this.state !== InviteServerState.Terminated) this.transition(InviteServerState.Terminated);
    });
    if (res.status >= 200 && res.status < 300) this.transition(InviteServerState.Accepted);
    else if (res.status >= 300) this.transition(InviteServerState.Completed);
  }

  /** A retransmitted INVITE or an ACK matched this transaction. */
  receive(req: SipRequest): void {
    if (req.method === 'ACK') {
      if (this.state === InviteServerState.Completed) this.transition(InviteServerState.Confirmed);
      return;
    }
    // RFC 3261 17.2.1: retransmitted INVITE -> resend the most recent provisional / final response
    if ((this.state === InviteServerState.Proceeding || this.state === InviteServerState.Completed) && this.lastResponse !== undefined) {
      this.sendSafe(keptBytes(this.lastResponse), this.target);
    }
  }

  /** Ends the transaction at once (stack shutdown). */
  terminate(): void {
    if (this.state !== InviteServerState.Terminated) this.transition(InviteServerState.Terminated);
  }
}

/**
 * Non-INVITE server transaction (RFC 3261 17.2.2).
 *
 *   Trying --1xx--> Proceeding --final--> Completed --J--> Terminated
 *      \----------------final----------------^
 *   Requests retransmitted in Proceeding/Completed get the last response again.
 */
export enum NonInviteServerState {
  Trying = 'trying',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Terminated = 'terminated',
}

const NIST_MOVES: Record<NonInviteServerState, NonInviteServerState[]> = {
  [NonInviteServerState.Trying]: [NonInviteServerState.Proceeding, NonInviteServerState.Completed, NonInviteServerState.Terminated],
  [NonInviteServerState.Proceeding]: [NonInviteServerState.Completed, NonInviteServerState.Terminated],
  [NonInviteServerState.Completed]: [NonInviteServerState.Terminated],
  [NonInviteServerState.Terminated]: [],
};

export class NonInviteServerTransaction extends TransactionBase implements ServerTransaction {
  state = NonInviteServerState.Trying;
  readonly isInvite = false;
  /** last response, for retransmissions (see keepBytes) */
  private lastResponse: string | undefined;
  private readonly target: SendTarget;

  constructor(
    key: string,
    ctx: TransactionContext,
    public request: SipRequest,
    readonly flow: Flow,
  ) {
    super(key, ctx, flow.protocol !== 'udp');
    this.target = responseTarget(request, flow);
  }

  get finalSent(): boolean {
    return this.state === NonInviteServerState.Completed || this.state === NonInviteServerState.Terminated;
  }

  get answered(): boolean {
    return this.state !== NonInviteServerState.Trying;
  }

  private transition(to: NonInviteServerState): void {
    if (!NIST_MOVES[this.state].includes(to)) {
      throw new Error(`non-INVITE server transaction cannot move ${this.state} -> ${to}`);
    }
    this.state = to;
    if (to === NonInviteServerState.Completed || to === NonInviteServerState.Terminated) this.request = RELEASED;
    if (to === NonInviteServerState.Completed) {
      // RFC 3261 17.2.2: timer J = 64*T1 for unreliable transports, zero for reliable
      this.startLifetime(Timer.J, this.reliable ? 0 : 64 * this.ctx.timers.T1);
    } else if (to === NonInviteServerState.Terminated) {
      this.dispose();
    }
  }

  onTimer(_kind: Timer): void {
    if (!this.disposed) this.transition(NonInviteServerState.Terminated);
  }

  respond(res: SipResponse): void {
    if (this.state === NonInviteServerState.Completed || this.state === NonInviteServerState.Terminated) return;
    const buf = res.toBuffer();
    this.lastResponse = keepBytes(buf);
    this.sendSafe(buf, this.target, (err) => {
      this.ctx.logger.debug({ err: err.message }, 'response send failed');
      if (this.state !== NonInviteServerState.Terminated) this.transition(NonInviteServerState.Terminated);
    });
    if (res.status < 200) {
      if (this.state === NonInviteServerState.Trying) this.transition(NonInviteServerState.Proceeding);
    } else {
      this.transition(NonInviteServerState.Completed);
    }
  }

  receive(_req: SipRequest): void {
    if (this.lastResponse !== undefined && this.state !== NonInviteServerState.Trying) {
      this.sendSafe(keptBytes(this.lastResponse), this.target);
    }
  }

  terminate(): void {
    if (this.state !== NonInviteServerState.Terminated) this.transition(NonInviteServerState.Terminated);
  }
}
