import type { Logger } from 'pino';
import { SipRequest } from '../message/message.ts';
import { randomToken } from '../message/grammar.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { SendTarget } from '../transport/flow.ts';
import { bindingKey as key, type Binding } from '../registrar/binding.ts';
import type { Registrar } from '../registrar/registrar.ts';

export interface QualifyOptions {
  /** Seconds between two OPTIONS to one registered device; 0 turns qualifying off. Default 30. */
  intervalSeconds?: number;
  /** A device that has not answered within this many ms is unreachable. Default 5000. */
  timeoutMs?: number;
}

export interface QualifierDeps {
  registrar: Registrar;
  tl: TransactionLayer;
  /** where requests to a binding go (the stack's routing: its flow, or its Path) */
  targetOf: (b: Binding) => SendTarget;
  realm: string;
  userAgent: string;
  logger: Logger;
  /** a device stopped or started answering */
  onChange: (b: Binding, reachable: boolean) => void;
}

interface Probe {
  nextAt: number;
  reachable: boolean;
  inFlight: boolean;
}

/**
 * Qualifies registered devices (like Asterisk's qualify_frequency): an OPTIONS to each UDP/TCP/TLS contact every
 * interval; a device that answers nothing (any response counts: it is alive) within the timeout is unreachable until
 * it answers again. A desk phone that loses power or network keeps its registration for up to an hour, and the ACD
 * would offer it calls that ring nowhere; this finds it within interval + timeout. WebSocket devices are not
 * probed: their binding goes with their connection. The probes are spread over the interval, not sent in bursts,
 * and they keep NAT bindings of the phones open as a side effect.
 */
export class Qualifier {
  private readonly probes = new Map<string, Probe>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: QualifierDeps,
    opts: QualifyOptions = {},
  ) {
    const seconds = opts.intervalSeconds ?? 30;
    if (!(seconds >= 0)) throw new RangeError(`qualify intervalSeconds must be >= 0, got ${seconds}`);
    this.intervalMs = seconds * 1000;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    deps.registrar.on('bindingRemoved', (b) => this.probes.delete(key(b)));
    // a REGISTER from the device is an answer too
    const alive = (b: Binding): void => {
      const p = this.probes.get(key(b));
      if (p === undefined || p.reachable) return;
      p.reachable = true;
      deps.onChange(b, true);
    };
    deps.registrar.on('bindingRefreshed', alive);
    deps.registrar.on('bindingAdded', alive);
  }

  start(): void {
    if (this.intervalMs === 0 || this.timer) return;
    this.timer = setInterval(() => this.tick(), Math.min(1000, this.intervalMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** False while the device behind this binding does not answer its OPTIONS. */
  isReachable(b: Binding): boolean {
    return this.probes.get(key(b))?.reachable ?? true;
  }

  private tick(): void {
    const now = Date.now();
    for (const b of this.deps.registrar.all()) {
      if (b.transport === 'ws' || b.transport === 'wss') continue;
      let p = this.probes.get(key(b));
      if (p === undefined) {
        // first probe somewhere in the next interval, so that many phones registering at once are not probed at once
        p = { nextAt: now + Math.random() * this.intervalMs, reachable: true, inFlight: false };
        this.probes.set(key(b), p);
      }
      if (!p.inFlight && now >= p.nextAt) this.probe(b, p);
    }
  }

  private probe(b: Binding, p: Probe): void {
    const req = new SipRequest('OPTIONS', b.contact);
    if (b.path.length) req.set('route', b.path);
    req.set('max-forwards', '70');
    req.set('from', `<sip:qualify@${this.deps.realm}>;tag=${randomToken(6)}`);
    req.set('to', `<${b.aor}>`);
    req.set('call-id', randomToken(12));
    req.set('cseq', '1 OPTIONS');
    req.set('user-agent', this.deps.userAgent);
    p.inFlight = true;
    let settled = false;
    const settle = (reachable: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      p.inFlight = false;
      p.nextAt = Date.now() + this.intervalMs;
      if (reachable === p.reachable || this.probes.get(key(b)) !== p) return;
      p.reachable = reachable;
      this.deps.logger.info({ aor: b.aor, contact: b.contact }, reachable ? 'device answers again' : 'device does not answer OPTIONS: unreachable');
      this.deps.onChange(b, reachable);
    };
    const timeout = setTimeout(() => settle(false), this.timeoutMs);
    try {
      this.deps.tl.sendRequest(req, this.deps.targetOf(b), { onResponse: () => settle(true), onTimeout: () => settle(false) });
    } catch (err) {
      this.deps.logger.debug({ err: (err as Error).message, contact: b.contact }, 'OPTIONS could not be sent');
      settle(false);
    }
  }
}
