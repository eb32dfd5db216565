/**
 * A pool's waiting calls, strongest claim first: priority (higher), then place-in-line time, then arrival
 * sequence. Like IndexedHeap, but the keys sit in typed arrays beside the items, so sifting compares
 * contiguous numbers instead of reading scattered call records (the hot path at 100 000 waiting calls).
 * A call's key must not change while it is in a heap; its `pos` is kept up to date.
 */
import type { CallRec } from './records.ts';

export class CallHeap {
  items: CallRec[] = [];
  size = 0;
  priority = new Float64Array(16);
  claim = new Float64Array(16);
  seq = new Float64Array(16);

  push(c: CallRec): void {
    const i = this.size++;
    if (i === this.priority.length) this.grow();
    this.up(i, c, c.priority, c.claim, c.seq);
  }

  remove(c: CallRec): void {
    const i = c.pos;
    if (i < 0 || i >= this.size || this.items[i] !== c) return;
    c.pos = -1;
    const last = --this.size;
    if (i === last) return;
    const moved = this.items[last]!;
    const p = this.priority[last]!;
    const cl = this.claim[last]!;
    const s = this.seq[last]!;
    if (i > 0 && this.before(p, cl, s, (i - 1) >> 1)) this.up(i, moved, p, cl, s);
    else this.down(i, moved, p, cl, s);
  }

  /** True if key (p, cl, s) comes before the entry at j. */
  private before(p: number, cl: number, s: number, j: number): boolean {
    const q = this.priority[j]!;
    if (p !== q) return p > q;
    const c = this.claim[j]!;
    if (cl !== c) return cl < c;
    return s < this.seq[j]!;
  }

  private place(i: number, c: CallRec, p: number, cl: number, s: number): void {
    this.items[i] = c;
    this.priority[i] = p;
    this.claim[i] = cl;
    this.seq[i] = s;
    c.pos = i;
  }

  private moveTo(to: number, from: number): void {
    const c = this.items[from]!;
    this.items[to] = c;
    this.priority[to] = this.priority[from]!;
    this.claim[to] = this.claim[from]!;
    this.seq[to] = this.seq[from]!;
    c.pos = to;
  }

  private up(i: number, c: CallRec, p: number, cl: number, s: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(p, cl, s, parent)) break;
      this.moveTo(i, parent);
      i = parent;
    }
    this.place(i, c, p, cl, s);
  }

  private down(i: number, c: CallRec, p: number, cl: number, s: number): void {
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && this.before(this.priority[r]!, this.claim[r]!, this.seq[r]!, l)) child = r;
      if (!this.childBefore(child, p, cl, s)) break;
      this.moveTo(i, child);
      i = child;
    }
    this.place(i, c, p, cl, s);
  }

  /** True if the entry at j comes before key (p, cl, s). */
  private childBefore(j: number, p: number, cl: number, s: number): boolean {
    const q = this.priority[j]!;
    if (q !== p) return q > p;
    const c = this.claim[j]!;
    if (c !== cl) return c < cl;
    return this.seq[j]! < s;
  }

  private grow(): void {
    const n = this.priority.length * 2;
    const pr = new Float64Array(n);
    pr.set(this.priority);
    const cl = new Float64Array(n);
    cl.set(this.claim);
    const sq = new Float64Array(n);
    sq.set(this.seq);
    this.priority = pr;
    this.claim = cl;
    this.seq = sq;
  }
}
