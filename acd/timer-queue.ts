/**
 * The engine's timer queue. Most timers are "a start time + a configured duration" (ring timeout, wrap-up,
 * a step threshold or max wait counted from a call's entry, the position interval): like Node's lib/timers,
 * such timers go into one list per duration, where deadlines almost always arrive in rising order, so
 * insertion and removal are O(1); a small heap orders the lists by their first timer. Other timers (and a
 * timer that would land deep inside its list) go into a plain position-tracking heap. The order is exactly
 * timerLess (deadline, kind, order), as with a single heap.
 */
import { IndexedHeap, type HeapItem } from './indexed-heap.ts';
import { Timer, timerLess } from './records.ts';

const MAX_LISTS = 64;
/** How far back from a list's tail a timer may be inserted before it goes to the heap instead. */
const MAX_WALK = 8;
/** Duration key for timers that have no configured duration. */
export const NO_DURATION = -1;

class TimerList implements HeapItem {
  pos = -1;
  head: Timer | null = null;
  tail: Timer | null = null;
  /** The head's key (deadline, kind, order), copied here so ordering the lists never reads cold timers. */
  headDeadline = 0.5;
  headKind = 0;
  headOrder = 0;
  constructor(readonly duration: number) {}
}

function listLess(a: TimerList, b: TimerList): boolean {
  if (a.headDeadline !== b.headDeadline) return a.headDeadline < b.headDeadline;
  if (a.headKind !== b.headKind) return a.headKind < b.headKind;
  return a.headOrder < b.headOrder;
}

export class TimerQueue {
  private readonly lists = new Map<number, TimerList>();
  private readonly listHeap = new IndexedHeap<TimerList>(listLess);
  private readonly other = new IndexedHeap<Timer>(timerLess);
  private count = 0;

  get size(): number {
    return this.count;
  }

  peek(): Timer | undefined {
    const l = this.listHeap.peek();
    const o = this.other.peek();
    if (l === undefined) return o;
    if (o === undefined) return l.head!;
    return timerLess(l.head!, o) ? l.head! : o;
  }

  /** Schedules t at deadline; duration is the configured duration it comes from (or NO_DURATION). */
  schedule(t: Timer, deadline: number, duration: number): void {
    if (t.pos >= 0) this.remove(t);
    t.deadline = deadline;
    this.count++;
    let list: TimerList | undefined;
    if (duration >= 0) {
      list = this.lists.get(duration);
      if (list === undefined && this.lists.size < MAX_LISTS) {
        list = new TimerList(duration);
        this.lists.set(duration, list);
      }
    }
    // Usually the new timer goes last; equal deadlines keep timerLess order.
    let after = list === undefined ? null : list.tail;
    let walked = 0;
    while (after !== null && timerLess(t, after) && walked < MAX_WALK) {
      after = after.prev;
      walked++;
    }
    if (list === undefined || walked === MAX_WALK) {
      t.list = null;
      this.other.push(t);
      return;
    }
    t.list = list;
    t.pos = 0;
    t.prev = after;
    t.next = after === null ? list.head : after.next;
    if (t.next === null) list.tail = t;
    else t.next.prev = t;
    if (after === null) list.head = t;
    else after.next = t;
    if (after === null) this.headChanged(list);
  }

  remove(t: Timer): void {
    if (t.pos < 0) return;
    this.count--;
    const list = t.list as TimerList | null;
    if (list === null) {
      this.other.remove(t);
      return;
    }
    const wasHead = list.head === t;
    if (t.prev === null) list.head = t.next;
    else t.prev.next = t.next;
    if (t.next === null) list.tail = t.prev;
    else t.next.prev = t.prev;
    t.prev = null;
    t.next = null;
    t.list = null;
    t.pos = -1;
    if (wasHead) this.headChanged(list);
  }

  pop(): Timer | undefined {
    const t = this.peek();
    if (t !== undefined) this.remove(t);
    return t;
  }

  /** All pending timers, in no particular order (for snapshots). */
  all(): Timer[] {
    const out: Timer[] = this.other.items.slice(0, this.other.size);
    for (const l of this.lists.values()) for (let t = l.head; t !== null; t = t.next) out.push(t);
    return out;
  }

  private headChanged(list: TimerList): void {
    const h = list.head;
    if (h === null) {
      this.listHeap.remove(list);
      return;
    }
    list.headDeadline = h.deadline;
    list.headKind = h.kind;
    list.headOrder = h.order;
    if (list.pos >= 0) this.listHeap.update(list);
    else this.listHeap.push(list);
  }
}
