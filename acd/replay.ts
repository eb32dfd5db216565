import { isAcdError } from './errors.ts';
import type { AcdInput, AcdRouter } from './types.ts';

/**
 * Applies a journal of inputs to a fresh engine. Inputs that were refused when first applied (an AcdError)
 * are refused again the same way and skipped, so the rebuilt state is identical. Returns how many were refused.
 */
export function replay(engine: AcdRouter, journal: Iterable<AcdInput>): number {
  let refused = 0;
  for (const input of journal) {
    try {
      engine.apply(input);
    } catch (e) {
      if (!isAcdError(e)) throw e;
      refused++;
    }
  }
  return refused;
}
