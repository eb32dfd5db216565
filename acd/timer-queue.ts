/**
 * The engine's timer queue, over integer timer handles (no object per timer). A timer is named by its kind
 * and its target (call slot, agent index or queue index; the kind says which): handle = target * 8 + kind,
 * which is also its cell in the index rows (index-rows.ts), so a call's timers sit in one cache line with
 * its other indexes, and firing a timer needs no lookup to know what it is.
 *
 * Most timers are "a start time + a configured duration" (ring timeout, wrap-up, a step threshold or max
 * wait counted from a call's entry, the position interval). As in Node's lib/timers, such timers go into one
 * FIFO per (kind, duration), where deadlines arrive in rising order: here an OrderedRing (ordered-ring.ts),
 * so scheduling appends one entry and cancelling marks it dead (no neighbours to relink, no timer record to
 * read). A small heap
 * orders the rings by their head entry. A timer that would not go last in its ring (a deadline earlier than
 * the tail's, e.g. a step threshold counted from an entry long ago), or that has no configured duration,
 * goes into a KeyHeap instead. The order is exactly (deadline, kind, order) over all timers, as with a
 * single heap.
 *
 * Layout:
 * - per handle, rows.pos[h]: -1 when not scheduled, i (< 2^24) at index i of the heap, or
 *   ((r + 1) << 24) | i at index i of ring r.
 * - ring entry: keys (deadline, order, 0), id = handle.
 * - heap entry: (deadline, kind, order) keys, id = handle.
 */
import { ROW, type IndexRows } from './index-rows.ts';
import { IndexedHeap, type HeapItem } from './indexed-heap.ts';
import { KeyHeap } from './key-heap.ts';
import { OrderedRing } from './ordered-ring.ts';

/** Duration key for timers that have no configured duration. */
export const NO_DURATION = -1;
/** How many rings at most (distinct kind and duration pairs); later pairs use the heap. */
const MAX_RINGS = 64;
const NOT_SCHEDULED = -1;
/** Index bits of a position; the bits above say where (0: the heap, r + 1: ring r). */
const INDEX_BITS = 24;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** A ring never holds more entries than an index can name (beyond, its timers go to the heap). */
const MAX_RING_ENTRIES = 1 << INDEX_BITS;
/** handle = target * ROW + kind. */
const KIND_BITS = 31 - Math.clz32(ROW);

/** The handle of the timer of this kind (< 8) on this target. */
export function timerHandle(kind: number, target: number): number {
  return (target << KIND_BITS) | kind;
}

export function timerKind(h: number): number {
  return h & ((1 << KIND_BITS) - 1);
}

export function timerTarget(h: number): number {
  return h >> KIND_BITS;
}

/** The timers of one kind and one configured duration, in deadline order. */
class Ring implements HeapItem {
  /** Position in the ring heap, -1 while empty. */
  pos = -1;
  /** The head's deadline and order, copied here so ordering the rings reads only ring objects. */
  headDeadline = 0;
  headOrder = 0;
  /** (Held, not inherited: the pools' rings and these share one class, so the calls into it stay monomorphic.) */
  readonly timers: OrderedRing;
  constructor(
    readonly id: number,
    readonly kind: number,
    rows: IndexRows,
  ) {
    this.timers = new OrderedRing(rows, 1, 0, (id + 1) << INDEX_BITS, 64, MAX_RING_ENTRIES);
  }
}

function ringLess(a: Ring, b: Ring): boolean {
  if (a.headDeadline !== b.headDeadline) return a.headDeadline < b.headDeadline;
  if (a.kind !== b.kind) return a.kind < b.kind;
  return a.headOrder < b.headOrder;
}

export class TimerQueue {
  private count = 0;
  private readonly rings: Ring[] = [];
  /** Per kind: configured duration -> ring. */
  private readonly ringsByKind: Array<Map<number, Ring>> = [];
  private readonly ringHeap = new IndexedHeap<Ring>(ringLess);
  private readonly heap: KeyHeap;

  /**
   * rows: where the position of each handle is kept (shared with other per-call indexes); the heap writes
   * its positions there too, as plain indexes (it never holds 2^24 timers).
   */
  constructor(private readonly rows: IndexRows) {
    this.heap = new KeyHeap(rows, 1, 0);
  }

  /** Number of scheduled timers. */
  get size(): number {
    return this.count;
  }

  scheduled(h: number): boolean {
    return h < this.rows.pos.length && this.rows.pos[h] !== NOT_SCHEDULED;
  }

