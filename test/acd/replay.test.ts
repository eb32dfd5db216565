import { describe, expect, it } from 'vitest';
import { AcdEngine } from '../../acd/engine.ts';
import { replay } from '../../acd/replay.ts';
import type { AcdInput } from '../../acd/types.ts';
import { randomStream } from './helpers/random-stream.ts';

const options = { ringTimeoutSeconds: 8, maxMissedOffers: 2, knownAgentSeconds: 6 };

function run(inputs: readonly AcdInput[]): { engine: AcdEngine; journal: AcdInput[] } {
  const journal: AcdInput[] = [];
  const engine = new AcdEngine({ ...options, recorder: (i) => journal.push(i) });
  for (const input of inputs) {
    try {
      engine.apply(input);
    } catch (e) {
      if (!(e instanceof Error && 'code' in e)) throw e;
    }
  }
  return { engine, journal };
}

describe('durable by replay', () => {
  it('replaying the journal of a long random stream rebuilds the identical state', () => {
    for (const seed of [11, 22, 33, 44, 55]) {
      const { engine, journal } = run(randomStream({ seed, steps: 3000, agents: 12, queues: 4 }));
      // (the streams carry calls with skills of their own for a while, and for as long as they wait)
      const withSkills = journal.filter((i) => (i.type === 'callArrived' || i.type === 'transferToQueue') && i.options?.skills !== undefined);
      expect(withSkills.filter((i) => 'options' in i && i.options?.skillsSeconds !== undefined).length).toBeGreaterThan(5);
      expect(withSkills.filter((i) => 'options' in i && i.options?.skillsSeconds === undefined).length).toBeGreaterThan(0);
      // The journal survives serialisation: it is plain JSON.
      const restored = JSON.parse(JSON.stringify(journal)) as AcdInput[];
      const rebuilt = new AcdEngine(options);
      replay(rebuilt, restored);
      expect(rebuilt.snapshot()).toEqual(engine.snapshot());
      expect(rebuilt.nextDeadline()).toBe(engine.nextDeadline());
    }
  });

  it('a journal cut in the middle and replayed continues exactly like the original', () => {
    const inputs = randomStream({ seed: 77, steps: 2000, agents: 10, queues: 3 });
    const { engine: whole } = run(inputs);
    const half = run(inputs.slice(0, 1000));
    const resumed = new AcdEngine(options);
    replay(resumed, half.journal);
    for (const input of inputs.slice(1000)) {
      try {
        resumed.apply(input);
      } catch (e) {
        if (!(e instanceof Error && 'code' in e)) throw e;
      }
    }
    expect(resumed.snapshot()).toEqual(whole.snapshot());
  });

  it("a journal cut while a call's own skills apply rebuilds its window: the rebuilt engine moves the call at the same moment", () => {
    const journal: AcdInput[] = [];
    const engine = new AcdEngine({ ...options, recorder: (i) => journal.push(i) });
    engine.configureQueue(0, 'q', {});
    for (const [id, skills] of [['expert', { laptops: 3 }], ['generalist', {}]] as const) {
      engine.defineAgent(0, id, { skills });
      engine.agentLogin(0, id);
    }
    engine.agentReady(0, 'generalist');
    engine.callArrived(1000, 'c1', 'q', { skills: { laptops: 3 }, skillsSeconds: 30 });
    engine.advance(15_000);
    const rebuilt = new AcdEngine(options);
    replay(rebuilt, JSON.parse(JSON.stringify(journal)) as AcdInput[]);
    expect(rebuilt.snapshot()).toEqual(engine.snapshot());
    expect(rebuilt.nextDeadline()).toBe(31_000);
    const offers: string[] = [];
    rebuilt.on('offer', (c, agents) => offers.push(`${c} ${agents.join(',')}`));
    rebuilt.advance(30_999);
    expect(offers).toEqual([]);
    rebuilt.advance(31_000);
    expect(offers).toEqual(['c1 generalist']);
    // and a journal that lost the window would not have rebuilt the same state
    const lost = new AcdEngine(options);
    replay(lost, journal.map((i) => (i.type === 'callArrived' ? { ...i, options: { skills: { laptops: 3 } } } : i)));
    expect(lost.snapshot()).not.toEqual(engine.snapshot());
  });

  it('the snapshot differs when one input is left out, so the comparison has teeth', () => {
    const inputs = randomStream({ seed: 5, steps: 500, agents: 6, queues: 2 });
    const { engine } = run(inputs);
    const arrival = inputs.findIndex((i) => i.type === 'callArrived');
    const { engine: other } = run(inputs.filter((_, i) => i !== arrival));
    expect(other.snapshot()).not.toEqual(engine.snapshot());
  });
});
