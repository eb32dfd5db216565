/**
 * String id -> record, for the ids that come and go with every call (100 000+ live, one insert and one
 * delete per call). A Map of that size with that churn walks bucket chains spread over a large table, and
 * an absent key (every new call's duplicate check) walks a whole chain: several cache misses per lookup.
 * Here: open addressing with linear probing over one array of [key, value] pairs kept at most half full,
 * so a lookup usually reads one cache line of the table. Deleted cells become tombstones (null), cleared
 * when the table is rebuilt. The hash is FNV-1a over the id's UTF-16 code units.
 */
export class IdTable<T> {
  /** cells[2i] = key (undefined: never used, null: deleted), cells[2i + 1] = value. */
  private cells: Array<string | T | null | undefined>;
  private mask: number;
  /** Live entries. */
  size = 0;
  /** Live entries + tombstones. */
  private used = 0;
  /** The previous cell array of the same size, reused by the next rebuild. */
  private spare: Array<string | T | null | undefined> | null = null;

  constructor(capacity = 1024) {
    this.mask = capacity - 1;
    this.cells = new Array<string | T | null | undefined>(capacity * 2).fill(undefined);
  }

  get(id: string): T | undefined {
    const cells = this.cells;
    const mask = this.mask;
    for (let i = hash(id) & mask; ; i = (i + 1) & mask) {
      const k = cells[2 * i];
      if (k === undefined) return undefined;
      if (k === id) return cells[2 * i + 1] as T;
    }
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Adds or replaces. */
  set(id: string, value: T): void {
    const cells = this.cells;
    const mask = this.mask;
    let free = -1;
    let i = hash(id) & mask;
    for (; ; i = (i + 1) & mask) {
      const k = cells[2 * i];
      if (k === undefined) break;
      if (k === id) {
        cells[2 * i + 1] = value;
        return;
      }
      if (k === null && free < 0) free = i;
    }
    if (free >= 0) i = free;
    else this.used++;
    cells[2 * i] = id;
    cells[2 * i + 1] = value;
    this.size++;
    if (this.used * 2 > mask + 1) this.rebuild();
  }

  delete(id: string): boolean {
    const cells = this.cells;
    const mask = this.mask;
    for (let i = hash(id) & mask; ; i = (i + 1) & mask) {
      const k = cells[2 * i];
      if (k === undefined) return false;
      if (k === id) {
        cells[2 * i] = null;
        cells[2 * i + 1] = undefined;
        this.size--;
        return true;
      }
    }
  }

  /** The live values, in table order. */
  values(): T[] {
    const out: T[] = [];
    for (let i = 0; i <= this.mask; i++) {
      const k = this.cells[2 * i];
      if (k !== undefined && k !== null) out.push(this.cells[2 * i + 1] as T);
    }
    return out;
  }

  /**
   * Rehashes into a table sized for the live entries (doubling when they fill a quarter), dropping
   * tombstones. At a steady size the previous array is kept and reused, so churn allocates nothing.
   */
  private rebuild(): void {
    const old = this.cells;
    let capacity = this.mask + 1;
    while (this.size * 4 > capacity) capacity *= 2;
    let next = this.spare;
    if (next === null || next.length !== capacity * 2) next = new Array<string | T | null | undefined>(capacity * 2);
    next.fill(undefined);
    this.mask = capacity - 1;
    this.cells = next;
    this.spare = old.length === capacity * 2 ? old : null;
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i];
      if (k !== undefined && k !== null) this.set(k as string, old[i + 1] as T);
    }
    if (this.spare !== null) this.spare.fill(undefined);
  }
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}
