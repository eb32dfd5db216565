/**
 * Random but plausible input streams for the ACD: a small contact centre (queues with skills, languages,
 * steps, overflow, priorities, every strategy) and a sequence of agent and caller actions chosen from what is
 * going on in the engine (accepting offers that ring, ending connected calls, ...). Deterministic per seed.
 */
import { AcdEngine } from '../../../acd/engine.ts';
import { Rng } from '../../../acd/sim/prng.ts';
import type { AcdInput, QueueConfig, Strategy } from '../../../acd/types.ts';

const SKILLS = ['sales', 'billing', 'tech'];
const LANGS = ['en', 'de', 'et'];
const STRATEGIES: Strategy[] = ['longest-idle', 'most-skilled', 'fewest-calls', 'round-robin', 'ring-all'];

export interface StreamOptions {
  readonly seed: number;
  readonly steps: number;
  readonly agents?: number;
  readonly queues?: number;
  /** Restrict to one strategy. */
  readonly strategy?: Strategy;
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.uniform() * items.length)]!;
}

function chance(rng: Rng, p: number): boolean {
  return rng.uniform() < p;
}

/**
 * Skills of a call's own, and sometimes for how long (absent: as long as it waits; 0: never; a few seconds,
 * some equal to the known-agent time or a step threshold, one not whole).
 */
function callSkills(rng: Rng, options: { skills?: Record<string, number>; skillsSeconds?: number }): void {
  options.skills = randomLevels(rng, SKILLS, 0.4);
  const r = rng.uniform();
  if (r < 0.15) options.skillsSeconds = 0;
  else if (r < 0.7) options.skillsSeconds = pick(rng, [2.5, 6, 10, 15]);
}

function randomLevels(rng: Rng, names: readonly string[], p: number, min = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) if (chance(rng, p)) out[n] = min + Math.floor(rng.uniform() * (6 - min));
  return out;
}

export function randomQueueConfig(rng: Rng, queueIds: readonly string[], self: string, strategy?: Strategy): QueueConfig {
  const others = queueIds.filter((q) => q !== self);
  const overflowRoll = rng.uniform();
  return {
    skills: randomLevels(rng, SKILLS, 0.4),
    language: chance(rng, 0.5) ? pick(rng, LANGS) : null,
    strategy: strategy ?? pick(rng, STRATEGIES),
    priority: Math.floor(rng.uniform() * 3),
    wrapUpSeconds: pick(rng, [0, 0, 3, 10]),
    maxWaitSeconds: chance(rng, 0.4) ? pick(rng, [20, 45, 90]) : null,
    maxLength: chance(rng, 0.3) ? pick(rng, [0, 1, 2, 4]) : null,
    overflow:
      overflowRoll < 0.35 && others.length > 0
        ? { queue: pick(rng, others) }
        : overflowRoll < 0.55
          ? { action: 'callback' }
          : overflowRoll < 0.75
            ? { action: 'voicemail' }
            : null,
    steps: chance(rng, 0.5)
      ? [
          { afterSeconds: pick(rng, [5, 15]), skills: randomLevels(rng, SKILLS, 0.2) },
          ...(chance(rng, 0.5) ? [{ afterSeconds: 30, language: chance(rng, 0.5) ? pick(rng, LANGS) : null }] : []),
        ]
      : [],
    ringTimeoutSeconds: pick(rng, [4, 8]),
    knownAgentSeconds: pick(rng, [0, 6]),
    positionUpdateSeconds: pick(rng, [0, 2]),
  };
}

