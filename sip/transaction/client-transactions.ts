import { SipRequest, type SipResponse } from '../message/message.ts';
import type { SendTarget } from '../transport/flow.ts';
import { keepBytes, keptBytes, RELEASED, Timer, TransactionBase, type TransactionContext } from './transaction.ts';

export interface ClientTransactionUser {
  /** every response the TU must see (1xx, final, 2xx retransmissions in Accepted) */
  onResponse(res: SipResponse): void;
  /** timer B/F fired, or the transport failed: the TU sees a synthesized 408/503 */
  onTimeout?(status: 408 | 503): void;
}

/** A user that ignores responses: of fire-and-forget requests, and of a transaction with nothing more to deliver. */
export const IGNORE_RESPONSES: ClientTransactionUser = { onResponse: () => {} };

/**
 * INVITE client transaction (RFC 3261 17.1.1, with RFC 6026 Accepted state).
 *
 *            INVITE sent, start A (UDP), B
 *                 v
 *            +---------+ A fires: resend, double A
 *            | Calling |-------------------------+ B fires / transport error -> Terminated (TU: 408/503)
 *            +---------+                         |
 *          1xx |  | 300-699: ACK, to TU          |
 *              v  |                              |
 *        +------------+ 1xx: to TU               |
 *        | Proceeding |                          |
 *        +------------+                          |
 *    2xx |     | 300-699: ACK, to TU, start D    |
 *        |     v                                 |
 *        |  +-----------+ 300-699: resend ACK    |
 *        |  | Completed | D fires -> Terminated  |
 *        |  +-----------+                        |
 *        v                                       |
 *   +----------+ 2xx: to TU; M fires -> Terminated
 *   | Accepted |
 *   +----------+
 */
export enum InviteClientState {
  Calling = 'calling',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Accepted = 'accepted',
  Terminated = 'terminated',
}

const ICT_MOVES: Record<InviteClientState, InviteClientState[]> = {
  [InviteClientState.Calling]: [InviteClientState.Proceeding, InviteClientState.Completed, InviteClientState.Accepted, InviteClientState.Terminated],
  [InviteClientState.Proceeding]: [InviteClientState.Completed, InviteClientState.Accepted, InviteClientState.Terminated],
  [InviteClientState.Completed]: [InviteClientState.Terminated],
  [InviteClientState.Accepted]: [InviteClientState.Terminated],
  [InviteClientState.Terminated]: [],
};

export interface ClientTransaction {
  /** the request; once a final response came it is a placeholder (keep your own reference) */
  readonly request: SipRequest;
  readonly target: SendTarget;
  readonly key: string;
  start(): void;
  receive(res: SipResponse): void;
  terminate(): void;
  /** replaces the transaction user (a finished call hands over a small one so it can be collected) */
  setUser(tu: ClientTransactionUser): void;
}

export class InviteClientTransaction extends TransactionBase implements ClientTransaction {
  state = InviteClientState.Calling;
  /** the INVITE's bytes while timer A may resend them (see keepBytes) */
  private bytes: string | undefined;
  private aInterval = 0;
  private ack: string | undefined;

  constructor(
    key: string,
    ctx: TransactionContext,
    public request: SipRequest,
    readonly target: SendTarget,
    private tu: ClientTransactionUser,
  ) {
    super(key, ctx, target.protocol !== 'udp');
  }

  setUser(tu: ClientTransactionUser): void {
    this.tu = tu;
  }

  start(): void {
    const { T1 } = this.ctx.timers;
    const bytes = this.request.toBuffer();
    if (!this.reliable) {
      // RFC 3261 17.1.1.2: timer A starts at T1 and doubles on every retransmission
      this.bytes = keepBytes(bytes);
      this.aInterval = T1;
      this.startRetransmit(Timer.A, T1);
    }
    this.startLifetime(Timer.B, 64 * T1);
    this.sendSafe(bytes, this.target, () => this.fail(503));
  }

