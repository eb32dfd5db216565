import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyTable } from '../../sip/core/key-table.ts';

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string } | { kind: 'get'; key: string };

describe('KeyTable', () => {
  it('behaves like a Map over random sets, deletes and gets (string keys)', () => {
    const key = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `k${i}`));
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('get' as const), key }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 600, size: 'max' }), (ops) => {
        const table = new KeyTable<string, { v: number }>();
        const model = new Map<string, { v: number }>();
        for (const o of ops) {
          if (o.kind === 'set') {
            const v = { v: o.value };
            table.set(o.key, v);
            model.set(o.key, v);
          } else if (o.kind === 'delete') {
            expect(table.delete(o.key)).toBe(model.delete(o.key));
          } else {
            expect(table.get(o.key)).toBe(model.get(o.key));
            expect(table.has(o.key)).toBe(model.has(o.key));
          }
          expect(table.size).toBe(model.size);
        }
        expect(new Set(table.values())).toEqual(new Set(model.values()));
      }),
      { numRuns: 200 },
    );
  });

  it('takes number keys, grows past its first size and lets values() be changed while going through them', () => {
    const table = new KeyTable<number, string>();
    for (let i = 0; i < 1000; i++) table.set(i, `v${i}`);
    for (let i = 0; i < 1000; i += 2) table.delete(i);
    expect(table.size).toBe(500);
    expect(table.get(501)).toBe('v501');
    expect(table.get(500)).toBeUndefined();
    for (const v of table.values()) table.delete(Number(v.slice(1)));
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
  });

  it('does not keep what passed through it alive across young-generation collections (a Map does)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (o?: { type: 'minor' | 'major' }) => void;
    const oldSpace = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;
    // A long-lived table (in the old generation) through which entries pass, eight at a time, as calls do.
    const promotedThrough = (table: { set(k: string, v: object): unknown; delete(k: string): unknown }): number => {
      gc();
      gc();
      const before = oldSpace();
      let id = 0;
      for (let round = 0; round < 400; round++) {
        const keys: string[] = [];
        for (let k = 0; k < 8; k++) {
          const key = `call-${id++}`;
          keys.push(key);
          table.set(key, { payload: Array.from({ length: 64 }, (_, i) => ({ i })) });
        }
        for (const key of keys) table.delete(key);
        if (round % 20 === 19) gc({ type: 'minor' });
      }
      gc({ type: 'minor' });
      gc({ type: 'minor' });
      return oldSpace() - before;
    };
    // some 5 MB pass through each; the Map is the control that the setup shows the effect
    const viaMap = promotedThrough(new Map());
    const viaTable = promotedThrough(new KeyTable<string, object>());
    expect(viaMap).toBeGreaterThan(3_000_000);
    expect(viaTable).toBeLessThan(viaMap / 10);
  });
});
