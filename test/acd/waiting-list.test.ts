import { describe, expect, it } from 'vitest';
import { IndexRows, LIST_CELL, ROW } from '../../acd/index-rows.ts';
import { Rng } from '../../acd/sim/prng.ts';
import { SEEN_EWT, SEEN_POSITION, WAITING_STRIDE, WaitingList } from '../../acd/waiting-list.ts';

describe('waiting list', () => {
  it('keeps the waiting calls in claim order, with their ids and last notified values, through appends, early returns, removals, packs and growth', () => {
    const rng = new Rng(9, 1);
    const n = 600;
    const rows = new IndexRows();
    rows.ensure(n);
    const index = (slot: number) => rows.pos[slot * ROW + LIST_CELL]!;
    const key = new Float64Array(n);
    const less = (a: number, b: number) => key[a]! < key[b]! || (key[a] === key[b] && a < b);
    // The last notified position of each call, kept by the list while listed and in the store otherwise.
    const store = { seen: new Float64Array(2 * n) };
    const notified = new Float64Array(n);
    const id = (slot: number) => `call-${slot}`;
    const list = new WaitingList(rows, store);
    const model = new Set<number>();
    let clock = 0;
    let packs = 0;
    let outOfOrder = 0;
    for (let step = 0; step < 40_000; step++) {
      const r = rng.uniform();
      const slot = Math.floor(rng.uniform() * n);
      if (r < 0.5 && !model.has(slot)) {
        clock++;
        // Mostly the weakest claim so far; now and then an early one (a call back after a miss: near the
        // head, where it can be put at its place, or further back, which leaves the list unsorted).
        const early = rng.uniform();
        key[slot] = early < 0.05 ? -clock : early < 0.1 ? clock - 50 - Math.floor(rng.uniform() * 200) : clock;
        if (key[slot]! < clock) outOfOrder++;
        list.add({ slot, id: id(slot), priority: 0, claim: key[slot]!, seq: slot });
        model.add(slot);
      } else if (r < 0.95) {
        list.remove(slot);
        model.delete(slot);
        expect(store.seen[2 * slot]).toBe(notified[slot]);
      } else {
        list.pack([]);
        packs++;
        const want = [...model].sort((a, b) => (less(a, b) ? -1 : 1));
        expect(list.live()).toEqual(want);
        // A sweep: each live entry is notified of its position (and an EWT), its id read beside it.
        let position = 0;
        for (let i = list.start; i < list.end; i++) {
          const s = list.slotAt(i);
          if (s < 0) continue;
          expect(list.ids[i]).toBe(id(s));
          position++;
          list.entries[i * WAITING_STRIDE + SEEN_POSITION] = position;
          list.entries[i * WAITING_STRIDE + SEEN_EWT] = 2 * position;
          notified[s] = position;
        }
        expect(list.sorted).toBe(true);
        // Holes stay until they outnumber the live entries (so a sweep reads O(live) entries).
        expect(list.end - list.start).toBeLessThanOrEqual(2 * model.size + 16);
      }
      expect(list.size).toBe(model.size);
      expect(index(slot) >= 0).toBe(model.has(slot));
      if (model.has(slot)) {
        expect(list.slotAt(index(slot))).toBe(slot);
        expect(list.ids[index(slot)]).toBe(id(slot));
        expect(list.notified(slot, SEEN_POSITION)).toBe(notified[slot]);
        expect(list.notified(slot, SEEN_EWT)).toBe(2 * notified[slot]!);
      }
      if (list.sorted && step % 10 === 0) {
        const live = list.live();
        let inOrder = true;
        for (let i = 1; i < live.length; i++) inOrder &&= less(live[i - 1]!, live[i]!);
        expect(inOrder).toBe(true);
      }
    }
    expect(packs).toBeGreaterThan(500);
    expect(outOfOrder).toBeGreaterThan(1000);
  });
});
