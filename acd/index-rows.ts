/**
 * Index rows: eight int32s (32 bytes) per row number, where the structures that keep an index per call keep
 * it, so that the indexes of one call share one cache line (a call that starts or stops waiting updates
 * its pool index, its list index and two or three timers: one line instead of four arrays' lines).
 *
 * Row r, cell k (-1: none):
 * - 0: the wrap-up timer of agent r; 1..4: the Ring, MaxWait, Step and Scheduled timers of call slot r;
 *   5: the position batch timer of queue r (cell = TimerKind, see timer-queue.ts);
 * - 6: where call slot r is in its pool's waiting calls: ring index, or in the pool's heap (pool-calls.ts);
 * - 7: the index of call slot r in its queue's waiting list (waiting-list.ts).
 * Rows of agents and queues are shared with the call slots of the same number; they use other cells.
 */
import type { PositionTable } from './key-heap.ts';

export const ROW = 8;
export const HEAP_CELL = 6;
export const LIST_CELL = 7;

export class IndexRows implements PositionTable {
  pos = new Int32Array(1024 * ROW).fill(-1);

  /** Makes rows [0, rows) exist. */
  ensure(rows: number): void {
    if (rows * ROW <= this.pos.length) return;
    let n = this.pos.length;
    while (n < rows * ROW) n *= 2;
    const next = new Int32Array(n).fill(-1);
    next.set(this.pos);
    this.pos = next;
  }
}
