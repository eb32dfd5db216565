/**
 * The ACD benchmark's stream: a deterministic driver of the engine (or of the linear-scan reference, through
 * ReferenceTarget) at a given size, which records what it issues on a Tape to replay it (bench/acd.ts).
 */
import { ReferenceAcd } from '../acd/reference/reference-engine.ts';
import { Rng } from '../acd/sim/prng.ts';
import type { AcdEventName, AcdListener, CallOptions, QueueConfig, Strategy } from '../acd/types.ts';

export interface Target {
  on<K extends AcdEventName>(event: K, listener: AcdListener<K>): void;
  configureQueue(at: number, id: string, cfg: QueueConfig): void;
  defineAgent(at: number, id: string, p: { skills: Record<string, number>; languages: Record<string, number> }): void;
  agentLogin(at: number, id: string): void;
  agentReady(at: number, id: string): void;
  agentNotReady(at: number, id: string, reason: string): void;
  callArrived(at: number, id: string, q: string, o?: CallOptions): void;
  offerAccepted(at: number, c: string, a: string): void;
  offerRejected(at: number, c: string, a: string): void;
  callEnded(at: number, c: string): void;
  callerAbandoned(at: number, c: string): void;
}

/** The reference takes serialised inputs; this adapter gives it the engine's method surface. */
export class ReferenceTarget implements Target {
  readonly r = new ReferenceAcd({ ringTimeoutSeconds: 20, maxMissedOffers: 3 });
  on<K extends AcdEventName>(event: K, listener: AcdListener<K>): void {
    this.r.on(event, listener);
  }
  configureQueue(at: number, queueId: string, config: QueueConfig): void {
    this.r.apply({ type: 'configureQueue', at, queueId, config });
  }
  defineAgent(at: number, agentId: string, profile: { skills: Record<string, number>; languages: Record<string, number> }): void {
    this.r.apply({ type: 'defineAgent', at, agentId, profile });
  }
  agentLogin(at: number, agentId: string): void {
    this.r.apply({ type: 'agentLogin', at, agentId });
  }
  agentReady(at: number, agentId: string): void {
    this.r.apply({ type: 'agentReady', at, agentId });
  }
  agentNotReady(at: number, agentId: string, reason: string): void {
    this.r.apply({ type: 'agentNotReady', at, agentId, reason });
  }
  callArrived(at: number, callId: string, queueId: string, options?: CallOptions): void {
    this.r.apply(options === undefined ? { type: 'callArrived', at, callId, queueId } : { type: 'callArrived', at, callId, queueId, options });
  }
  offerAccepted(at: number, callId: string, agentId: string): void {
    this.r.apply({ type: 'offerAccepted', at, callId, agentId });
  }
  offerRejected(at: number, callId: string, agentId: string): void {
    this.r.apply({ type: 'offerRejected', at, callId, agentId });
  }
  callEnded(at: number, callId: string): void {
    this.r.apply({ type: 'callEnded', at, callId });
  }
  callerAbandoned(at: number, callId: string): void {
    this.r.apply({ type: 'callerAbandoned', at, callId });
  }
}

export interface Size {
  agents: number;
  skills: number;
  languages: number;
  queues: number;
  waiting: number;
}

/** The benchmark's full size (issue 3): 10 000 agents, 64 skills, 20 languages, 500 queues, 100 000 waiting calls. */
export const FULL: Size = { agents: 10_000, skills: 64, languages: 20, queues: 500, waiting: 100_000 };

/** A set of small ints with O(1) add, remove and random pick. */
export class IntSet {
  readonly items: Int32Array;
  readonly pos: Int32Array;
  size = 0;
  constructor(cap: number) {
    this.items = new Int32Array(cap);
    this.pos = new Int32Array(cap).fill(-1);
  }
  add(x: number): void {
    if (this.pos[x]! >= 0) return;
    this.pos[x] = this.size;
    this.items[this.size++] = x;
  }
  delete(x: number): void {
    const p = this.pos[x]!;
    if (p < 0) return;
    const last = this.items[--this.size]!;
    this.items[p] = last;
    this.pos[last] = p;
    this.pos[x] = -1;
  }
  pick(rng: Rng): number {
    return this.items[Math.floor(rng.uniform() * this.size)]!;
  }
}

