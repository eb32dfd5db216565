import type { Logger } from 'pino';
import { SipRequest, type SipMessage } from '../message/message.ts';
import type { Flow, SendTarget } from '../transport/flow.ts';
import type { TimerConfig } from './timers.ts';
import type { TimerOwner, TimerQueues } from './timer-queues.ts';

/** What a transaction needs from the layer below and around it. */
export interface TransactionContext {
  timers: TimerConfig;
  logger: Logger;
  /** the shared timer FIFOs (one Node timer per duration, not per transaction) */
  clock: TimerQueues;
  /** sends bytes; `onError` hears of a failed send (UDP sends fail silently, as datagrams do) */
  send(data: Buffer, target: SendTarget, onError?: (err: Error) => void): void;
  /** removes the transaction from the matching table */
  forget(key: string): void;
  /** counts a retransmission timer (A, E, G) that fired: the peer did not answer within its interval */
  retransmitted(): void;
}

/** RFC 3261 17 timer names, as the numbers handed to the timer queues. */
export enum Timer {
  A, B, D, E, F, G, H, I, J, K, L, M,
}

/**
 * Base of the four RFC 3261 17 state machines. A transaction runs at most one retransmission timer (A, E or G)
 * and one lifetime timer (B, D, F, H, I, J, K, L or M) at a time, so it holds two timer slots; expiries arrive
 * in `onTimer`. Subclasses own their state enum and the single transition() that validates moves.
 */
export abstract class TransactionBase implements TimerOwner {
  /** timer slot generations (slot 0: retransmission timer, slot 1: lifetime timer), see TimerQueues */
  timerGen0 = 0;
  timerGen1 = 0;
  protected disposed = false;

  constructor(
    readonly key: string,
    protected readonly ctx: TransactionContext,
    readonly reliable: boolean,
  ) {}

  abstract onTimer(kind: Timer): void;

  /** Starts the retransmission timer (A, E, G), replacing the running one. */
  protected startRetransmit(kind: Timer.A | Timer.E | Timer.G, ms: number): void {
    this.ctx.clock.start(ms, this, 0, kind);
  }

  protected stopRetransmit(): void {
    this.ctx.clock.cancel(this, 0);
  }

  /** Starts the lifetime timer, replacing the running one. */
  protected startLifetime(kind: Exclude<Timer, Timer.A | Timer.E | Timer.G>, ms: number): void {
    this.ctx.clock.start(ms, this, 1, kind);
  }

  protected clearAllTimers(): void {
    this.ctx.clock.cancel(this, 0);
    this.ctx.clock.cancel(this, 1);
  }

  protected dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearAllTimers();
    this.ctx.forget(this.key);
  }

  protected sendSafe(msg: SipMessage | Buffer, target: SendTarget, onError?: (err: Error) => void): void {
    this.ctx.send(Buffer.isBuffer(msg) ? msg : msg.toBuffer(), target, onError);
  }
}

/**
 * A lingering transaction (timers J, L, M: up to 32 s) only needs its key and maybe some bytes: it drops its
 * request for this placeholder so the parsed message can be collected early.
 */
export const RELEASED = new SipRequest('RELEASED', 'sip:released.invalid');

/**
 * Bytes a transaction keeps for retransmission while it lingers (up to 32 s). A Buffer from Node's pool would
 * pin its whole 8 kB slab for that long; a latin1 string holds the same bytes in the JS heap.
 */
export const keepBytes = (buf: Buffer): string => buf.toString('latin1');
export const keptBytes = (kept: string): Buffer => Buffer.from(kept, 'latin1');

/**
 * The same text as a string of its own. A header value is a slice of the whole received message (V8 keeps a
 * substring of 13+ characters as a view of its parent) and a template of such slices is a rope of them: kept by
 * a lingering transaction for 32 s, either holds the whole message text. Reading a character of the rope makes
 * V8 flatten it in place into one fresh string; the last slice is a view of that small copy.
 */
export function ownString(s: string): string {
  const rope = `${s}|`;
  rope.charCodeAt(0);
  return rope.slice(0, -1);
}

/** RFC 3261 18.2.2 + RFC 3581 4: where a response to a request received on `flow` goes. */
export function responseTarget(msg: SipMessage, flow: Flow): SendTarget {
  if (flow.protocol !== 'udp') {
    return { protocol: flow.protocol, address: flow.remoteAddress, port: flow.remotePort, connectionId: flow.connectionId };
  }
  let address = flow.remoteAddress;
  let port = flow.remotePort;
  try {
    const via = msg.via;
    const received = via.params.get('received');
    const host = received ?? via.host;
    // (the source address itself when the Via names it or received= was stamped from it: no copy per transaction)
    address = host === flow.remoteAddress ? flow.remoteAddress : ownString(host);
    const rport = via.params.get('rport');
    port = rport ? Number(rport) : (via.port ?? 5060);
  } catch {
    // malformed Via: answer the source address
  }
  return { protocol: 'udp', address, port };
}
