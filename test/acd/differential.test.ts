import { describe, expect, it } from 'vitest';
import { AcdEngine } from '../../acd/engine.ts';
import { ReferenceAcd } from '../../acd/reference/reference-engine.ts';
import type { AcdInput, AcdRouter } from '../../acd/types.ts';
import { randomStream } from './helpers/random-stream.ts';

/** Runs a stream through a router; returns its decisions (positions excluded: the reference has none) and refusals. */
export function decisions(router: AcdRouter, inputs: readonly AcdInput[]): string[] {
  const log: string[] = [];
  router.on('offer', (c, agents, kind) => log.push(`offer ${c} [${agents.join(',')}] ${kind}`));
  router.on('cancelOffer', (c, a, r) => log.push(`cancel ${c} ${a} ${r}`));
  router.on('assigned', (c, a) => log.push(`assigned ${c} ${a}`));
  router.on('overflow', (c, t) => log.push(`overflow ${c} ${JSON.stringify(t)}`));
  router.on('agentStateChanged', (a, s, r) => log.push(`agent ${a} ${s} ${r}`));
  inputs.forEach((input, i) => {
    try {
      router.apply(input);
    } catch (e) {
      log.push(`#${i} refused ${(e as { code?: string }).code ?? String(e)}`);
    }
  });
  return log;
}

describe('engine versus the linear-scan reference', () => {
  it('the engine and the reference make the same decisions on 300 small random streams', () => {
    let compared = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const stream = randomStream({ seed, steps: 150 });
      const mine = decisions(new AcdEngine({ ringTimeoutSeconds: 8, maxMissedOffers: 2, knownAgentSeconds: 6 }), stream);
      const ref = decisions(new ReferenceAcd({ ringTimeoutSeconds: 8, maxMissedOffers: 2, knownAgentSeconds: 6 }), stream);
      if (mine.join('\n') !== ref.join('\n')) {
        const at = mine.findIndex((line, i) => line !== ref[i]);
        expect({ seed, at, engine: mine.slice(Math.max(0, at - 3), at + 3) }).toEqual({ seed, at, engine: ref.slice(Math.max(0, at - 3), at + 3) });
      }
      compared += mine.length;
    }
    // The streams do real work: many offers, assignments and state changes were compared.
    expect(compared).toBeGreaterThan(20_000);
  });

  it('the same holds per strategy on larger streams', () => {
    for (const strategy of ['longest-idle', 'most-skilled', 'fewest-calls', 'round-robin', 'ring-all'] as const) {
      for (let seed = 1; seed <= 10; seed++) {
        const stream = randomStream({ seed: seed * 7919, steps: 400, agents: 9, queues: 3, strategy });
        const mine = decisions(new AcdEngine({ ringTimeoutSeconds: 8, maxMissedOffers: 2, knownAgentSeconds: 6 }), stream);
        const ref = decisions(new ReferenceAcd({ ringTimeoutSeconds: 8, maxMissedOffers: 2, knownAgentSeconds: 6 }), stream);
        expect(mine.filter((l) => l.startsWith('offer')).length).toBeGreaterThan(10);
        expect(mine).toEqual(ref);
      }
    }
  });
});