/** Input ops of a recorded stream (Tape). */
export const OP_ARRIVE = 0, OP_ACCEPT = 1, OP_REJECT = 2, OP_END = 3, OP_ABANDON = 4, OP_NOT_READY = 5, OP_READY = 6;

/** The inputs a driver issued, as numbers (op, call or agent index, agent or queue index, time), to replay them. */
export class Tape {
  readonly op: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly t: Float64Array;
  n = 0;
  constructor(cap: number) {
    this.op = new Uint8Array(cap);
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.t = new Float64Array(cap);
  }
  rec(op: number, a: number, b: number, t: number): void {
    const i = this.n++;
    this.op[i] = op;
    this.a[i] = a;
    this.b[i] = b;
    this.t[i] = t;
  }
}

/** Ring-all is for small teams: 1 queue in 25 here; the rest cycle through the other strategies. */
const strategyOf = (q: number): Strategy => (q % 25 === 24 ? 'ring-all' : (['longest-idle', 'most-skilled', 'fewest-calls', 'round-robin'] as const)[q % 4]!);

const CALL_PREFIX = 'call-';
const AGENT_PREFIX = 'agent-';

/**
 * The driver's index of one of its own ids (prefix + decimal index), read back from the id a listener got.
 * Parsing the digits reads only the string itself; a Map from id to index would add two cold cache lines per
 * lookup at 130 000 ids, which the live figure would count as engine time.
 */
function idIndex(id: string, prefix: string): number {
  let n = 0;
  for (let i = prefix.length; i < id.length; i++) n = n * 10 + (id.charCodeAt(i) - 48);
  return n;
}

/** Drives one target with a deterministic stream; the stream depends only on the seed and the decisions. */
export class Driver {
  readonly rng: Rng;
  readonly agentIds: string[];
  readonly callIds: string[];
  readonly freeCalls: number[] = [];
  readonly queueIds: string[];
  readonly waiting: IntSet;
  readonly busy: IntSet;
  readonly notReady: IntSet;
  readonly agentCall: Int32Array;
  /** Agent a call is ringing (first listed), or -1: offers cancelled before we answer them are skipped. */
  readonly offeredTo: Int32Array;
  readonly pendCall: Int32Array;
  readonly pendAgent: Int32Array;
  pendHead = 0;
  pendTail = 0;
  decisions = 0;
  checksum = 0;
  positions = 0;
  t = 0;
  /** When set, every input issued is recorded here. */
  tape: Tape | null = null;
  /** Passive: the stream comes from a tape, the listeners only count (offers in decisions, positions). */
  passive = false;

