/**
 * Call slots and the pools' call heaps. A pool's waiting calls are ordered strongest claim first: priority
 * (higher), then place-in-line time, then arrival sequence, in a KeyHeap (one cache line per sift step,
 * positions in the index rows, shared by all pools). This is the hot path at 100 000 waiting calls.
 * A call's key must not change while it is in a heap.
 */
import { HEAP_CELL, ROW, type IndexRows } from './index-rows.ts';
import { KeyHeap } from './key-heap.ts';
import type { CallRec } from './records.ts';

/**
 * The call records of an engine by slot, and per-slot data kept in compact arrays (one cache line or less per
 * call each, where a record is four) for the paths that visit many calls: heap sifts and position sweeps.
 */
export class CallSlots {
  /** Per slot, 8 float64s: the call record's numeric fields (see CallRec's accessors). */
  num = new Float64Array(1024 * 8);
  /** Per slot, the last position and EWT (whole seconds, -1: none, -2: never) notified. */
  seen = new Float64Array(1024 * 2);
  /** The call id of each slot (its record's id), so a sweep can emit without reading records. */
  readonly ids: string[] = [];
  readonly recs: CallRec[] = [];

  /** rows: the index rows where each slot's heap position and list index are kept (index-rows.ts). */
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
    const b = c.slot * 8;
    this.num.fill(0, b, b + 8);
    this.num[b + 4] = -1;
    this.num[b + 5] = -1;
    this.num[b + 6] = -1;
    this.recs.push(c);
    this.ids.push('');
  }
}

/**
 * A pool's waiting calls as a KeyHeap of call slots. The priority is stored negated (k0 = -priority) so that
 * the strongest claim (higher priority, then earlier claim, then earlier sequence) is the smallest key.
 */
export class CallHeap extends KeyHeap {
  constructor(readonly slots: CallSlots) {
    super(slots.rows, ROW, HEAP_CELL);
  }

  /** The calls in heap layout order (snapshots). */
  toArray(): CallRec[] {
    const out: CallRec[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.slots.recs[this.idAt(i)]!);
    return out;
  }

  pushCall(c: CallRec): void {
    this.push(-c.priority, c.claim, c.seq, c.slot);
  }

  removeCall(c: CallRec): void {
    const i = this.slots.rows.pos[c.slot * ROW + HEAP_CELL]!;
    if (this.holds(i, c.slot)) this.removeAt(i);
  }
}
