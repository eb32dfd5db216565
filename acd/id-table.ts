/**
 * String id -> record, for the ids that come and go with every call (100 000+ live, one insert and one
 * delete per call). A Map of that size with that churn walks bucket chains spread over a large table, and
 * an absent key (every new call's duplicate check) walks a whole chain: several cache misses per lookup.
 * Here: open addressing with linear probing over one array of [key, value, hash] triples kept at most half
 * full, so a lookup usually reads one cache line of the table. The hash is FNV-1a over the id's UTF-16 code
 * units; keeping it in the cell lets a probe pass a cell of another id without reading that id's string (a
 * cold line of its own) and lets a delete move its neighbours without rehashing them. A delete shifts the
 * following cells of its run back (Knuth's algorithm R), so there are no tombstones and the array is only
 * ever rebuilt to grow: churn at a steady size touches one or two cells per operation and allocates nothing.
 * (With tombstones, the whole table was rehashed every ~130 000 calls: 5.5 % of the benchmark's time.)
 */
export class IdTable<T> {
  /** cells[3i] = key (undefined: empty), cells[3i + 1] = value, cells[3i + 2] = the key's hash (a small integer). */
  private cells: Array<string | T | number | undefined>;
  private mask: number;
  /** Live entries. */
  size = 0;

  constructor(capacity = 1024) {
    let c = 16;
    while (c < capacity) c *= 2;
    this.mask = c - 1;
    this.cells = new Array<string | T | number | undefined>(c * 3).fill(undefined);
  }

  get(id: string): T | undefined {
    const i = this.probe(id, hash(id));
    return i < 0 ? undefined : (this.cells[3 * i + 1] as T);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Adds or replaces. */
  set(id: string, value: T): void {
    const h = hash(id);
    const i = this.probe(id, h);
    if (i >= 0) {
      this.cells[3 * i + 1] = value;
      return;
    }
    const cells = this.cells;
    const e = ~i;
    cells[3 * e] = id;
    cells[3 * e + 1] = value;
    cells[3 * e + 2] = h;
    if (++this.size * 2 > this.mask + 1) this.grow();
  }

  delete(id: string): boolean {
    let i = this.probe(id, hash(id));
    if (i < 0) return false;
    const cells = this.cells;
    const mask = this.mask;
    // Knuth 6.4 algorithm R: move back each later cell of the run that may sit at the hole (its home slot is not
    // between the hole and itself), until an empty cell ends the run; the last hole is emptied.
    for (let j = (i + 1) & mask; cells[3 * j] !== undefined; j = (j + 1) & mask) {
      const home = (cells[3 * j + 2] as number) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        cells[3 * i] = cells[3 * j];
        cells[3 * i + 1] = cells[3 * j + 1];
        cells[3 * i + 2] = cells[3 * j + 2];
        i = j;
      }
    }
    cells[3 * i] = undefined;
    cells[3 * i + 1] = undefined;
    cells[3 * i + 2] = undefined;
    this.size--;
    return true;
  }

  /** The cell of `id` (>= 0), or ~c (< 0) where c is the empty cell that ends the run it would be in. */
  private probe(id: string, h: number): number {
    const cells = this.cells;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = cells[3 * i];
      if (k === undefined) return ~i;
      if (cells[3 * i + 2] === h && k === id) return i;
    }
  }

  /** The live values, in table order. */
  values(): T[] {
    const out: T[] = [];
    const cells = this.cells;
    for (let i = 0; i < cells.length; i += 3) {
      if (cells[i] !== undefined) out.push(cells[i + 1] as T);
    }
    return out;
  }

  /** Doubles the array (the entries then fill a quarter of it) and re-inserts the entries by their kept hash. */
  private grow(): void {
    const old = this.cells;
    const capacity = (this.mask + 1) * 2;
    const cells = new Array<string | T | number | undefined>(capacity * 3).fill(undefined);
    const mask = capacity - 1;
    for (let o = 0; o < old.length; o += 3) {
      if (old[o] === undefined) continue;
      let i = (old[o + 2] as number) & mask;
      while (cells[3 * i] !== undefined) i = (i + 1) & mask;
      cells[3 * i] = old[o];
      cells[3 * i + 1] = old[o + 1];
      cells[3 * i + 2] = old[o + 2];
    }
    this.cells = cells;
    this.mask = mask;
  }
}

/** FNV-1a, folded and cut to 30 bits so that it stays a small integer in the cell. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}