  constructor(
    readonly target: Target,
    readonly size: Size,
    seed: number,
  ) {
    this.rng = new Rng(seed, 1);
    const callCap = size.waiting + size.agents * 3 + 1000;
    this.agentIds = Array.from({ length: size.agents }, (_, i) => `${AGENT_PREFIX}${i}`);
    this.callIds = Array.from({ length: callCap }, (_, i) => `${CALL_PREFIX}${i}`);
    for (let i = callCap - 1; i >= 0; i--) this.freeCalls.push(i);
    this.queueIds = Array.from({ length: size.queues }, (_, i) => `queue-${i}`);
    this.waiting = new IntSet(callCap);
    this.busy = new IntSet(size.agents);
    this.notReady = new IntSet(size.agents);
    this.agentCall = new Int32Array(size.agents).fill(-1);
    this.offeredTo = new Int32Array(callCap).fill(-1);
    this.pendCall = new Int32Array(1 << 16);
    this.pendAgent = new Int32Array(1 << 16);
    const t = target;
    t.on('offer', (callId, agentIds) => {
      this.decisions++;
      if (this.passive) return;
      const i = this.pendTail++ & 0xffff;
      this.pendCall[i] = idIndex(callId, CALL_PREFIX);
      this.pendAgent[i] = idIndex(agentIds[0]!, AGENT_PREFIX);
      this.offeredTo[this.pendCall[i]!] = this.pendAgent[i]!;
      this.checksum = (this.checksum * 31 + this.pendAgent[i]! * 7 + this.pendCall[i]!) % 1_000_000_007;
    });
    t.on('cancelOffer', (callId) => {
      if (this.passive) return;
      this.offeredTo[idIndex(callId, CALL_PREFIX)] = -1;
    });
    t.on('assigned', (callId, agentId) => {
      if (this.passive) return;
      const c = idIndex(callId, CALL_PREFIX);
      const a = idIndex(agentId, AGENT_PREFIX);
      this.offeredTo[c] = -1;
      this.waiting.delete(c);
      this.busy.add(a);
      this.agentCall[a] = c;
    });
    t.on('overflow', (callId, target) => {
      if (this.passive) return;
      if ('action' in target && target.action !== 'callback') this.release(idIndex(callId, CALL_PREFIX));
    });
    // Only not-ready -> ready / logged-out leaves the not-ready set, so other changes need no id parsing.
    t.on('agentStateChanged', (agentId, state) => {
      if (this.passive) return;
      if (state === 'not-ready') this.notReady.add(idIndex(agentId, AGENT_PREFIX));
      else if ((state === 'ready' || state === 'logged-out') && this.notReady.size > 0) this.notReady.delete(idIndex(agentId, AGENT_PREFIX));
    });
    t.on('positionChanged', () => {
      this.positions++;
    });
  }

  /** Issues the recorded inputs tape[from, to) again, as the same method calls with the same strings. */
  replay(tape: Tape, from: number, to: number): void {
    const e = this.target;
    const { op, a, b, t } = tape;
    for (let i = from; i < to; i++) {
      switch (op[i]) {
        case OP_ARRIVE:
          e.callArrived(t[i]!, this.callIds[a[i]!]!, this.queueIds[b[i]!]!);
          break;
        case OP_ACCEPT:
          e.offerAccepted(t[i]!, this.callIds[a[i]!]!, this.agentIds[b[i]!]!);
          break;
        case OP_REJECT:
          e.offerRejected(t[i]!, this.callIds[a[i]!]!, this.agentIds[b[i]!]!);
          break;
        case OP_END:
          e.callEnded(t[i]!, this.callIds[a[i]!]!);
          break;
        case OP_ABANDON:
          e.callerAbandoned(t[i]!, this.callIds[a[i]!]!);
          break;
        case OP_NOT_READY:
          e.agentNotReady(t[i]!, this.agentIds[a[i]!]!, 'break');
          break;
        default:
          e.agentReady(t[i]!, this.agentIds[a[i]!]!);
      }
    }
  }

  private release(c: number): void {
    this.waiting.delete(c);
    this.freeCalls.push(c);
  }

  setup(): void {
    const { rng, target: t, size } = this;
    const skill = (i: number) => `skill-${i}`;
    const lang = (i: number) => `lang-${i}`;
    for (let q = 0; q < size.queues; q++) {
      const skills: Record<string, number> = { [skill(Math.floor(rng.uniform() * size.skills))]: 1 + Math.floor(rng.uniform() * 3) };
      if (rng.uniform() < 0.2) skills[skill(Math.floor(rng.uniform() * size.skills))] = 1;
      const relaxed = Object.fromEntries(Object.keys(skills).map((k) => [k, 1]));
      const overflowTo = this.queueIds[(q + 1) % size.queues]!;
      t.configureQueue(0, this.queueIds[q]!, {
        skills,
        language: lang(Math.floor(rng.uniform() * size.languages)),
        strategy: strategyOf(q),
        priority: Math.floor(rng.uniform() * 3),
        wrapUpSeconds: Math.floor(rng.uniform() * 3),
        maxWaitSeconds: q % 10 === 0 ? 600 : null,
        overflow: q % 20 === 0 ? { action: 'voicemail' } : { queue: overflowTo },
        steps: q % 4 === 0 ? [{ afterSeconds: 30, skills: relaxed }, { afterSeconds: 90, language: null }] : [{ afterSeconds: 30, skills: relaxed }],
        positionUpdateSeconds: 30,
      });
    }
    for (let a = 0; a < size.agents; a++) {
      const skills: Record<string, number> = {};
      const languages: Record<string, number> = {};
      for (let k = 0; k < 5; k++) skills[skill(Math.floor(rng.uniform() * size.skills))] = 1 + Math.floor(rng.uniform() * 5);
      for (let k = 0; k < 3; k++) languages[lang(Math.floor(rng.uniform() * size.languages))] = 1 + Math.floor(rng.uniform() * 5);
      const id = this.agentIds[a]!;
      t.defineAgent(0, id, { skills, languages });
      t.agentLogin(0, id);
      t.agentReady(0, id);
    }
    while (this.waiting.size < size.waiting) {
      this.arrive();
      this.resolveOffers(false);
    }
  }

