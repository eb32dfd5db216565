/**
 * Transaction timers without a Node timer, or any object, per timer.
 *
 * RFC 3261 17 timers come in a handful of fixed durations (T1 doublings, T2, T4, 64*T1, 32 s). Timers of one
 * duration expire in the order they were started, so each duration gets a FIFO and one Node timer armed for the
 * FIFO's head. A FIFO slot holds the owner, the owner's timer generation at start, the kind and the due time, in
 * parallel arrays: starting a timer allocates nothing. A timer is cancelled by bumping the owner's generation for
 * that slot (`TimerOwner.timerGen`); stale slots are skipped when their time comes. At thousands of calls per
 * second this keeps the hundreds of thousands of timers of lingering transactions (J, L, M wait 32 s) out of the
 * garbage collector's way; with a Node Timeout and a closure per timer, collection was the stack's largest cost.
 * A cancelled timer keeps its slot until its due time, so this is for short timers (seconds, as RFC 3261's are),
 * not for hour-long ones such as a maximum call duration.
 */

/**
 * Something that owns timers in two slots (0 and 1); a slot's generation is bumped to cancel what runs in it.
 * Two plain number fields rather than an array: owners are created per transaction.
 */
export interface TimerOwner {
  timerGen0: number;
  timerGen1: number;
  onTimer(kind: number): void;
}

function bump(owner: TimerOwner, slot: number): number {
  return slot === 0 ? ++owner.timerGen0 : ++owner.timerGen1;
}

class Fifo {
  owners: Array<TimerOwner | undefined> = [];
  gens: number[] = [];
  /** kind * SLOTS + slot */
  kinds: number[] = [];
  due: number[] = [];
  head = 0;
  timer: NodeJS.Timeout | undefined;
  /** true while expired entries are being dispatched (timers started meanwhile must not arm a second timer) */
  firing = false;

  clear(): void {
    this.owners = [];
    this.gens = [];
    this.kinds = [];
    this.due = [];
    this.head = 0;
  }

  /** Drops the consumed front once it is most of the arrays. */
  compact(): void {
    if (this.head < 1024 || this.head * 2 < this.owners.length) return;
    const h = this.head;
    this.owners = this.owners.slice(h);
    this.gens = this.gens.slice(h);
    this.kinds = this.kinds.slice(h);
    this.due = this.due.slice(h);
    this.head = 0;
  }
}

/** Timer slots per owner (a transaction runs one retransmission and one lifetime timer at a time). */
const SLOTS = 2;

export class TimerQueues {
  private readonly fifos = new Map<number, Fifo>();
  private closed = false;

  /** `onError` receives what an owner's onTimer threw; the other timers still fire */
  constructor(
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = () => Math.ceil(performance.now()),
  ) {}

  /** Calls `owner.onTimer(kind)` in `ms` milliseconds unless `cancel(owner, slot)` comes first; replaces the slot's timer. */
  start(ms: number, owner: TimerOwner, slot: number, kind: number): void {
    const gen = bump(owner, slot);
    let fifo = this.fifos.get(ms);
    if (fifo === undefined) {
      fifo = new Fifo();
      this.fifos.set(ms, fifo);
    }
    const at = this.now() + ms;
    fifo.owners.push(owner);
    fifo.gens.push(gen);
    fifo.kinds.push(kind * SLOTS + slot);
    fifo.due.push(at);
    if (fifo.timer === undefined && !fifo.firing && !this.closed) this.arm(fifo, ms, at);
  }

  cancel(owner: TimerOwner, slot: number): void {
    bump(owner, slot);
  }

  /** Clears every Node timer; pending timers never fire. */
  close(): void {
    this.closed = true;
    for (const fifo of this.fifos.values()) {
      if (fifo.timer !== undefined) clearTimeout(fifo.timer);
      fifo.timer = undefined;
      fifo.clear();
    }
  }

  private arm(fifo: Fifo, ms: number, at: number): void {
    fifo.timer = setTimeout(() => this.fire(fifo, ms), Math.max(0, at - this.now()));
  }

  private fire(fifo: Fifo, ms: number): void {
    fifo.timer = undefined;
    fifo.firing = true;
    const now = this.now();
    // Node's timer clock lags performance.now() by up to a millisecond: 1 ms of slack avoids re-arming for nothing
    while (fifo.head < fifo.owners.length && fifo.due[fifo.head]! <= now + 1) {
      const i = fifo.head++;
      const owner = fifo.owners[i]!;
      fifo.owners[i] = undefined;
      const k = fifo.kinds[i]!;
      const slot = k % SLOTS;
      if ((slot === 0 ? owner.timerGen0 : owner.timerGen1) !== fifo.gens[i]) continue; // cancelled or replaced
      bump(owner, slot);
      try {
        owner.onTimer((k - slot) / SLOTS);
      } catch (err) {
        this.onError(err);
      }
      if (this.closed) return;
    }
    fifo.firing = false;
    if (fifo.head === fifo.owners.length) {
      fifo.clear();
      return;
    }
    fifo.compact();
    this.arm(fifo, ms, fifo.due[fifo.head]!);
  }
}