  onTimer(kind: Timer): void {
    if (this.disposed) return;
    if (kind === Timer.A) {
      this.ctx.retransmitted();
      this.sendSafe(keptBytes(this.bytes!), this.target, () => this.fail(503));
      this.aInterval *= 2;
      this.startRetransmit(Timer.A, this.aInterval);
    } else if (kind === Timer.B) {
      this.fail(408);
    } else {
      this.transition(InviteClientState.Terminated); // D or M
    }
  }

  private fail(status: 408 | 503): void {
    if (this.state !== InviteClientState.Calling && this.state !== InviteClientState.Proceeding) return;
    this.transition(InviteClientState.Terminated);
    this.tu.onTimeout?.(status);
  }

  private transition(to: InviteClientState): void {
    if (!ICT_MOVES[this.state].includes(to)) throw new Error(`INVITE client transaction cannot move ${this.state} -> ${to}`);
    this.state = to;
    if (to !== InviteClientState.Calling && to !== InviteClientState.Proceeding) {
      this.bytes = undefined;
      this.request = RELEASED;
    }
    const { T1 } = this.ctx.timers;
    switch (to) {
      case InviteClientState.Proceeding:
        this.stopRetransmit();
        break;
      case InviteClientState.Completed:
        this.stopRetransmit();
        // RFC 3261 17.1.1.2: timer D >= 32 s for unreliable transports, zero for reliable (replaces B)
        this.startLifetime(Timer.D, this.reliable ? 0 : 32_000);
        break;
      case InviteClientState.Accepted:
        this.stopRetransmit();
        // RFC 6026 8.4: timer M = 64*T1 (replaces B)
        this.startLifetime(Timer.M, 64 * T1);
        break;
      case InviteClientState.Terminated:
        this.dispose();
        break;
    }
  }

  receive(res: SipResponse): void {
    const s = res.status;
    switch (this.state) {
      case InviteClientState.Calling:
      case InviteClientState.Proceeding:
        if (s < 200) {
          if (this.state === InviteClientState.Calling) this.transition(InviteClientState.Proceeding);
          this.tu.onResponse(res);
        } else if (s < 300) {
          this.transition(InviteClientState.Accepted);
          this.tu.onResponse(res);
        } else {
          // RFC 3261 17.1.1.3: the transaction itself ACKs a non-2xx final response
          const ack = buildNon2xxAck(this.request, res).toBuffer();
          this.ack = keepBytes(ack);
          this.sendSafe(ack, this.target);
          this.transition(InviteClientState.Completed);
          this.tu.onResponse(res);
        }
        break;
      case InviteClientState.Completed:
        if (s >= 300 && this.ack !== undefined) this.sendSafe(keptBytes(this.ack), this.target);
        break;
      case InviteClientState.Accepted:
        if (s >= 200 && s < 300) this.tu.onResponse(res);
        break;
      case InviteClientState.Terminated:
        break;
    }
  }

  terminate(): void {
    if (this.state !== InviteClientState.Terminated) this.transition(InviteClientState.Terminated);
  }
}

/** RFC 3261 17.1.1.3: ACK for a non-2xx final response, same branch, To from the response. */
function buildNon2xxAck(invite: SipRequest, res: SipResponse): SipRequest {
  const ack = new SipRequest('ACK', invite.uri);
  ack.set('via', invite.getAll('via')[0]!);
  for (const h of ['route', 'max-forwards']) {
    const v = invite.getAll(h);
    if (v.length) ack.set(h, v);
  }
  ack.set('from', invite.get('from')!);
  ack.set('to', res.get('to') ?? invite.get('to')!);
  ack.set('call-id', invite.callId);
  ack.set('cseq', `${invite.cseq.seq} ACK`);
  return ack;
}

/**
 * Non-INVITE client transaction (RFC 3261 17.1.2).
 *
 *   Trying --1xx--> Proceeding --final--> Completed --K--> Terminated
 *      \---------------final-------------^
 *   Timer E resends (T1 doubling, capped at T2; T2 in Proceeding), timer F (64*T1) times out.
 */
