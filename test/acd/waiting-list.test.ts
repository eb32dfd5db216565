import { describe, expect, it } from 'vitest';
import { IndexRows, LIST_CELL, ROW } from '../../acd/index-rows.ts';
import { Rng } from '../../acd/sim/prng.ts';
import { WaitingList } from '../../acd/waiting-list.ts';

describe('waiting list', () => {
  it('keeps the waiting calls in claim order through appends, early returns, removals, packs and growth', () => {
    const rng = new Rng(9, 1);
    const n = 600;
    const rows = new IndexRows();
    rows.ensure(n);
    const index = (slot: number) => rows.pos[slot * ROW + LIST_CELL]!;
    const key = new Float64Array(n);
    const less = (a: number, b: number) => key[a]! < key[b]! || (key[a] === key[b] && a < b);
    const list = new WaitingList(rows);
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
        list.add({ slot, priority: 0, claim: key[slot]!, seq: slot });
        model.add(slot);
      } else if (r < 0.95) {
        list.remove(slot);
        model.delete(slot);
      } else {
        list.pack([]);
        packs++;
        const want = [...model].sort((a, b) => (less(a, b) ? -1 : 1));
        expect(list.live()).toEqual(want);
        expect(list.sorted).toBe(true);
        // Holes stay until they outnumber the live entries (so a sweep reads O(live) entries).
        expect(list.end - list.start).toBeLessThanOrEqual(2 * model.size + 16);
      }
      expect(list.size).toBe(model.size);
      expect(index(slot) >= 0).toBe(model.has(slot));
      if (model.has(slot)) expect(list.slotAt(index(slot))).toBe(slot);
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
