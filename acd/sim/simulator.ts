/**
 * Discrete-event simulation of a scenario on the real engine, with a virtual clock.
 *
 * The simulator plays the server and the people: agents log in and go ready at t = 0 and accept every offer
 * at once (an offer to several agents, ring-all, is taken by the first listed); callers arrive as Poisson
 * streams, talk for the drawn handle time, and hang up when their drawn patience runs out while waiting.
 * Arrivals stop at durationSeconds; the run goes on until every call is finished.
 *
 * Counting: a call is counted if it entered the queue at or after warmupSeconds and before durationSeconds;
 * waits count from its entry into that queue. A call that overflows counts as overflowed in the queue it left
 * and, if it goes to another queue, as offered there (with its wait counted from its entry there).
 * Occupancy of a group = (reserved + busy + wrap-up time) / (that + ready idle time) over [warmup, duration].
 */
import { AcdEngine } from '../engine.ts';
import { IndexedHeap, type HeapItem } from '../indexed-heap.ts';
import type { AgentState } from '../agent-state.ts';
import { Rng, sample } from './prng.ts';
import type { Scenario } from './scenario.ts';

export interface QueueReport {
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  serviceLevel: number;
  serviceLevelOffered: number;
  asa: number;
  meanWaitAll: number;
  abandonRate: number;
  probWait: number;
  maxWait: number;
}

export interface SimReport {
  queues: Record<string, QueueReport>;
  agentGroups: Record<string, { occupancy: number }>;
  events: number;
  wallSeconds: number;
}

/** What the report's figures cannot show (the command line prints these on stderr, the report keeps its shape). */
export interface SimWarnings {
  /** Counted calls per queue that were still waiting when nothing more could happen: no agent could ever take them, and their callers never hang up (no patience) nor overflow. Not in any figure of the report. */
  unserved: Record<string, number>;
}

const ARRIVAL = 0;
const END = 1;
const PATIENCE = 2;

class SimEvent implements HeapItem {
  pos = -1;
  constructor(
    readonly time: number,
    readonly seq: number,
    readonly type: number,
    /** ARRIVAL: the arrival stream's index */
    readonly ref: number,
    /** END, PATIENCE: the call (its record goes with the call, so a long run keeps only the calls in progress) */
    readonly call: SimCall | null = null,
  ) {}
}

function eventLess(a: SimEvent, b: SimEvent): boolean {
  return a.time !== b.time ? a.time < b.time : a.seq < b.seq;
}

interface SimCall {
  readonly id: string;
  readonly stream: number;
  queue: number;
  entered: number;
  counted: boolean;
  done: boolean;
  assigned: boolean;
  patience: SimEvent | null;
}

