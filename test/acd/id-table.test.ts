import { describe, expect, it } from 'vitest';
import { IdTable } from '../../acd/id-table.ts';
import { Rng } from '../../acd/sim/prng.ts';

describe('IdTable', () => {
  it('agrees with a Map through heavy insert/delete churn, growth and tombstone rebuilds', () => {
    const rng = new Rng(5, 1);
    const table = new IdTable<number>(16);
    const map = new Map<string, number>();
    for (let step = 0; step < 200_000; step++) {
      // Ids are fresh string objects each time, so equality must be by content.
      const id = `call-${Math.floor(rng.uniform() * (step < 100_000 ? 5_000 : 300))}`;
      const r = rng.uniform();
      if (r < 0.45) {
        table.set(id, step);
        map.set(id, step);
      } else if (r < 0.8) {
        expect(table.delete(id)).toBe(map.delete(id));
      } else {
        expect(table.get(id)).toBe(map.get(id));
        expect(table.has(id)).toBe(map.has(id));
      }
      expect(table.size).toBe(map.size);
    }
    expect(table.values().sort((a, b) => a - b)).toEqual([...map.values()].sort((a, b) => a - b));
    expect(table.get('never-seen')).toBeUndefined();
  });
});
