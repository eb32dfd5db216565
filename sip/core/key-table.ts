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
 * Here: open addressing with linear probing over one array of [key, value] pairs kept at most half full; a deleted
 * cell becomes a tombstone (key null, value cleared) and the array is rebuilt, in a new array, when tombstones and
 * entries fill half of it. Keys are strings or numbers (one kind per table). acd/id-table.ts is the same structure
 * for the routing engine, kept apart because acd/ imports nothing of ours and sip/ nothing of acd/.
 */
export class KeyTable<K extends string | number, V> {
  /** cells[2i] = key (undefined: never used, null: deleted), cells[2i + 1] = value */
  private cells: Array<K | V | null | undefined>;
  private mask: number;
  /** live entries */
  size = 0;
  /** live entries + tombstones */
  private used = 0;

  constructor(capacity = 16) {
    let c = 16;
    while (c < capacity) c *= 2;
    this.mask = c - 1;
    this.cells = new Array<K | V | null | undefined>(c * 2).fill(undefined);
  }

  get(key: K): V | undefined {
    const cells = this.cells;
    const mask = this.mask;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const k = cells[2 * i];
      if (k === undefined) return undefined;
      if (k === key) return cells[2 * i + 1] as V;
    }
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Adds or replaces (a value must not be undefined). */
  set(key: K, value: V): this {
    const cells = this.cells;
    const mask = this.mask;
    let free = -1;
    let i = hash(key) & mask;
    for (; ; i = (i + 1) & mask) {
      const k = cells[2 * i];
      if (k === undefined) break;
      if (k === key) {
        cells[2 * i + 1] = value;
        return this;
      }
      if (k === null && free < 0) free = i;
    }
    if (free >= 0) i = free;
    else this.used++;
    cells[2 * i] = key;
    cells[2 * i + 1] = value;
    this.size++;
    if (this.used * 2 > mask + 1) this.rebuild();
    return this;
  }

  delete(key: K): boolean {
    const cells = this.cells;
    const mask = this.mask;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const k = cells[2 * i];
      if (k === undefined) return false;
      if (k === key) {
        cells[2 * i] = null;
        cells[2 * i + 1] = undefined;
        this.size--;
        return true;
      }
    }
  }

  /** The live values, in table order, as a new array (safe to change the table while going through it). */
  values(): V[] {
    const out: V[] = [];
    const cells = this.cells;
    for (let i = 0; i < cells.length; i += 2) {
      const k = cells[i];
      if (k !== undefined && k !== null) out.push(cells[i + 1] as V);
    }
    return out;
  }

  /** Re-inserts the live entries into a new array sized for them (doubling while they fill a quarter), without tombstones. */
  private rebuild(): void {
    const old = this.cells;
    let capacity = 16;
    while (this.size * 4 > capacity) capacity *= 2;
    this.mask = capacity - 1;
    this.cells = new Array<K | V | null | undefined>(capacity * 2).fill(undefined);
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i];
      if (k !== undefined && k !== null) this.set(k as K, old[i + 1] as V);
    }
    // (the old array may be in the old generation: emptied, it keeps nothing young alive until it is collected)
    old.fill(undefined);
  }
}

function hash(key: string | number): number {
  if (typeof key === 'number') {
    const h = Math.imul(key | 0, 0x9e3779b1);
    return (h ^ (h >>> 16)) >>> 0;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}
