/**
 * Call slots, and each pool's waiting calls: strongest claim first, by the key (-priority, place-in-line time,
 * arrival sequence), smallest first. This is the hot path at 100 000 waiting calls.
 *
 * Calls almost always join a pool in key order: a new call has the weakest claim of its queue, and a call that
 * reaches a relaxation step joins the wider pool in the order of its arrival, as the calls of its queue before
 * it did. So, as the timer queue does with its timers (timer-queue.ts), a pool keeps its calls in an
 * OrderedRing (ordered-ring.ts), where joining appends one entry and leaving from the middle (an abandon) only
 * marks the entry dead: nothing else moves, and no other call's index is rewritten. (A heap re-indexes the calls
 * it moves on every removal: each a cold cache line of another call's index row.) A call whose key would not go
 * last in the ring (one that comes back after a missed offer, keeping its place in line, or that has a higher
 * priority than the calls before it) goes into a small KeyHeap instead; the head of the pool is the smaller of
 * the ring's head and the heap's top. The order is exactly the key order, as with one heap.
 *
 * Where a call is: its index row's HEAP_CELL (index-rows.ts) holds its ring index (>= 0), IN_HEAP, or -1;
 * its index in the heap is in CallSlots.heapPos.
 */
import { HEAP_CELL, ROW, type IndexRows } from './index-rows.ts';
import { KeyHeap, type PositionTable } from './key-heap.ts';
import { OrderedRing } from './ordered-ring.ts';
import type { CallRec } from './records.ts';

const NOWHERE = -1;
/** HEAP_CELL value of a call that is in its pool's out-of-order heap. */
const IN_HEAP = -2;
const INITIAL_ENTRIES = 16;
/** Ring indexes are kept as they are in an int32 cell: a ring stays below 2^30 entries (beyond, calls go to the heap). */
const MAX_ENTRIES = 1 << 30;

/**
 * The call records of an engine by slot, and per-slot data kept in compact arrays (one cache line or less per
 * call each, where a record is four) for the paths that visit many calls: the pools and the position sweeps.
 */
export class CallSlots {
  /** Per slot, 8 float64s: the call record's numeric fields (see CallRec's accessors). */
  num = new Float64Array(1024 * 8);
  /** Per slot, the last position and EWT (whole seconds, -1: none, -2: never) notified. */
  seen = new Float64Array(1024 * 2);
  /** Per slot, the index in its pool's out-of-order heap (see PoolCalls). */
  readonly heapPos: PositionTable = { pos: new Int32Array(1024).fill(NOWHERE) };
  /** The call id of each slot (its record's id), so a sweep can emit without reading records. */
  readonly ids: string[] = [];
  readonly recs: CallRec[] = [];

  /** rows: the index rows where each slot's pool index and list index are kept (index-rows.ts). */
  constructor(readonly rows: IndexRows) {}

  /** Registers a new call record (its slot must be recs.length). */
  add(c: CallRec): void {
    this.rows.ensure(c.slot + 1);
    if (c.slot * 8 >= this.num.length) {
      const num = new Float64Array(this.num.length * 2);
      num.set(this.num);
      this.num = num;
      const seen = new Float64Array(this.seen.length * 2);
      seen.set(this.seen);
      this.seen = seen;
    }
    if (c.slot >= this.heapPos.pos.length) {
      const pos = new Int32Array(this.heapPos.pos.length * 2).fill(NOWHERE);
      pos.set(this.heapPos.pos);
      this.heapPos.pos = pos;
    }
    const b = c.slot * 8;
    this.num.fill(0, b, b + 8);
    this.num[b + 4] = -1;
    this.num[b + 5] = -1;
    this.num[b + 6] = -1;
    this.recs.push(c);
    this.ids.push('');
  }
}

/** A pool's waiting calls (see the top of this file). A call's key must not change while it is here. */
export class PoolCalls {
  /** Live calls (ring and heap). */
  size = 0;
  /** Calls that joined in key order: keys (-priority, claim, seq), id = slot. */
  private readonly ring: OrderedRing;
  /** Calls that joined out of key order. */
  private readonly heap: KeyHeap;
  /**
   * The strongest call's key and slot (valid while size > 0): k0, k1, k2, slot. (In a typed array: double fields
   * of an object are boxes of their own, each a pointer to follow.)
   */
  readonly top = new Float64Array(4);

  constructor(readonly slots: CallSlots) {
    this.ring = new OrderedRing(slots.rows, ROW, HEAP_CELL, 0, INITIAL_ENTRIES, MAX_ENTRIES);
    this.heap = new KeyHeap(slots.heapPos);
  }

  push(c: CallRec): void {
    const k0 = -c.priority;
    const k1 = c.claim;
    const k2 = c.seq;
    const ring = this.ring;
    if (!ring.accepts(k0, k1, k2) || !ring.append(k0, k1, k2, c.slot)) {
      this.heap.push(k0, k1, k2, c.slot);
      this.slots.rows.pos[c.slot * ROW + HEAP_CELL] = IN_HEAP;
    }
    this.size++;
    this.findTop();
  }

  /** Takes c out (it must be in this pool). */
  remove(c: CallRec): void {
    const slot = c.slot;
    const cells = this.slots.rows.pos;
    const cell = slot * ROW + HEAP_CELL;
    const i = cells[cell]!;
    if (i === NOWHERE) return;
    cells[cell] = NOWHERE;
    if (i === IN_HEAP) {
      this.heap.removeAt(this.slots.heapPos.pos[slot]!);
      this.slots.heapPos.pos[slot] = NOWHERE;
    } else this.ring.kill(i);
    this.size--;
    this.findTop();
  }

  /** Takes the strongest call out (size must be > 0) and returns its slot. */
  popTop(): number {
    const slot = this.top[3]!;
    const cells = this.slots.rows.pos;
    const cell = slot * ROW + HEAP_CELL;
    if (cells[cell] === IN_HEAP) {
      this.heap.removeAt(0);
      this.slots.heapPos.pos[slot] = NOWHERE;
    } else this.ring.kill(this.ring.head);
    cells[cell] = NOWHERE;
    this.size--;
    this.findTop();
    return slot;
  }

  /** The slots in key order (snapshots). */
  toArray(): number[] {
    const out: Array<[number, number, number, number]> = [];
    this.ring.forEach((k0, k1, k2, slot) => out.push([k0, k1, k2, slot]));
    for (let i = 0; i < this.heap.size; i++) out.push([this.heap.keyAt(i, 0), this.heap.keyAt(i, 1), this.heap.keyAt(i, 2), this.heap.idAt(i)]);
    out.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    return out.map((x) => x[3]);
  }

  /** Sets top: the smaller of the ring's head and the heap's top. */
  private findTop(): void {
    const top = this.top;
    if (this.size === 0) {
      top[3] = -1;
      return;
    }
    const h = this.heap;
    const ring = this.ring;
    if (ring.live > 0) {
      const k0 = ring.headKey(0);
      const k1 = ring.headKey(1);
      const k2 = ring.headKey(2);
      if (h.size === 0 || k0 < h.keyAt(0, 0) || (k0 === h.keyAt(0, 0) && (k1 < h.keyAt(0, 1) || (k1 === h.keyAt(0, 1) && k2 < h.keyAt(0, 2))))) {
        top[0] = k0;
        top[1] = k1;
        top[2] = k2;
        top[3] = ring.headId();
        return;
      }
    }
    top[0] = h.keyAt(0, 0);
    top[1] = h.keyAt(0, 1);
    top[2] = h.keyAt(0, 2);
    top[3] = h.topId();
  }
}