interface QueueStats {
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  withinT: number;
  waitAnswered: number;
  waitAll: number;
  waited: number;
  maxWait: number;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Runs the scenario. `clock` (ms, e.g. performance.now) only measures wallSeconds; without it wallSeconds is 0. */
export function simulate(s: Scenario, clock?: () => number, warnings?: SimWarnings): SimReport {
  const started = clock?.() ?? 0;
  const ms = 1000;
  const engine = new AcdEngine({ maxMissedOffers: 0, ringTimeoutSeconds: 3600 });
  const queueIndex = new Map(s.queues.map((q, i) => [q.id, i]));
  const stats: QueueStats[] = s.queues.map(() => ({ offered: 0, answered: 0, abandoned: 0, overflowed: 0, withinT: 0, waitAnswered: 0, waitAll: 0, waited: 0, maxWait: 0 }));
  const warm = s.warmupSeconds * ms;
  const stop = s.durationSeconds * ms;
  const T = s.serviceLevelSeconds * ms;
  let now = 0;

  for (const q of s.queues) {
    engine.configureQueue(0, q.id, {
      skills: q.skills,
      language: q.language,
      strategy: q.strategy,
      priority: q.priority,
      wrapUpSeconds: q.wrapUpSeconds,
      maxWaitSeconds: q.maxWaitSeconds,
      maxLength: q.maxLength,
      overflow: q.overflow,
      steps: q.steps,
      // Nobody listens to positions here: batch them rarely so they cost next to nothing.
      positionUpdateSeconds: 3600,
    });
  }

  // Agents and occupancy accounting.
  const agentGroup = new Map<string, number>();
  const agentSince = new Map<string, number>();
  const agentBusy = new Map<string, boolean | null>();
  const busyTime = s.agentGroups.map(() => 0);
  const idleTime = s.agentGroups.map(() => 0);
  const accrue = (agentId: string, until: number) => {
    const g = agentGroup.get(agentId)!;
    const from = Math.max(agentSince.get(agentId)!, warm);
    const to = Math.min(until, stop);
    const b = agentBusy.get(agentId);
    if (to > from && b !== null && b !== undefined) {
      if (b) busyTime[g]! += to - from;
      else idleTime[g]! += to - from;
    }
    agentSince.set(agentId, until);
  };
  const category = (state: AgentState): boolean | null =>
    state === 'ready' ? false : state === 'reserved' || state === 'busy' || state === 'wrap-up' ? true : null;

  /** the calls in progress (arrived, not ended, abandoned or gone by overflow) */
  const calls = new Map<string, SimCall>();
  let callsMade = 0;
  const heap = new IndexedHeap<SimEvent>(eventLess);
  let seq = 0;
  const push = (time: number, type: number, ref: number, call: SimCall | null = null) => {
    const e = new SimEvent(time, ++seq, type, ref, call);
    heap.push(e);
    return e;
  };
  const arrivalRng = s.arrivals.map((_, i) => new Rng(s.seed, 3 * i));
  const handleRng = s.arrivals.map((_, i) => new Rng(s.seed, 3 * i + 1));
  const patienceRng = s.arrivals.map((_, i) => new Rng(s.seed, 3 * i + 2));

  const pendingAccepts: Array<[string, string]> = [];
  engine.on('offer', (callId, agentIds) => {
    pendingAccepts.push([callId, agentIds[0]!]);
  });
  engine.on('assigned', (callId) => {
    const c = calls.get(callId)!;
    c.assigned = true;
    if (c.patience !== null) heap.remove(c.patience);
    const wait = now - c.entered;
    if (c.counted) {
      const st = stats[c.queue]!;
      st.answered++;
      st.waitAnswered += wait;
      st.waitAll += wait;
      if (wait <= T) st.withinT++;
      if (wait > 0) st.waited++;
      if (wait > st.maxWait) st.maxWait = wait;
    }
    const handle = sample(handleRng[c.stream]!, s.arrivals[c.stream]!.handleSeconds) * ms;
    push(now + handle, END, 0, c);
  });
  engine.on('overflow', (callId, target) => {
    const c = calls.get(callId)!;
    if (c.counted) stats[c.queue]!.overflowed++;
    if ('queue' in target) {
      c.queue = queueIndex.get(target.queue)!;
      c.entered = now;
      if (c.counted) stats[c.queue]!.offered++;
    } else if (target.action !== 'callback') {
      c.done = true;
      calls.delete(callId);
      if (c.patience !== null) heap.remove(c.patience);
    } else {
      // A callback: the caller hangs up and is called back later; it no longer abandons.
      c.counted = false;
      if (c.patience !== null) heap.remove(c.patience);
    }
  });
  engine.on('agentStateChanged', (agentId, state) => {
    if (!agentGroup.has(agentId)) return;
    accrue(agentId, now);
    agentBusy.set(agentId, category(state));
  });

  const drain = () => {
    while (pendingAccepts.length > 0) {
      const [callId, agentId] = pendingAccepts.shift()!;
      engine.offerAccepted(now, callId, agentId);
    }
  };

  s.agentGroups.forEach((g, gi) => {
    for (let i = 0; i < g.count; i++) {
      const id = `${g.id}#${i + 1}`;
      agentGroup.set(id, gi);
      agentSince.set(id, 0);
      agentBusy.set(id, null);
      engine.defineAgent(0, id, { skills: g.skills, languages: g.languages });
    }
  });
  for (const id of agentGroup.keys()) {
    engine.agentLogin(0, id);
    engine.agentReady(0, id);
  }

  s.arrivals.forEach((a, i) => {
    if (a.ratePerHour > 0) push(arrivalRng[i]!.exponential(3600 / a.ratePerHour) * ms, ARRIVAL, i);
  });

  for (;;) {
    const e = heap.peek();
    const d = engine.nextDeadline();
    if (d !== null && (e === undefined || d <= e.time)) {
      now = d;
      engine.advance(d);
      drain();
      continue;
    }
    if (e === undefined) break;
    heap.pop();
    now = e.time;
    if (e.type === ARRIVAL) {
      const a = s.arrivals[e.ref]!;
      if (now >= stop) continue;
      const id = `c${++callsMade}`;
      const q = queueIndex.get(a.queue)!;
      const c: SimCall = { id, stream: e.ref, queue: q, entered: now, counted: now >= warm, done: false, assigned: false, patience: null };
      calls.set(id, c);
      if (c.counted) stats[q]!.offered++;
      if (a.patienceSeconds !== null) c.patience = push(now + sample(patienceRng[e.ref]!, a.patienceSeconds) * ms, PATIENCE, 0, c);
      push(now + arrivalRng[e.ref]!.exponential(3600 / a.ratePerHour) * ms, ARRIVAL, e.ref);
      engine.callArrived(now, id, a.queue);
      drain();
    } else if (e.type === END) {
      const c = e.call!;
      c.done = true;
      calls.delete(c.id);
      engine.callEnded(now, c.id);
      drain();
    } else {
      const c = e.call!;
      c.patience = null;
      if (c.done || c.assigned) continue;
      c.done = true;
      if (c.counted) {
        const st = stats[c.queue]!;
        const wait = now - c.entered;
        st.abandoned++;
        st.waitAll += wait;
        if (wait > 0) st.waited++;
        if (wait > st.maxWait) st.maxWait = wait;
      }
      calls.delete(c.id);
      engine.callerAbandoned(now, c.id);
      drain();
    }
  }
  for (const id of agentGroup.keys()) accrue(id, Math.max(now, stop));
  if (warnings !== undefined) {
    for (const c of calls.values()) {
      if (c.counted && !c.done && !c.assigned) {
        const id = s.queues[c.queue]!.id;
        warnings.unserved[id] = (warnings.unserved[id] ?? 0) + 1;
      }
    }
  }

  // (no prototype: a queue or group named "__proto__" is reported like any other)
  const queues: Record<string, QueueReport> = Object.create(null) as Record<string, QueueReport>;
  s.queues.forEach((q, i) => {
    const st = stats[i]!;
    const handled = st.answered + st.abandoned;
    queues[q.id] = {
      offered: st.offered,
      answered: st.answered,
      abandoned: st.abandoned,
      overflowed: st.overflowed,
      serviceLevel: round(st.answered > 0 ? st.withinT / st.answered : 0, 4),
      serviceLevelOffered: round(handled > 0 ? st.withinT / handled : 0, 4),
      asa: round(st.answered > 0 ? st.waitAnswered / st.answered / ms : 0, 3),
      meanWaitAll: round(handled > 0 ? st.waitAll / handled / ms : 0, 3),
      abandonRate: round(handled > 0 ? st.abandoned / handled : 0, 4),
      probWait: round(handled > 0 ? st.waited / handled : 0, 4),
      maxWait: round(st.maxWait / ms, 3),
    };
  });
  const agentGroups: Record<string, { occupancy: number }> = Object.create(null) as Record<string, { occupancy: number }>;
  s.agentGroups.forEach((g, i) => {
    const total = busyTime[i]! + idleTime[i]!;
    agentGroups[g.id] = { occupancy: round(total > 0 ? busyTime[i]! / total : 0, 4) };
  });
  return { queues, agentGroups, events: engine.events(), wallSeconds: clock === undefined ? 0 : round((clock() - started) / 1000, 1) };
}
