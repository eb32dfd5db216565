/**
 * Refuses a source address for a while after repeated authentication failures (brute force protection).
 * Only wrong credentials count; a first request without credentials is a normal challenge round.
 * Used for SIP digest (REGISTER/INVITE) and for the HTTP login.
 */
export interface LockoutOptions {
  /** failures within `windowMs` that lock the source; default 10; 0 = never lock */
  maxFailures?: number;
  windowMs?: number;
  /** how long a locked source is refused; default 5 min */
  lockMs?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

export class AuthLockout {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly lockMs: number;
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(opts: LockoutOptions = {}) {
    this.max = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.lockMs = opts.lockMs ?? 300_000;
    this.now = opts.now ?? Date.now;
  }

  isLocked(source: string): boolean {
    return this.lockedForMs(source) > 0;
  }

  /** Milliseconds the source stays refused (0: not locked), e.g. for an HTTP Retry-After. */
  lockedForMs(source: string): number {
    const e = this.entries.get(source);
    if (!e) return 0;
    const left = e.lockedUntil - this.now();
    if (left > 0) return left;
    if (e.lockedUntil !== 0) this.entries.delete(source);
    return 0;
  }

  /** Records a failure; returns true when this failure locked the source. */
  fail(source: string): boolean {
    if (this.max === 0) return false;
    const now = this.now();
    // entries of sources that failed once and never came back go at most one window after it (no timer of our own)
    if (now - this.lastSweep > this.windowMs) {
      this.lastSweep = now;
      this.sweep();
    }
    let e = this.entries.get(source);
    if (!e || now - e.windowStart > this.windowMs) {
      e = { failures: 0, windowStart: now, lockedUntil: 0 };
      this.entries.set(source, e);
    }
    e.failures++;
    if (e.failures >= this.max) {
      e.lockedUntil = now + this.lockMs;
      return true;
    }
    return false;
  }

  succeed(source: string): void {
    const e = this.entries.get(source);
    if (e && e.lockedUntil === 0) this.entries.delete(source);
  }

  /** forget entries whose window and lock have passed */
  sweep(): void {
    const now = this.now();
    for (const [k, e] of this.entries) {
      if (e.lockedUntil < now && now - e.windowStart > this.windowMs) this.entries.delete(k);
    }
  }
}
