/**
 * A pool's waiting calls, strongest claim first: priority (higher), then place-in-line time, then arrival
 * sequence. Structure of arrays: each entry is four float64s side by side (priority, claim, seq, call slot),
 * so a sift step reads one cache line of this heap instead of scattered call records, and the position of
 * every call sits in one Int32Array shared by all heaps of an engine (CallSlots.pos, indexed by call slot),
 * so moving an entry writes a compact array rather than the moved call's record. This is the hot path at
 * 100 000 waiting calls. A call's key must not change while it is in a heap.
 */
import type { CallRec } from './records.ts';

const STRIDE = 4;

/** The call records of an engine by slot, and each slot's position in the call heap that holds it (-1: none). */
export class CallSlots {
  pos = new Int32Array(1024).fill(-1);
  /** Per slot, 8 float64s: the call record's numeric fields (see CallRec's accessors). */
  num = new Float64Array(1024 * 8);
  readonly recs: CallRec[] = [];

  /** Registers a new call record (its slot must be recs.length). */
  add(c: CallRec): void {
    if (c.slot >= this.pos.length) {
      const next = new Int32Array(this.pos.length * 2).fill(-1);
      next.set(this.pos);
      this.pos = next;
      const num = new Float64Array(this.num.length * 2);
      num.set(this.num);
      this.num = num;
    }
    this.pos[c.slot] = -1;
    const b = c.slot * 8;
    this.num.fill(0, b, b + 8);
    this.num[b + 4] = -1;
    this.num[b + 5] = -1;
    this.num[b + 6] = -1;
    this.recs.push(c);
  }
}

export class CallHeap {
  size = 0;
  /** Entry i at [4i .. 4i+3]: priority, claim, seq, slot. */
  keys = new Float64Array(16 * STRIDE);

  constructor(readonly slots: CallSlots) {}

  /** The strongest call (size must be > 0). */
  head(): CallRec {
    return this.slots.recs[this.keys[3]!]!;
  }

  /** The calls in heap layout order (snapshots). */
  toArray(): CallRec[] {
    const out: CallRec[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.slots.recs[this.keys[i * STRIDE + 3]!]!);
    return out;
  }

  push(c: CallRec): void {
    const i = this.size++;
    if (i * STRIDE === this.keys.length) this.grow();
    this.up(i, c.priority, c.claim, c.seq, c.slot);
  }

  remove(c: CallRec): void {
    const pos = this.slots.pos;
    const slot = c.slot;
    const i = pos[slot]!;
    const k = this.keys;
    if (i < 0 || i >= this.size || k[i * STRIDE + 3] !== slot) return;
    pos[slot] = -1;
    const last = --this.size;
    if (i === last) return;
    const b = last * STRIDE;
    const p = k[b]!;
    const cl = k[b + 1]!;
    const s = k[b + 2]!;
    const sl = k[b + 3]!;
    if (i > 0 && this.before(p, cl, s, (i - 1) >> 1)) this.up(i, p, cl, s, sl);
    else this.down(i, p, cl, s, sl);
  }

  /** True if key (p, cl, s) comes before the entry at j. */
  private before(p: number, cl: number, s: number, j: number): boolean {
    const k = this.keys;
    const b = j * STRIDE;
    const q = k[b]!;
    if (p !== q) return p > q;
    const c = k[b + 1]!;
    if (cl !== c) return cl < c;
    return s < k[b + 2]!;
  }

  private up(i: number, p: number, cl: number, s: number, sl: number): void {
    const k = this.keys;
    const pos = this.slots.pos;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(p, cl, s, parent)) break;
      const to = i * STRIDE;
      const from = parent * STRIDE;
      k[to] = k[from]!;
      k[to + 1] = k[from + 1]!;
      k[to + 2] = k[from + 2]!;
      const moved = k[from + 3]!;
      k[to + 3] = moved;
      pos[moved] = i;
      i = parent;
    }
    const b = i * STRIDE;
    k[b] = p;
    k[b + 1] = cl;
    k[b + 2] = s;
    k[b + 3] = sl;
    pos[sl] = i;
  }

  private down(i: number, p: number, cl: number, s: number, sl: number): void {
    const k = this.keys;
    const pos = this.slots.pos;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n) {
        const rb = r * STRIDE;
        if (this.before(k[rb]!, k[rb + 1]!, k[rb + 2]!, l)) child = r;
      }
      const cb = child * STRIDE;
      // The child goes up if it comes before (p, cl, s).
      const q = k[cb]!;
      if (q !== p ? q < p : k[cb + 1] !== cl ? k[cb + 1]! > cl : k[cb + 2]! >= s) break;
      const to = i * STRIDE;
      k[to] = q;
      k[to + 1] = k[cb + 1]!;
      k[to + 2] = k[cb + 2]!;
      const moved = k[cb + 3]!;
      k[to + 3] = moved;
      pos[moved] = i;
      i = child;
    }
    const b = i * STRIDE;
    k[b] = p;
    k[b + 1] = cl;
    k[b + 2] = s;
    k[b + 3] = sl;
    pos[sl] = i;
  }

  private grow(): void {
    const next = new Float64Array(this.keys.length * 2);
    next.set(this.keys);
    this.keys = next;
  }
}
