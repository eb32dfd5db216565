import { describe, expect, it } from 'vitest';
import { HEAP_CELL, IndexRows, ROW } from '../../acd/index-rows.ts';
import { CallSlots, PoolCalls } from '../../acd/pool-calls.ts';
import type { CallRec } from '../../acd/records.ts';
import { Rng } from '../../acd/sim/prng.ts';

/** What PoolCalls reads of a call: its slot and its key (priority, claim, seq). */
type KeyedCall = Pick<CallRec, 'slot' | 'priority' | 'claim' | 'seq'>;

describe('pool calls (FIFO ring + out-of-order heap)', () => {
  it('gives the strongest claim first through in-order joins, early returns, higher priorities, abandons and growth', () => {
    const rng = new Rng(11, 1);
    const n = 700;
    const slots = new CallSlots(new IndexRows());
    const calls: KeyedCall[] = [];
    for (let slot = 0; slot < n; slot++) {
      const c = { slot, priority: 0, claim: 0, seq: 0 };
      calls.push(c);
      slots.add(c as unknown as CallRec);
    }
    // Two pools share the slots' index rows, as the pools of an engine do.
    const pools = [new PoolCalls(slots), new PoolCalls(slots)];
    const models = [new Set<number>(), new Set<number>()];
    const where = new Int32Array(n).fill(-1);
    const less = (a: KeyedCall, b: KeyedCall) =>
      a.priority !== b.priority ? a.priority > b.priority : a.claim !== b.claim ? a.claim < b.claim : a.seq < b.seq;
    const strongest = (model: Set<number>) => {
      let best: KeyedCall | null = null;
      for (const s of model) if (best === null || less(calls[s]!, best)) best = calls[s]!;
      return best;
    };
    let clock = 0;
    let seq = 0;
    let early = 0;
    let maxRing = 0;
    for (let step = 0; step < 60_000; step++) {
      const p = rng.uniform() < 0.7 ? 0 : 1;
      const pool = pools[p]!;
      const model = models[p]!;
      const slot = Math.floor(rng.uniform() * n);
      // Filling phases (joins and abandons: dead entries pile up behind a live head) and draining phases.
      const filling = step % 8000 < 5000;
      const r = rng.uniform();
      if (r < (filling ? 0.6 : 0.3) && where[slot] === -1) {
        const c = calls[slot]!;
        clock++;
        const kind = rng.uniform();
        // Mostly the weakest claim so far; now and then one back after a miss (old claim) or of a higher priority.
        c.claim = kind < 0.05 ? clock - 1 - Math.floor(rng.uniform() * 300) : clock;
        c.priority = kind > 0.97 ? 1 : 0;
        c.seq = ++seq;
        if (kind < 0.05 || kind > 0.97) early++;
        pool.push(c as CallRec);
        model.add(slot);
        where[slot] = p;
      } else if (r < (filling ? 0.97 : 0.6) && where[slot] === p) {
        pool.remove(calls[slot] as CallRec); // an abandon, a step to another pool
        model.delete(slot);
        where[slot] = -1;
      } else if (pool.size > 0) {
        const want = strongest(model)!;
        expect(pool.popTop()).toBe(want.slot); // an agent takes the strongest claim
        model.delete(want.slot);
        where[want.slot] = -1;
      }
      expect(pool.size).toBe(model.size);
      if (model.size > 0) {
        const want = strongest(model)!;
        expect([...pool.top]).toEqual([-want.priority, want.claim, want.seq, want.slot]);
      }
      expect(slots.rows.pos[slot * ROW + HEAP_CELL] !== -1).toBe(where[slot] !== -1);
      maxRing = Math.max(maxRing, (pool as unknown as { ring: { mask: number } }).ring.mask + 1);
      if (step % 500 === 0) {
        const sorted = [...model].map((s) => calls[s]!).sort((a, b) => (less(a, b) ? -1 : 1));
        expect(pool.toArray()).toEqual(sorted.map((c) => c.slot));
      }
    }
    expect(early).toBeGreaterThan(2_000);
    // Dead entries are dropped or compacted: the ring stays within a small multiple of the live calls (<= 700).
    expect(maxRing).toBeLessThanOrEqual(2048);
  });

  it('compacts a full ring that is half dead in place, keeping the order and every index, and grows one that is not', () => {
    const slots = new CallSlots(new IndexRows());
    const calls: KeyedCall[] = [];
    for (let slot = 0; slot < 200; slot++) {
      const c = { slot, priority: 0, claim: slot, seq: slot };
      calls.push(c);
      slots.add(c as unknown as CallRec);
    }
    const pool = new PoolCalls(slots);
    const ring = (pool as unknown as { ring: { mask: number; head: number; count: number } }).ring;
    const cell = (slot: number) => slots.rows.pos[slot * ROW + HEAP_CELL]!;
    // 9 calls taken from the head, so the ring wraps; then it fills up to its 16 entries.
    for (let s = 0; s < 10; s++) pool.push(calls[s] as CallRec);
    for (let s = 0; s < 9; s++) expect(pool.popTop()).toBe(s);
    for (let s = 10; s < 25; s++) pool.push(calls[s] as CallRec);
    expect([ring.mask, ring.head, ring.count]).toEqual([15, 9, 16]);
    // Abandons behind a live head: 9 of the 16 die, then one more joins: compacted in place, not grown.
    for (let s = 11; s < 20; s++) pool.remove(calls[s] as CallRec);
    pool.push(calls[25] as CallRec);
    expect([ring.mask, ring.head, ring.count]).toEqual([15, 9, 8]);
    const live = [9, 10, 20, 21, 22, 23, 24, 25];
    expect(pool.toArray()).toEqual(live);
    for (const s of live) expect(cell(s)).toBeGreaterThanOrEqual(0);
    for (let s = 11; s < 20; s++) expect(cell(s)).toBe(-1);
    // Full of live calls: it doubles.
    for (let s = 26; s < 34; s++) pool.push(calls[s] as CallRec);
    pool.push(calls[34] as CallRec);
    expect(ring.mask).toBe(31);
    expect(pool.toArray()).toEqual([...live, 26, 27, 28, 29, 30, 31, 32, 33, 34]);
    for (const s of pool.toArray()) expect(pool.popTop()).toBe(s);
    expect(pool.size).toBe(0);
    for (let s = 0; s < 200; s++) expect(cell(s)).toBe(-1);
  });
});
