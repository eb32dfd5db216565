import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * Overload control for new calls (loss-based, in the spirit of RFC 7339's "loss" algorithm, applied at the edge).
 *
 * A Node process has one thread: above its capacity it does not slow down gracefully, it falls behind. Datagrams
 * queue in the kernel, callers retransmit their INVITEs (RFC 3261 timer A), the retransmissions add load, and every
 * call, not only the extra ones, ends up failing. So while the process is overloaded, a share of the new INVITEs
 * (outside a dialog) is refused at once with 503 Service Unavailable, before authentication, and that share follows
 * the overload: +10 points per overloaded reading, -10 per reading without. Calls in progress, in-dialog requests,
 * registrations, CANCEL and ACK are never refused.
 *
 * A reading is overloaded when both signals say so: the event loop was busier than `maxLoad` (its utilisation, the
 * busy share of wall time, since the previous reading), and round trips took longer than T1 (500 ms) for at least
 * 5 % of the messages received (at least 2): clients retransmitted requests we had not answered yet, or our own
 * retransmission timers fired because the answers sat unread in our socket's queue. Work is then queueing up in
 * front of the loop, not merely keeping it busy. A busy loop that keeps up, or a phone that went away on an idle
 * server, refuses nothing. Shedding starts only after `sustainReadings` overloaded readings in a row (a second by
 * default: a burst the process can work off, such as the first seconds after a start with a cold JIT, must not
 * refuse calls; measured with bench:sip, 1 500 calls/s from a cold start: up to 1 % retransmissions, then none).
 */
export interface OverloadOptions {
  /** Event-loop utilisation (0..1) the controller holds the process under; 0 turns overload control off. Default 0.9. */
  maxLoad?: number;
  /** Milliseconds between two load readings. Default 250. */
  intervalMs?: number;
  /** Overloaded readings in a row before calls are refused. Default 4. */
  sustainReadings?: number;
  /** Seconds for a Retry-After header in the 503; default none (RFC 3261 21.5.4 makes it optional: with it, a proxy treats this server as down for all requests). */
  retryAfterSeconds?: number;
}

/** The share of new calls refused (in percent) moves by this much per reading. */
const STEP = 10;
/** Never refuse every call: a trickle keeps going so callers see the service recover as soon as it does. */
const MAX_SHARE = 95;

/** Running counts the stack keeps (see TransactionStats). */
export interface DelaySignals {
  /** messages received */
  received: number;
  /** retransmissions: clients' requests we had not answered yet, and our own */
  retransmissions: number;
}

export interface OverloadState {
  /** Event-loop utilisation of the last reading, 0..1. */
  load: number;
  /** Retransmissions (theirs unanswered and ours) in the last reading. */
  late: number;
  /** Share of new INVITEs currently refused, 0..0.95. */
  rejectShare: number;
  /** New INVITEs refused with 503 since start. */
  rejected: number;
}

export class OverloadControl {
  readonly maxLoad: number;
  readonly retryAfterSeconds: number | undefined;
  private readonly intervalMs: number;
  private readonly sustain: number;
  private readonly readLoad: () => number;
  private readonly signals: () => DelaySignals;
  private last: DelaySignals = { received: 0, retransmissions: 0 };
  /** Percent of new INVITEs refused (whole numbers, so the spreading below is exact). */
  private share = 0;
  /** Accumulates the share per INVITE; a call is refused each time it reaches 100, so refusals are spread evenly. */
  private credit = 0;
  private above = 0;
  private timer: NodeJS.Timeout | undefined;
  load = 0;
  late = 0;
  rejected = 0;
  /** Called when shedding starts (true) or stops (false). */
  onChange: (shedding: boolean, state: OverloadState) => void = () => {};

  /** `readLoad`: the load since its previous call (default: the event loop's utilisation). */
  constructor(opts: OverloadOptions, signals: () => DelaySignals, readLoad?: () => number) {
    const maxLoad = opts.maxLoad ?? 0.9;
    if (!(maxLoad >= 0 && maxLoad < 1)) throw new RangeError(`overload maxLoad must be in [0, 1), got ${maxLoad}`);
    this.maxLoad = maxLoad;
    this.intervalMs = opts.intervalMs ?? 250;
    this.sustain = Math.max(1, opts.sustainReadings ?? 4);
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.readLoad = readLoad ?? eventLoopLoadReader();
    this.signals = signals;
  }

  get enabled(): boolean {
    return this.maxLoad > 0;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    // the baseline: what happened before start (e.g. migrations) does not count
    this.readLoad();
    this.last = this.signals();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one reading of both signals and moves the share of refused calls. */
  sample(): void {
    const now = this.signals();
    this.update(this.readLoad(), now.retransmissions - this.last.retransmissions, now.received - this.last.received);
    this.last = now;
  }

  /** One reading: the load (0..1), and the retransmissions and messages received since the previous reading. */
  update(load: number, late: number, received: number): void {
    this.load = load;
    this.late = late;
    const wasShedding = this.share > 0;
    if (load > this.maxLoad && late >= Math.max(2, received / 20)) {
      this.above++;
      if (this.above >= this.sustain) this.share = Math.min(MAX_SHARE, this.share + STEP);
    } else {
      this.above = 0;
      this.share = Math.max(0, this.share - STEP);
    }
    const shedding = this.share > 0;
    if (shedding !== wasShedding) {
      if (!shedding) this.credit = 0;
      this.onChange(shedding, this.state());
    }
  }

  /** For a new INVITE: true to take it, false to refuse it with 503 (counted). */
  admit(): boolean {
    if (this.share === 0) return true;
    this.credit += this.share;
    if (this.credit < 100) return true;
    this.credit -= 100;
    this.rejected++;
    return false;
  }

  state(): OverloadState {
    return { load: this.load, late: this.late, rejectShare: this.share / 100, rejected: this.rejected };
  }
}

/** The event loop's utilisation since the previous call (perf_hooks). */
function eventLoopLoadReader(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}
