/**
 * A queue's waiting calls in claim order, for positions and EWT (the pools' heaps do the routing).
 *
 * Layout: a Float64Array of entries (call slot and its claim key, so ordering never reads a call record);
 * live entries and holes (GONE, calls that left) lie in [start, end), with the entries at start and
 * end - 1 live while the list is not empty. Each call's index here is kept in
 * its index row (index-rows.ts), so a call leaves in O(1) by becoming a hole, without touching its
 * neighbours (a linked list of call records read two cold records per removal, and a sweep walked the
 * records one dependent cache miss after another; here a sweep reads the entries in sequence).
 * pack() (at each position sweep) sorts if needed, and drops the holes (restoring FRONT_GAP free entries
 * before the head) when they outnumber the live entries or the gap is nearly used up.
 *
 * Order: appends usually keep it (a new call has the weakest claim). A call that belongs further forward
 * (back after a miss, overflowed in with its old place in line) is put at its place when that is within
 * WALK entries of the head, where such calls belong, using a hole or the gap before the head; otherwise it
 * is appended and the list is marked unsorted, and the next pack() sorts it. So pack() rarely sorts.
 */
import { LIST_CELL, ROW, type IndexRows } from './index-rows.ts';

/** Free entries kept before the head for calls that come back to the front. */
const FRONT_GAP = 16;
/** pack() restores the front gap when fewer entries than this are left of it. */
const MIN_FRONT_GAP = 4;
/** How many entries from the head add() looks at to put an early call at its place. */
const WALK = 16;
const GONE = -1;
const STRIDE = 4;

/** What the list needs of a call (CallRec has it): its slot and claim key, which must not change while listed. */
export interface Claim {
  readonly slot: number;
  readonly priority: number;
  readonly claim: number;
  readonly seq: number;
}

export class WaitingList {
  /** Entry i at [4i .. 4i+3]: call slot (GONE once it left), -priority, claim, seq (smaller key = stronger claim). */
  entries = new Float64Array(64 * STRIDE);
  start = FRONT_GAP;
  end = FRONT_GAP;
  /** Live entries. */
  size = 0;
  /** True while the live entries are in claim order. */
  sorted = true;

  constructor(private readonly rows: IndexRows) {}

  /** Slot of entry i (GONE for a hole). */
  slotAt(i: number): number {
    return this.entries[i * STRIDE]!;
  }

  /**
   * Adds a call by its claim (priority, place-in-line time, arrival sequence). (Takes the call, not the
   * numbers: a double passed to a function that is not inlined is boxed, an allocation per call.)
   */
  add(c: Claim): void {
    const slot = c.slot;
    const k0 = -c.priority;
    const claim = c.claim;
    const seq = c.seq;
    if (this.size === 0 || !this.before(k0, claim, seq, this.end - 1)) this.append(slot, k0, claim, seq);
    else if (!(this.sorted && this.insertNearHead(slot, k0, claim, seq))) {
      this.sorted = false;
      this.append(slot, k0, claim, seq);
    }
    this.size++;
  }

  remove(slot: number): void {
    const pos = this.rows.pos;
    const i = pos[slot * ROW + LIST_CELL]!;
    if (i < 0) return;
    pos[slot * ROW + LIST_CELL] = -1;
    const e = this.entries;
    e[i * STRIDE] = GONE;
    this.size--;
    if (this.size === 0) {
      this.start = FRONT_GAP;
      this.end = FRONT_GAP;
      this.sorted = true;
      return;
    }
    if (i === this.start) while (e[this.start * STRIDE] === GONE) this.start++;
    if (i === this.end - 1) while (e[(this.end - 1) * STRIDE] === GONE) this.end--;
  }

  /** Drops the holes, sorts the live entries if they are out of order, and leaves them at [start, end). */
  pack(scratch: number[]): void {
    if (!this.sorted) {
      const e = this.entries;
      scratch.length = 0;
      for (let i = this.start; i < this.end; i++) if (e[i * STRIDE] !== GONE) scratch.push(i);
      scratch.sort((a, b) => (a === b ? 0 : this.before(e[a * STRIDE + 1]!, e[a * STRIDE + 2]!, e[a * STRIDE + 3]!, b) ? -1 : 1));
      // (Rare: only after an early call could not be put at its place.) Copy, then write back in order.
      const copy = e.slice(this.start * STRIDE, this.end * STRIDE);
      for (let n = 0; n < scratch.length; n++) {
        const from = (scratch[n]! - this.start) * STRIDE;
        const to = (this.start + n) * STRIDE;
        for (let k = 0; k < STRIDE; k++) e[to + k] = copy[from + k]!;
      }
      this.end = this.start + scratch.length;
      this.sorted = true;
      scratch.length = 0;
      this.reindex();
    }
    // Holes are left in place until they outnumber the live entries (a sweep skips them): compacting re-indexes
    // every live call, a cold index row each, which at every sweep cost more than the sweep itself.
    if (this.end - this.start > 2 * this.size + FRONT_GAP || this.start < MIN_FRONT_GAP) this.compact();
  }

