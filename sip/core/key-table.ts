/**
 * A table for entries that come and go with every call (dialogs, pending INVITEs, legs), in place of a Map or Set.
 *
 * Why not a Map: V8's Map and Set rehash into a new table whenever a small one grows past or shrinks below a
 * power of two (here: whenever more than four calls are in progress and then fewer), and the old table keeps its
 * entries and a link to the new one. Once one of these tables has lived long enough to be in the old generation, the
 * young-generation collector treats its slots as live, whether or not the table is still in use, and reaches every
 * later table through the links: every value such a Map held since the last full collection survives each
 * scavenge and is copied and promoted. Measured with bench/sip-inproc.ts at five calls at once: 4.7 kB per call
 * survived each scavenge with the stack's three per-call Maps, 1.0 kB (what a finished call really keeps) without.
 *
 * Here: open addressing with linear probing over one array of [key, value, hash] triples kept at most half full.
 * A delete shifts the following cells of its run back (Knuth's algorithm R), so there are no tombstones and the array
 * is only replaced to grow; the replaced array is emptied, so an old one keeps nothing young alive. Keeping each key's
 * hash in its cell lets a probe pass another key's cell without comparing the strings and lets the shift and the
 * growth place cells without rehashing. Keys are strings or numbers (one kind per table). acd/id-table.ts is the same
 * structure for the routing engine, kept apart because acd/ imports nothing of ours and sip/ nothing of acd/.
 */
export class KeyTable<K extends string | number, V> {
  /** cells[3i] = key (undefined: empty), cells[3i + 1] = value, cells[3i + 2] = the key's hash (a small integer) */
  private cells: Array<K | V | number | undefined>;
  private mask: number;
  /** live entries */
  size = 0;

  constructor(capacity = 16) {
    let c = 16;
    while (c < capacity) c *= 2;
    this.mask = c - 1;
    this.cells = new Array<K | V | number | undefined>(c * 3).fill(undefined);
  }

  get(key: K): V | undefined {
    const i = this.probe(key, hash(key));
    return i < 0 ? undefined : (this.cells[3 * i + 1] as V);
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Adds or replaces (a value must not be undefined). */
  set(key: K, value: V): this {
    const h = hash(key);
    const i = this.probe(key, h);
    if (i >= 0) {
      this.cells[3 * i + 1] = value;
      return this;
    }
    const cells = this.cells;
    const e = ~i;
    cells[3 * e] = key;
    cells[3 * e + 1] = value;
    cells[3 * e + 2] = h;
    if (++this.size * 2 > this.mask + 1) this.grow();
    return this;
  }

  delete(key: K): boolean {
    let i = this.probe(key, hash(key));
    if (i < 0) return false;
    const cells = this.cells;
    const mask = this.mask;
    // move back each later cell of the run whose home slot is not between the hole and itself; empty the last hole
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

  /** The cell of `key` (>= 0), or ~c (< 0) where c is the empty cell that ends the run it would be in. */
  private probe(key: K, h: number): number {
    const cells = this.cells;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = cells[3 * i];
      if (k === undefined) return ~i;
      if (cells[3 * i + 2] === h && k === key) return i;
    }
  }

  /** The live values, in table order, as a new array (safe to change the table while going through it). */
  values(): V[] {
    const out: V[] = [];
    const cells = this.cells;
    for (let i = 0; i < cells.length; i += 3) {
      if (cells[i] !== undefined) out.push(cells[i + 1] as V);
    }
    return out;
  }

  /** Moves the entries into an array twice the size (by their kept hash) and empties the old one. */
  private grow(): void {
    const old = this.cells;
    const capacity = (this.mask + 1) * 2;
    const cells = new Array<K | V | number | undefined>(capacity * 3).fill(undefined);
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
    // (the old array may be in the old generation: emptied, it keeps nothing young alive until it is collected)
    old.fill(undefined);
  }
}

/** 30 bits, so that the hash stays a small integer in its cell */
function hash(key: string | number): number {
  if (typeof key === 'number') {
    const h = Math.imul(key | 0, 0x9e3779b1);
    return (h ^ (h >>> 16)) & 0x3fffffff;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}