  private arrive(): void {
    const c = this.freeCalls.pop();
    if (c === undefined) return;
    this.waiting.add(c);
    const qi = Math.floor(this.rng.uniform() * this.size.queues);
    if (this.tape !== null) this.tape.rec(OP_ARRIVE, c, qi, this.t);
    this.target.callArrived(this.t, this.callIds[c]!, this.queueIds[qi]!);
  }

  /** Accept (or now and then reject) every pending offer. */
  private resolveOffers(allowReject: boolean): number {
    let n = 0;
    while (this.pendHead !== this.pendTail) {
      const i = this.pendHead++ & 0xffff;
      if (this.offeredTo[this.pendCall[i]!] !== this.pendAgent[i]!) continue;
      const c = this.callIds[this.pendCall[i]!]!;
      const a = this.agentIds[this.pendAgent[i]!]!;
      n++;
      if (allowReject && this.rng.uniform() < 0.02) this.target.offerRejected(this.t, c, a);
      else this.target.offerAccepted(this.t, c, a);
    }
    return n;
  }

  /** One input event of the mixed stream (or the resolution of the offers the previous one made). */
  step(): void {
    this.t += 0.2;
    while (this.pendHead !== this.pendTail) {
      const i = this.pendHead++ & 0xffff;
      if (this.offeredTo[this.pendCall[i]!] !== this.pendAgent[i]!) continue;
      const c = this.callIds[this.pendCall[i]!]!;
      const a = this.agentIds[this.pendAgent[i]!]!;
      const reject = this.rng.uniform() < 0.02;
      if (this.tape !== null) this.tape.rec(reject ? OP_REJECT : OP_ACCEPT, this.pendCall[i]!, this.pendAgent[i]!, this.t);
      if (reject) this.target.offerRejected(this.t, c, a);
      else this.target.offerAccepted(this.t, c, a);
      return;
    }
    const r = this.rng.uniform();
    const arriveP = this.waiting.size < this.size.waiting ? 0.45 : 0.3;
    if (r < arriveP) this.arrive();
    else if (r < 0.8) {
      if (this.busy.size === 0) return this.arrive();
      const a = this.busy.pick(this.rng);
      const c = this.agentCall[a]!;
      this.busy.delete(a);
      this.agentCall[a] = -1;
      this.freeCalls.push(c);
      if (this.tape !== null) this.tape.rec(OP_END, c, 0, this.t);
      this.target.callEnded(this.t, this.callIds[c]!);
    } else if (r < 0.9) {
      if (this.waiting.size === 0) return this.arrive();
      const c = this.waiting.pick(this.rng);
      this.release(c);
      if (this.tape !== null) this.tape.rec(OP_ABANDON, c, 0, this.t);
      this.target.callerAbandoned(this.t, this.callIds[c]!);
    } else if (r < 0.95) {
      const a = Math.floor(this.rng.uniform() * this.size.agents);
      if (this.tape !== null) this.tape.rec(OP_NOT_READY, a, 0, this.t);
      this.target.agentNotReady(this.t, this.agentIds[a]!, 'break');
    } else {
      if (this.notReady.size === 0) return this.arrive();
      const a = this.notReady.pick(this.rng);
      if (this.tape !== null) this.tape.rec(OP_READY, a, 0, this.t);
      this.target.agentReady(this.t, this.agentIds[a]!);
    }
  }
}