/** Builds the stream by running an engine alongside, so that actions fit the current state. */
export function randomStream(opts: StreamOptions): AcdInput[] {
  const rng = new Rng(opts.seed, 99);
  const inputs: AcdInput[] = [];
  const engine = new AcdEngine({ ringTimeoutSeconds: 8, maxMissedOffers: 2, knownAgentSeconds: 6, recorder: (i) => inputs.push(i) });
  const nq = opts.queues ?? 1 + Math.floor(rng.uniform() * 3);
  const na = opts.agents ?? 2 + Math.floor(rng.uniform() * 6);
  const queueIds = Array.from({ length: nq }, (_, i) => `q${i}`);
  const agentIds = Array.from({ length: na }, (_, i) => `a${i}`);
  let t = 0;
  const safely = (f: () => void) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Error) || !('code' in e)) throw e;
    }
  };
  for (const q of queueIds) engine.configureQueue(t, q, randomQueueConfig(rng, queueIds, q, opts.strategy));
  for (const a of agentIds) {
    engine.defineAgent(t, a, { skills: randomLevels(rng, SKILLS, 0.6), languages: randomLevels(rng, LANGS, 0.6) });
    if (chance(rng, 0.8)) {
      engine.agentLogin(t, a);
      if (chance(rng, 0.8)) engine.agentReady(t, a);
    }
  }
  let callNo = 0;
  for (let step = 0; step < opts.steps; step++) {
    t += pick(rng, [0, 0, 250, 1000, 3000, 7000]);
    const liveCalls = engine.callIds();
    const infos = liveCalls.map((id) => engine.callInfo(id)!);
    const ringing = infos.filter((c) => c.state === 'offered');
    const talking = infos.filter((c) => c.state === 'assigned' || c.state === 'connected');
    const roll = rng.uniform();
    const agent = pick(rng, agentIds);
    safely(() => {
      if (roll < 0.22) {
        const options: { priority?: number; language?: string; knownAgentId?: string; knownAgentSeconds?: number; skills?: Record<string, number>; skillsSeconds?: number; context?: unknown } = {};
        if (chance(rng, 0.3)) options.priority = Math.floor(rng.uniform() * 3);
        if (chance(rng, 0.4)) options.language = pick(rng, LANGS);
        if (chance(rng, 0.15)) options.knownAgentId = pick(rng, agentIds);
        if (options.knownAgentId !== undefined && chance(rng, 0.5)) options.knownAgentSeconds = pick(rng, [0, 3, 20]);
        if (chance(rng, 0.25)) callSkills(rng, options);
        if (chance(rng, 0.2)) options.context = { page: `/p/${callNo}` };
        engine.callArrived(t, `c${++callNo}`, pick(rng, queueIds), Object.keys(options).length > 0 ? options : undefined);
      } else if (roll < 0.42) {
        if (ringing.length === 0) return engine.advance(t);
        const c = pick(rng, ringing);
        const a = pick(rng, c.ringingAgentIds);
        const r = rng.uniform();
        if (r < 0.7) engine.offerAccepted(t, c.callId, a);
        else if (r < 0.85) engine.offerRejected(t, c.callId, a);
        else engine.offerTimedOut(t, c.callId, a);
      } else if (roll < 0.55) {
        if (talking.length === 0) return engine.advance(t);
        const c = pick(rng, talking);
        const r = rng.uniform();
        const other = r >= 0.6 && r < 0.9 ? talking.find((k) => k !== c && k.agentId !== c.agentId) : undefined;
        if (r < 0.25 && c.state === 'assigned') engine.callConnected(t, c.callId);
        else if (other !== undefined) engine.consultCompleted(t, c.callId, other.callId);
        else if (r < 0.9) engine.callEnded(t, c.callId);
        else {
          // (some transfers go to an agent: that agent for a while, then the queue; some ask for skills for a while)
          const r2 = rng.uniform();
          const options: { knownAgentId?: string; knownAgentSeconds?: number; skills?: Record<string, number>; skillsSeconds?: number } | undefined =
            r2 < 0.4 ? { knownAgentId: pick(rng, agentIds), knownAgentSeconds: pick(rng, [0, 4, 15]) } : r2 < 0.7 ? {} : undefined;
          if (options !== undefined && chance(rng, 0.6)) callSkills(rng, options);
          engine.transferToQueue(t, c.callId, pick(rng, queueIds), options);
        }
      } else if (roll < 0.6) {
        if (liveCalls.length === 0) return engine.advance(t);
        engine.callerAbandoned(t, pick(rng, liveCalls));
      } else if (roll < 0.63) {
        if (liveCalls.length === 0) return engine.advance(t);
        engine.callbackRequested(t, pick(rng, liveCalls));
      } else if (roll < 0.65) {
        const options: { language?: string; skills?: Record<string, number>; skillsSeconds?: number } = {};
        if (chance(rng, 0.3)) options.language = pick(rng, LANGS);
        if (chance(rng, 0.3)) callSkills(rng, options);
        engine.callbackScheduled(t, `c${++callNo}`, pick(rng, queueIds), t + pick(rng, [0, 2000, 10000]), Object.keys(options).length > 0 ? options : undefined);
      } else if (roll < 0.73) {
        engine.agentReady(t, agent);
      } else if (roll < 0.77) {
        engine.agentNotReady(t, agent, pick(rng, ['lunch', 'training']));
      } else if (roll < 0.8) {
        engine.agentLogin(t, agent);
      } else if (roll < 0.82) {
        engine.agentLogout(t, agent);
      } else if (roll < 0.84) {
        if (chance(rng, 0.5)) engine.deviceDown(t, agent);
        else engine.deviceUp(t, agent);
      } else if (roll < 0.87) {
        engine.wrapUpEnded(t, agent);
      } else if (roll < 0.88) {
        const q = pick(rng, queueIds);
        engine.configureQueue(t, q, randomQueueConfig(rng, queueIds, q, opts.strategy));
      } else if (roll < 0.89) {
        engine.defineAgent(t, agent, { skills: randomLevels(rng, SKILLS, 0.6), languages: randomLevels(rng, LANGS, 0.6) });
      } else if (roll < 0.9 && liveCalls.length > 0) {
        engine.transferToQueue(t, pick(rng, liveCalls), pick(rng, queueIds));
      } else {
        engine.advance(t);
      }
    });
  }
  engine.advance(t + 120_000);
  return inputs;
}
