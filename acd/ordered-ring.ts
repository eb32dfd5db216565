/**
 * A FIFO ring buffer of entries that arrive in key order: the timers of one kind and one configured duration
 * (timer-queue.ts), the waiting calls of a pool (pool-calls.ts). Most of the engine's ordered sets fill that
 * way, and there a ring does what a heap does at a fraction of the cost: appending writes one entry, and
 * leaving from the middle marks the entry dead, so nothing else moves and no other id's index is rewritten
 * (a heap re-indexes each entry it moves, a cold cache line of another call's index row each). The owner puts
 * an entry that would not go last (accepts() is false) somewhere else, a KeyHeap.
 *
 * Entry i at entries[4i .. 4i+3]: keys k0, k1, k2 (compared in order) and an id >= 0, DEAD once it left. Dead
 * entries are dropped when they reach the head, or compacted away when a full ring is at least half dead, so
 * a ring holds at most about twice its live entries. The index of each id is written to
 * positions.pos[id * stride + offset] as `tag | index` (the owner tells its rings apart by the tag).
 */
import type { PositionTable } from './key-heap.ts';

export const RING_ENTRY = 4;
const DEAD = -1;

export class OrderedRing {
  entries: Float64Array;
  mask: number;
  /** Index of the first entry (live: dead ones at the head are dropped at once; 0 when empty). */
  head = 0;
  /** Entries from the head on, live and dead. */
  count = 0;
  live = 0;

  constructor(
    private readonly positions: PositionTable,
    private readonly stride: number,
    private readonly offset: number,
    private readonly tag: number,
    initialEntries: number,
    /** The ring never grows beyond this many entries (append answers false). */
    private readonly maxEntries: number,
  ) {
    this.entries = new Float64Array(initialEntries * RING_ENTRY);
    this.mask = initialEntries - 1;
  }

  /** True if (k0, k1, k2) goes after the last entry (dead or not), so that appending keeps the ring in order. */
  accepts(k0: number, k1: number, k2: number): boolean {
    if (this.count === 0) return true;
    const e = this.entries;
    const b = ((this.head + this.count - 1) & this.mask) * RING_ENTRY;
    if (k0 !== e[b]) return k0 > e[b]!;
    if (k1 !== e[b + 1]) return k1 > e[b + 1]!;
    return k2 >= e[b + 2]!;
  }

  /** Appends an entry that accepts() let in; false if the ring is full at its largest size. */
  append(k0: number, k1: number, k2: number, id: number): boolean {
    if (this.count > this.mask) {
      if (this.live * 2 > this.count && this.count * 2 > this.maxEntries) return false;
      this.makeRoom();
    }
    const i = (this.head + this.count++) & this.mask;
    const e = this.entries;
    const b = i * RING_ENTRY;
    e[b] = k0;
    e[b + 1] = k1;
    e[b + 2] = k2;
    e[b + 3] = id;
    this.live++;
    this.positions.pos[id * this.stride + this.offset] = this.tag | i;
    return true;
  }

  /** The entry at index i leaves (its id's position is the owner's to clear). True if it was the head. */
  kill(i: number): boolean {
    this.entries[i * RING_ENTRY + 3] = DEAD;
    this.live--;
    if (i !== this.head) return false;
    this.dropDeadHead();
    return true;
  }

  /** Key k (0, 1 or 2) of the head entry (count must be > 0). */
  headKey(k: number): number {
    return this.entries[this.head * RING_ENTRY + k]!;
  }

  headId(): number {
    return this.entries[this.head * RING_ENTRY + 3]!;
  }

  /** Key k of the entry at index i. */
  keyAt(i: number, k: number): number {
    return this.entries[i * RING_ENTRY + k]!;
  }

  /** The live entries in order (snapshots): calls fn(k0, k1, k2, id). */
  forEach(fn: (k0: number, k1: number, k2: number, id: number) => void): void {
    const e = this.entries;
    for (let n = 0; n < this.count; n++) {
      const b = ((this.head + n) & this.mask) * RING_ENTRY;
      if (e[b + 3] !== DEAD) fn(e[b]!, e[b + 1]!, e[b + 2]!, e[b + 3]!);
    }
  }

  private dropDeadHead(): void {
    const e = this.entries;
    while (this.count > 0 && e[this.head * RING_ENTRY + 3] === DEAD) {
      this.head = (this.head + 1) & this.mask;
      this.count--;
    }
    if (this.count === 0) this.head = 0;
  }

  /** A full ring: compact it in place when at least half of it is dead, else double it (re-indexing its live entries). */
  private makeRoom(): void {
    const old = this.entries;
    const oldMask = this.mask;
    const grow = this.live * 2 > this.count;
    const e = grow ? new Float64Array(old.length * 2) : old;
    const mask = grow ? oldMask * 2 + 1 : oldMask;
    // Live entries keep their order; written from the head on (in place, the write index never passes the read index).
    const start = grow ? 0 : this.head;
    const pos = this.positions.pos;
    let w = 0;
    for (let n = 0; n < this.count; n++) {
      const from = ((this.head + n) & oldMask) * RING_ENTRY;
      const id = old[from + 3]!;
      if (id === DEAD) continue;
      const i = (start + w) & mask;
      const to = i * RING_ENTRY;
      e[to] = old[from]!;
      e[to + 1] = old[from + 1]!;
      e[to + 2] = old[from + 2]!;
      e[to + 3] = id;
      pos[id * this.stride + this.offset] = this.tag | i;
      w++;
    }
    this.entries = e;
    this.mask = mask;
    this.head = start;
    this.count = w;
  }
}
