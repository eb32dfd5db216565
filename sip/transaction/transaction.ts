import type { Logger } from 'pino';
import type { SipMessage } from '../message/message.ts';
import type { Flow, SendTarget } from '../transport/flow.ts';
import type { TimerConfig } from './timers.ts';

/** What a transaction needs from the layer below and around it. */
export interface TransactionContext {
  timers: TimerConfig;
  logger: Logger;
  /** sends serialized bytes (transactions keep bytes, not message objects, for retransmission) */
  send(data: Buffer, target: SendTarget): Promise<void>;
  /** removes the transaction from the matching table */
  forget(key: string): void;
}

/**
 * Base of the four RFC 3261 17 state machines: named timers that are cleared on every transition and on dispose.
 * Subclasses own their state enum and the single transition() that validates moves.
 */
export abstract class TransactionBase {
  private readonly timerHandles = new Map<string, NodeJS.Timeout>();
  protected disposed = false;

  constructor(
    readonly key: string,
    protected readonly ctx: TransactionContext,
    readonly reliable: boolean,
  ) {}

  protected startTimer(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    const h = setTimeout(() => {
      this.timerHandles.delete(name);
      if (!this.disposed) fn();
    }, ms);
    this.timerHandles.set(name, h);
  }

  protected clearTimer(name: string): void {
    const h = this.timerHandles.get(name);
    if (h !== undefined) {
      clearTimeout(h);
      this.timerHandles.delete(name);
    }
  }

  protected clearAllTimers(): void {
    for (const h of this.timerHandles.values()) clearTimeout(h);
    this.timerHandles.clear();
  }

  protected dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearAllTimers();
    this.ctx.forget(this.key);
  }

  protected sendSafe(msg: SipMessage | Buffer, target: SendTarget, onError: (err: Error) => void): void {
    this.ctx.send(Buffer.isBuffer(msg) ? msg : msg.toBuffer(), target).catch(onError);
  }
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
    address = received ?? via.host;
    const rport = via.params.get('rport');
    port = rport ? Number(rport) : (via.port ?? 5060);
  } catch {
    // malformed Via: answer the source address
  }
  return { protocol: 'udp', address, port };
}
