/**
 * Binary min-heap of objects that record their own position (`pos`, -1 when not in a heap), so removing
 * any item is O(log n) without a search. The order is given by `less`, which must be a strict total order
 * (ties broken by a rising sequence number or id) so that the engine stays deterministic.
 * The backing array only grows; nothing is allocated per push/pop once it has grown.
 */
export interface HeapItem {
  pos: number;
}

export class IndexedHeap<T extends HeapItem> {
  items: T[] = [];
  size = 0;
  private readonly less: (a: T, b: T) => boolean;

  constructor(less: (a: T, b: T) => boolean) {
    this.less = less;
  }

  peek(): T | undefined {
    return this.size > 0 ? this.items[0] : undefined;
  }

  push(item: T): void {
    const i = this.size++;
    if (i === this.items.length) this.items.push(item);
    else this.items[i] = item;
    item.pos = i;
    this.up(i);
  }

  pop(): T | undefined {
    if (this.size === 0) return undefined;
    const top = this.items[0]!;
    this.removeAt(0);
    return top;
  }

  remove(item: T): void {
    const i = item.pos;
    if (i < 0 || i >= this.size || this.items[i] !== item) return;
    this.removeAt(i);
  }

  /** Restores the order after item's key changed (item must be in this heap). */
  update(item: T): void {
    const i = item.pos;
    if (i > 0 && this.less(item, this.items[(i - 1) >> 1]!)) this.up(i);
    else this.down(i);
  }

  private removeAt(i: number): void {
    const items = this.items;
    const removed = items[i]!;
    const last = --this.size;
    removed.pos = -1;
    if (i !== last) {
      const moved = items[last]!;
      items[i] = moved;
      moved.pos = i;
      if (i > 0 && this.less(moved, items[(i - 1) >> 1]!)) this.up(i);
      else this.down(i);
    }
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!this.less(item, parent)) break;
      items[i] = parent;
      parent.pos = i;
      i = p;
    }
    items[i] = item;
    item.pos = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = this.size;
    const item = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(items[r]!, items[l]!)) c = r;
      const child = items[c]!;
      if (!this.less(child, item)) break;
      items[i] = child;
      child.pos = i;
      i = c;
    }
    items[i] = item;
    item.pos = i;
  }
}