  /** The live slots, in list order (queries and snapshots). */
  live(): number[] {
    const out: number[] = [];
    for (let i = this.start; i < this.end; i++) if (this.slotAt(i) !== GONE) out.push(this.slotAt(i));
    return out;
  }

  /** True if key (k0, k1, k2) comes before the entry at j (keys are unique: seq differs). */
  private before(k0: number, k1: number, k2: number, j: number): boolean {
    const e = this.entries;
    const b = j * STRIDE;
    const x = e[b + 1]!;
    if (k0 !== x) return k0 < x;
    const y = e[b + 2]!;
    if (k1 !== y) return k1 < y;
    return k2 < e[b + 3]!;
  }

  private append(slot: number, k0: number, k1: number, k2: number): void {
    if ((this.end + 1) * STRIDE > this.entries.length) this.compact();
    this.place(this.end++, slot, k0, k1, k2);
  }

  private place(i: number, slot: number, k0: number, k1: number, k2: number): void {
    const e = this.entries;
    const b = i * STRIDE;
    e[b] = slot;
    e[b + 1] = k0;
    e[b + 2] = k1;
    e[b + 3] = k2;
    this.rows.pos[slot * ROW + LIST_CELL] = i;
  }

  /** Moves entry `from` to index `to`. */
  private move(from: number, to: number): void {
    const e = this.entries;
    this.place(to, e[from * STRIDE]!, e[from * STRIDE + 1]!, e[from * STRIDE + 2]!, e[from * STRIDE + 3]!);
  }

  /** Puts the call before the first of the first WALK entries it comes before, if there is room; false otherwise. */
  private insertNearHead(slot: number, k0: number, k1: number, k2: number): boolean {
    const stop = Math.min(this.end, this.start + WALK);
    let hole = -1;
    for (let i = this.start; i < stop; i++) {
      if (this.slotAt(i) === GONE) hole = i;
      else if (this.before(k0, k1, k2, i)) {
        // Shift the entries between the room (a hole, or the entry before the head) and i one step back.
        const room = hole >= 0 ? hole : this.start - 1;
        if (room < 0) return false;
        for (let j = room; j < i - 1; j++) this.move(j + 1, j);
        this.place(i - 1, slot, k0, k1, k2);
        if (room < this.start) this.start = room;
        return true;
      }
    }
    return false;
  }

  /** Moves the live entries to [FRONT_GAP, FRONT_GAP + size), growing the array when that leaves little room (amortised O(1) per append). */
  private compact(): void {
    const old = this.entries;
    let e = old;
    if ((FRONT_GAP + this.size * 2) * STRIDE > old.length) e = new Float64Array(old.length * 2);
    // First pack in place towards the current start (the write index never passes the read index)...
    let w = this.start;
    for (let i = this.start; i < this.end; i++) {
      if (old[i * STRIDE] === GONE) continue;
      for (let k = 0; k < STRIDE; k++) old[w * STRIDE + k] = old[i * STRIDE + k]!;
      w++;
    }
    // ...then move the block to its place (copyWithin handles the overlap).
    if (e === old) e.copyWithin(FRONT_GAP * STRIDE, this.start * STRIDE, w * STRIDE);
    else e.set(old.subarray(this.start * STRIDE, w * STRIDE), FRONT_GAP * STRIDE);
    this.entries = e;
    this.start = FRONT_GAP;
    this.end = FRONT_GAP + this.size;
    this.reindex();
  }

  private reindex(): void {
    const pos = this.rows.pos;
    for (let i = this.start; i < this.end; i++) {
      const slot = this.slotAt(i);
      if (slot !== GONE) pos[slot * ROW + LIST_CELL] = i;
    }
  }
}
