import type { OutgoingCall } from '../../sip/index.ts';

type ReinviteHandler = (offer: string) => string | Promise<string>;

/**
 * The customer's SIP leg as a customer call uses it: the caller's incoming INVITE (IncomingCall), or, for a
 * callback, the call we placed to the customer without an offer (CalledBackLeg): either way the customer made
 * the offer and we answer it, so the media set-up and everything after it is the same.
 */
export interface CustomerLeg {
  readonly callId: string;
  /** the customer's SDP offer */
  readonly remoteSdp: string | undefined;
  readonly localSdp: string | undefined;
  on(event: 'bye' | 'cancel', listener: () => void): unknown;
  on(event: 'close', listener: (reason: string) => void): unknown;
  on(event: 'dtmf', listener: (digit: string) => void): unknown;
  setReinviteHandler(handler: ReinviteHandler): void;
  /** Sends our SDP answer; resolves when the customer has it (the ACK of our 200, or our ACK sent). */
  answer(sdp: string): Promise<void>;
  reject(status: number, reason?: string): void;
  bye(): Promise<void>;
  close(): void;
}

/**
 * A called-back customer: our INVITE went without an offer (late offer, RFC 3261 13.2.1), the customer's 200 OK
 * carried theirs, and our answer goes in the ACK. Nothing to cancel any more: it is answered.
 */
export class CalledBackLeg implements CustomerLeg {
  constructor(
    private readonly leg: OutgoingCall,
    /** the customer's offer, from the 200 OK */
    readonly remoteSdp: string,
  ) {}

  get callId(): string {
    return this.leg.callId;
  }

  get localSdp(): string | undefined {
    return this.leg.localSdp;
  }

  on(event: 'bye' | 'cancel' | 'close' | 'dtmf', listener: (arg: string) => void): this {
    if (event !== 'cancel') this.leg.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  setReinviteHandler(handler: ReinviteHandler): void {
    this.leg.setReinviteHandler(handler);
  }

  answer(sdp: string): Promise<void> {
    this.leg.acknowledge(sdp);
    return Promise.resolve();
  }

  /** No answer could be made: the 200 is acknowledged bare and the call hung up. */
  reject(): void {
    this.leg.acknowledge();
    void this.leg.bye().catch(() => {});
  }

  bye(): Promise<void> {
    return this.leg.bye();
  }

  close(): void {
    this.leg.close();
  }
}