export enum NonInviteClientState {
  Trying = 'trying',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Terminated = 'terminated',
}

const NICT_MOVES: Record<NonInviteClientState, NonInviteClientState[]> = {
  [NonInviteClientState.Trying]: [NonInviteClientState.Proceeding, NonInviteClientState.Completed, NonInviteClientState.Terminated],
  [NonInviteClientState.Proceeding]: [NonInviteClientState.Completed, NonInviteClientState.Terminated],
  [NonInviteClientState.Completed]: [NonInviteClientState.Terminated],
  [NonInviteClientState.Terminated]: [],
};

export class NonInviteClientTransaction extends TransactionBase implements ClientTransaction {
  state = NonInviteClientState.Trying;
  private interval: number;
  /** the request's bytes while timer E may resend them (see keepBytes) */
  private bytes: string | undefined;

  constructor(
    key: string,
    ctx: TransactionContext,
    public request: SipRequest,
    readonly target: SendTarget,
    private tu: ClientTransactionUser,
  ) {
    super(key, ctx, target.protocol !== 'udp');
    this.interval = ctx.timers.T1;
  }

  setUser(tu: ClientTransactionUser): void {
    this.tu = tu;
  }

  start(): void {
    const bytes = this.request.toBuffer();
    if (!this.reliable) {
      this.bytes = keepBytes(bytes);
      this.startRetransmit(Timer.E, this.interval);
    }
    this.startLifetime(Timer.F, 64 * this.ctx.timers.T1);
    this.sendSafe(bytes, this.target, () => this.fail(503));
  }

  onTimer(kind: Timer): void {
    if (this.disposed) return;
    if (kind === Timer.E) {
      this.ctx.retransmitted();
      this.sendSafe(keptBytes(this.bytes!), this.target, () => this.fail(503));
      // RFC 3261 17.1.2.2: double up to T2 in Trying; T2 in Proceeding
      this.interval = this.state === NonInviteClientState.Proceeding ? this.ctx.timers.T2 : Math.min(2 * this.interval, this.ctx.timers.T2);
      this.startRetransmit(Timer.E, this.interval);
    } else if (kind === Timer.F) {
      this.fail(408);
    } else {
      this.transition(NonInviteClientState.Terminated); // K
    }
  }

  private fail(status: 408 | 503): void {
    if (this.state === NonInviteClientState.Completed || this.state === NonInviteClientState.Terminated) return;
    this.transition(NonInviteClientState.Terminated);
    this.tu.onTimeout?.(status);
  }

  private transition(to: NonInviteClientState): void {
    if (!NICT_MOVES[this.state].includes(to)) throw new Error(`non-INVITE client transaction cannot move ${this.state} -> ${to}`);
    this.state = to;
    if (to === NonInviteClientState.Completed) {
      this.bytes = undefined;
      this.request = RELEASED;
      this.stopRetransmit();
      // RFC 3261 17.1.2.2: timer K = T4 for unreliable, zero for reliable (replaces F)
      this.startLifetime(Timer.K, this.reliable ? 0 : this.ctx.timers.T4);
    } else if (to === NonInviteClientState.Terminated) {
      this.bytes = undefined;
      this.dispose();
    }
  }

  receive(res: SipResponse): void {
    if (this.state === NonInviteClientState.Trying || this.state === NonInviteClientState.Proceeding) {
      const tu = this.tu;
      if (res.status < 200) {
        if (this.state === NonInviteClientState.Trying) this.transition(NonInviteClientState.Proceeding);
      } else {
        this.transition(NonInviteClientState.Completed);
        // timer K keeps this transaction for T4 more; it must not keep the TU (a whole call) with it
        this.tu = IGNORE_RESPONSES;
      }
      tu.onResponse(res);
    }
  }

  terminate(): void {
    if (this.state !== NonInviteClientState.Terminated) this.transition(NonInviteClientState.Terminated);
  }
}
