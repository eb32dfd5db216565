import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcdEngine } from '../../acd/engine.ts';
import { AgentState } from '../../acd/agent-state.ts';
import type { AcdInput } from '../../acd/types.ts';
import { randomStream } from './helpers/random-stream.ts';

const RING_MS = 8000;

/**
 * Runs a stream with invariant checks after every input and on every decision.
 * Eligibility is recomputed here from the agents' profiles and the call's current requirements.
 */
function checkStream(inputs: readonly AcdInput[]): void {
  const engine = new AcdEngine({ ringTimeoutSeconds: RING_MS / 1000, maxMissedOffers: 2, knownAgentSeconds: 6 });
  const known = new Map<string, string | null>();
  const agentCall = new Map<string, string>();
  const offeredAt = new Map<string, number>();
  const stateBefore = new Map<string, AgentState>();
  const stateNow = new Map<string, AgentState>();
  const eligible = (agentId: string, callId: string): boolean => {
    const info = engine.callInfo(callId)!;
    if (info.level < 0) return known.get(callId) === agentId;
    const a = engine.agentInfo(agentId);
    const req = info.requirements!;
    for (const [s, l] of req.skills) if ((a.skills[s] ?? 0) < l) return false;
    return req.language === null || (a.languages[req.language] ?? 0) >= 1;
  };
  engine.on('agentStateChanged', (a, s) => {
    stateBefore.set(a, stateNow.get(a) ?? AgentState.LoggedOut);
    stateNow.set(a, s);
  });
  engine.on('offer', (callId, agentIds) => {
    offeredAt.set(callId, engine.time());
    for (const a of agentIds) {
      // never an offer to a not-ready agent, nor a second call to a single-capacity agent
      expect(stateBefore.get(a)).toBe(AgentState.Ready);
      expect(agentCall.has(a)).toBe(false);
      expect(engine.agentInfo(a).deviceUp).toBe(true);
      // never an offer to an agent that does not meet the call's current requirements
      expect(eligible(a, callId), `${a} ineligible for ${callId}`).toBe(true);
      agentCall.set(a, callId);
    }
  });
  const release = (callId: string, agentId?: string) => {
    for (const [a, c] of [...agentCall]) if (c === callId && (agentId === undefined || a === agentId)) agentCall.delete(a);
  };
  engine.on('cancelOffer', (callId, agentId) => release(callId, agentId));
  for (const input of inputs) {
    if (input.type === 'callArrived' || input.type === 'callbackScheduled') known.set(input.callId, input.options?.knownAgentId ?? null);
    if (input.type === 'transferToQueue' && input.options !== undefined) known.set(input.callId, input.options.knownAgentId ?? null);
    try {
      engine.apply(input);
    } catch (e) {
      if (!(e instanceof Error && 'code' in e)) throw e;
    }
    // agents whose call is over, or whose offer the caller side ended, are free again
    for (const [a, c] of [...agentCall]) {
      const info = engine.callInfo(c);
      const mine = info !== null && (info.agentId === a || info.ringingAgentIds.includes(a));
      if (!mine) agentCall.delete(a);
    }
    const now = engine.time();
    const available = engine.agentIds().filter((a) => engine.agentInfo(a).available);
    for (const callId of engine.callIds()) {
      const info = engine.callInfo(callId)!;
      if (info.state === 'waiting') {
        // no call waits while an eligible agent is ready
        for (const a of available) expect(eligible(a, callId), `${callId} waits while ${a} is ready`).toBe(false);
      }
      if (info.state === 'offered') {
        // no reservation outlives its timeout
        expect(now - offeredAt.get(callId)!).toBeLessThan(RING_MS);
      }
    }
  }
}

describe('routing invariants on random streams (fast-check)', () => {
  it('never offers to an ineligible, not-ready or busy agent, never lets a call wait beside a ready eligible agent, and no reservation outlives its timeout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 9 }), (seed, agents) => {
        checkStream(randomStream({ seed, steps: 250, agents }));
      }),
      { numRuns: 120 },
    );
  });

  it('calls of equal priority and eligibility connect in arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 4000 }), kind: fc.constantFrom('arrive', 'arrive', 'end', 'abandon', 'ready', 'notready') }), { minLength: 20, maxLength: 200, size: 'max' }),
        fc.constantFrom('longest-idle', 'most-skilled', 'fewest-calls', 'round-robin', 'ring-all' as const),
        (actions, strategy) => {
          const engine = new AcdEngine();
          const connected: number[] = [];
          const pending: Array<[string, string]> = [];
          engine.on('offer', (c, agents) => pending.push([c, agents[0]!]));
          engine.on('assigned', (c) => connected.push(Number(c.slice(1))));
          engine.configureQueue(0, 'q', { skills: { s: 1 }, strategy });
          for (let i = 0; i < 4; i++) {
            engine.defineAgent(0, `a${i}`, { skills: { s: 1 + i } });
            engine.agentLogin(0, `a${i}`);
          }
          let t = 0;
          let n = 0;
          for (const act of actions) {
            t += act.gap;
            const calls = engine.callIds();
            const talking = calls.filter((c) => engine.callInfo(c)!.state === 'assigned');
            const waiting = calls.filter((c) => engine.callInfo(c)!.state === 'waiting');
            const agent = `a${t % 4}`;
            if (act.kind === 'arrive') engine.callArrived(t, `c${++n}`, 'q');
            else if (act.kind === 'end' && talking.length > 0) engine.callEnded(t, talking[t % talking.length]!);
            else if (act.kind === 'abandon' && waiting.length > 0) engine.callerAbandoned(t, waiting[t % waiting.length]!);
            else if (act.kind === 'ready') engine.agentReady(t, agent);
            else if (act.kind === 'notready') engine.agentNotReady(t, agent, 'break');
            while (pending.length > 0) {
              const [c, a] = pending.shift()!;
              engine.offerAccepted(t, c, a);
            }
          }
          expect(connected).toEqual([...connected].sort((x, y) => x - y));
        },
      ),
      { numRuns: 200 },
    );
  });
});
