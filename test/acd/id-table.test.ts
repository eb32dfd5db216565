import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from '../../acd/id-table.ts';
import { Rng } from '../../acd/sim/prng.ts';

describe('IdTable', () => {
  it('agrees with a Map through heavy insert/delete churn and growth', () => {
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

  it('behaves like a Map over random sets, deletes and gets, from a small table (runs that wrap around its end)', () => {
    const key = fc.integer({ min: 0, max: 199 });
    const op = fc.tuple(fc.constantFrom('set', 'delete', 'get'), key, fc.integer());
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 1500, size: 'max' }), (ops) => {
        const table = new IdTable<number>(16);
        const model = new Map<string, number>();
        for (const [kind, k, value] of ops) {
          const id = ['q', k].join('-'); // a fresh string each time: equal by content, not by identity
          if (kind === 'set') {
            table.set(id, value);
            model.set(id, value);
          } else if (kind === 'delete') {
            expect(table.delete(id)).toBe(model.delete(id));
          } else {
            expect(table.get(id)).toBe(model.get(id));
          }
          expect(table.size).toBe(model.size);
        }
        for (const [id, v] of model) expect(table.get(id)).toBe(v);
        expect(table.values().sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
      }),
      { numRuns: 100 },
    );
  });
});
