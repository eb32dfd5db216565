/**
 * 4-ary min-heap of integer ids keyed by three numbers compared in order (k0, then k1, then k2), kept as a
 * structure of arrays: entry i is four float64s side by side (k0, k1, k2, id), so a sift step reads the
 * heap's own compact lines instead of scattered objects. Four children per node halve the depth of a binary
 * heap: a removal moves (and re-indexes) half as many entries, and the four children of a node lie in two
 * adjacent cache lines. The position of every id is written into an Int32Array
 * owned by the caller (`positions.pos`, at id * stride + offset), shared by all heaps of one kind, so removing
 * any id is O(log n) without a search and moving an entry writes a compact array rather than a record.
 * The keys of an id must not change while it is in the heap; (k0, k1, k2) must be unique among the entries
 * (the engine's keys end with a sequence number or an index) so that the order is total and deterministic.
 * Used for the ready agents of a pool (records.ts), and for the calls and timers that come out of order
 * (pool-calls.ts, timer-queue.ts).
 */
const STRIDE = 4;
/** Children per node. */
const D = 4;

/** Where a heap writes the positions of its ids (the array may be replaced when it grows). */
export interface PositionTable {
  pos: Int32Array;
}

export class KeyHeap {
  size = 0;
  /** Entry i at [4i .. 4i+3]: k0, k1, k2, id. */
  keys = new Float64Array(16 * STRIDE);

  constructor(
    private readonly positions: PositionTable,
    private readonly stride = 1,
    private readonly offset = 0,
  ) {}

  /** Id of the smallest entry (size must be > 0). */
  topId(): number {
    return this.keys[3]!;
  }

  /** Id of entry i in heap layout order (snapshots). */
  idAt(i: number): number {
    return this.keys[i * STRIDE + 3]!;
  }

  /** Key k (0, 1 or 2) of entry i in heap layout order (entry 0 is the smallest). */
  keyAt(i: number, k: number): number {
    return this.keys[i * STRIDE + k]!;
  }

  push(k0: number, k1: number, k2: number, id: number): void {
    const i = this.size++;
    if (i * STRIDE === this.keys.length) this.grow();
    this.up(i, k0, k1, k2, id);
  }

  /** Removes the entry at index i (the caller read it from its position table). */
  removeAt(i: number): void {
    const k = this.keys;
    this.positions.pos[k[i * STRIDE + 3]! * this.stride + this.offset] = -1;
    const last = --this.size;
    if (i === last) return;
    const b = last * STRIDE;
    const k0 = k[b]!;
    const k1 = k[b + 1]!;
    const k2 = k[b + 2]!;
    const id = k[b + 3]!;
    if (i > 0 && this.before(k0, k1, k2, (i - 1) >> 2)) this.up(i, k0, k1, k2, id);
    else this.down(i, k0, k1, k2, id);
  }

  /** True if index i holds id (a position read from a shared table may belong to another heap). */
  holds(i: number, id: number): boolean {
    return i >= 0 && i < this.size && this.keys[i * STRIDE + 3] === id;
  }

  /** True if key (k0, k1, k2) comes before the entry at j. */
  private before(k0: number, k1: number, k2: number, j: number): boolean {
    const k = this.keys;
    const b = j * STRIDE;
    const x = k[b]!;
    if (k0 !== x) return k0 < x;
    const y = k[b + 1]!;
    if (k1 !== y) return k1 < y;
    return k2 < k[b + 2]!;
  }

  private place(i: number, k0: number, k1: number, k2: number, id: number): void {
    const b = i * STRIDE;
    const k = this.keys;
    k[b] = k0;
    k[b + 1] = k1;
    k[b + 2] = k2;
    k[b + 3] = id;
    this.positions.pos[id * this.stride + this.offset] = i;
  }

  /** Copies entry `from` to index `to` (a sift step). */
  private move(from: number, to: number): void {
    const k = this.keys;
    const f = from * STRIDE;
    const t = to * STRIDE;
    k[t] = k[f]!;
    k[t + 1] = k[f + 1]!;
    k[t + 2] = k[f + 2]!;
    const id = k[f + 3]!;
    k[t + 3] = id;
    this.positions.pos[id * this.stride + this.offset] = to;
  }

  private up(i: number, k0: number, k1: number, k2: number, id: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 2;
      if (!this.before(k0, k1, k2, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.place(i, k0, k1, k2, id);
  }

  private down(i: number, k0: number, k1: number, k2: number, id: number): void {
    const k = this.keys;
    const n = this.size;
    for (;;) {
      const first = D * i + 1;
      if (first >= n) break;
      const last = Math.min(first + D, n);
      let child = first;
      for (let c = first + 1; c < last; c++) {
        const cb = c * STRIDE;
        if (this.before(k[cb]!, k[cb + 1]!, k[cb + 2]!, child)) child = c;
      }
      // Keys are unique: the child goes up unless (k0, k1, k2) comes before it.
      if (this.before(k0, k1, k2, child)) break;
      this.move(child, i);
      i = child;
    }
    this.place(i, k0, k1, k2, id);
  }

  private grow(): void {
    const next = new Float64Array(this.keys.length * 2);
    next.set(this.keys);
    this.keys = next;
  }
}