  deadlineOf(h: number): number {
    return this.keyOf(h, 0);
  }

  orderOf(h: number): number {
    return this.keyOf(h, 1);
  }

  /** The earliest timer's handle, or -1. */
  peek(): number {
    const r = this.ringHeap.peek();
    const heap = this.heap;
    if (r === undefined) return heap.size === 0 ? -1 : heap.topId();
    const fromRing = r.timers.headId();
    if (heap.size === 0) return fromRing;
    const k = heap.keys;
    if (r.headDeadline !== k[0]) return r.headDeadline < k[0]! ? fromRing : heap.topId();
    if (r.kind !== k[1]) return r.kind < k[1]! ? fromRing : heap.topId();
    return r.headOrder < k[2]! ? fromRing : heap.topId();
  }

  /** The earliest deadline, or Infinity when nothing is scheduled (from the ring and heap heads alone: checked on every input). */
  nextDeadline(): number {
    const r = this.ringHeap.peek();
    const fromRing = r === undefined ? Infinity : r.headDeadline;
    return this.heap.size === 0 ? fromRing : Math.min(fromRing, this.heap.keys[0]!);
  }

  /** True if a timer is due at or before `at`. */
  due(at: number): boolean {
    const r = this.ringHeap.peek();
    if (r !== undefined && r.headDeadline <= at) return true;
    return this.heap.size > 0 && this.heap.keys[0]! <= at;
  }

  /** Removes and returns the earliest timer's handle, or -1. */
  pop(): number {
    const h = this.peek();
    if (h >= 0) this.remove(h);
    return h;
  }

  /** Schedules timer h at deadline, tie-break `order`; duration is the configured duration the deadline comes from, or NO_DURATION. */
  schedule(h: number, deadline: number, order: number, duration: number): void {
    if (h >= this.rows.pos.length) this.rows.ensure(timerTarget(h) + 1);
    else if (this.rows.pos[h] !== NOT_SCHEDULED) this.remove(h);
    this.count++;
    const kind = timerKind(h);
    const ring = duration >= 0 ? this.ringFor(kind, duration) : null;
    if (ring === null || !ring.timers.accepts(deadline, order, 0) || !ring.timers.append(deadline, order, 0, h)) this.heap.push(deadline, kind, order, h);
    else if (ring.timers.count === 1) this.headChanged(ring);
  }

  remove(h: number): void {
    if (!this.scheduled(h)) return;
    const p = this.rows.pos[h]!;
    this.count--;
    const i = p & INDEX_MASK;
    const where = p >> INDEX_BITS;
    if (where === 0) {
      this.heap.removeAt(i);
      return;
    }
    this.rows.pos[h] = NOT_SCHEDULED;
    const ring = this.rings[where - 1]!;
    if (ring.timers.kill(i)) this.headChanged(ring);
  }

  /** All scheduled handles, in no particular order (for snapshots). */
  all(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.heap.size; i++) out.push(this.heap.idAt(i));
    for (const r of this.rings) r.timers.forEach((_d, _o, _z, h) => out.push(h));
    return out;
  }

  /** Key 0 (deadline) or 1 (order) of a scheduled timer. */
  private keyOf(h: number, key: 0 | 1): number {
    const p = this.rows.pos[h]!;
    const i = p & INDEX_MASK;
    const where = p >> INDEX_BITS;
    if (where === 0) return this.heap.keys[i * 4 + key * 2]!;
    return this.rings[where - 1]!.timers.keyAt(i, key);
  }

  private ringFor(kind: number, duration: number): Ring | null {
    let byDuration = this.ringsByKind[kind];
    if (byDuration === undefined) {
      byDuration = new Map();
      this.ringsByKind[kind] = byDuration;
    }
    let ring = byDuration.get(duration);
    if (ring === undefined) {
      if (this.rings.length === MAX_RINGS) return null;
      ring = new Ring(this.rings.length, kind, this.rows);
      this.rings.push(ring);
      byDuration.set(duration, ring);
    }
    return ring;
  }

  private headChanged(ring: Ring): void {
    if (ring.timers.count === 0) {
      this.ringHeap.remove(ring);
      return;
    }
    ring.headDeadline = ring.timers.headKey(0);
    ring.headOrder = ring.timers.headKey(1);
    if (ring.pos >= 0) this.ringHeap.update(ring);
    else this.ringHeap.push(ring);
  }
}

