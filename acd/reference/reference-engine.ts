/**
 * A deliberately simple reference ACD: the same routing rules as AcdEngine (see the top of engine.ts), done
 * the way Asterisk's app_queue does it: every decision scans all agents or all calls, and the next timer is
 * found by scanning everything. It exists to check the engine (differential tests) and to measure it
 * (bench/acd.ts). It does not emit positionChanged.
 */
import { AgentState } from '../agent-state.ts';
import { CallState } from '../call-state.ts';
import { AcdStateError, AcdTypeError } from '../errors.ts';
import {
  effectiveRequirements,
  normalizeAgentProfile,
  normalizeCallOptions,
  normalizeQueueConfig,
  resolveLevel,
  type LevelResolution,
  type NormalizedCallOptions,
  type NormalizedQueue,
  type Requirements,
} from '../requirements.ts';
import type { AcdEventName, AcdEvents, AcdInput, AcdListener, AcdRouter, CallKind, CancelReason, OverflowTarget } from '../types.ts';

interface RAgent {
  idx: number;
  id: string;
  skills: Map<string, number>;
  langs: Map<string, number>;
  state: AgentState;
  device: boolean;
  idleSince: number;
  calls: number;
  misses: number;
  pending: string | null;
  pendingLogout: boolean;
  call: RCall | null;
  wrapUntil: number;
  lastOffer: Map<string, number>;
}

interface RQueue {
  id: string;
  cfg: NormalizedQueue;
}

interface RCall {
  id: string;
  seq: number;
  state: CallState;
  kind: CallKind;
  queue: RQueue;
  basePriority: number;
  priority: number;
  claim: number;
  entered: number;
  level: number;
  known: RAgent | null;
  knownMs: number;
  knownOwnMs: number | null;
  language: string | null;
  skills: ReadonlyArray<readonly [string, number]>;
  /** How long its own skills apply (ms of waiting in the queue; -1: as long as it waits, or it has none). */
  skillsMs: number;
  /** True while they do (set with the level). */
  ownSkills: boolean;
  ringing: RAgent[];
  agent: RAgent | null;
  assignedAt: number;
  overdue: boolean;
  hops: number;
  ringUntil: number;
  maxWaitAt: number;
  stepAt: number;
  dueAt: number;
}

const MAX_OVERFLOW_HOPS = 8;

function better(a: RCall, b: RCall): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.claim !== b.claim) return a.claim < b.claim;
  return a.seq < b.seq;
}

export class ReferenceAcd implements AcdRouter {
  private now = 0;
  private readonly ringTimeoutMs: number;
  private readonly maxMissed: number;
  private readonly knownAgentMs: number;
  private readonly agents: RAgent[] = [];
  private readonly queues: RQueue[] = [];
  private calls: RCall[] = [];
  private callSeq = 0;
  private offerSeq = 0;
  private readonly lr: LevelResolution = { level: 0, deadline: -1, threshold: -1, ownSkills: true };
  private readonly listeners: { [K in AcdEventName]: Array<AcdListener<K>> } = {
    offer: [],
    cancelOffer: [],
    assigned: [],
    overflow: [],
    positionChanged: [],
    agentStateChanged: [],
  };

  constructor(options: { ringTimeoutSeconds?: number; maxMissedOffers?: number; knownAgentSeconds?: number; startAt?: number } = {}) {
    this.now = options.startAt ?? 0;
    this.ringTimeoutMs = (options.ringTimeoutSeconds ?? 20) * 1000;
    this.maxMissed = options.maxMissedOffers ?? 3;
    this.knownAgentMs = (options.knownAgentSeconds ?? 30) * 1000;
  }

  on<K extends AcdEventName>(event: K, listener: AcdListener<K>): void {
    (this.listeners[event] as Array<AcdListener<K>>).push(listener);
  }

  private emit<K extends AcdEventName>(event: K, ...args: AcdEvents[K]): void {
    for (const l of this.listeners[event] as Array<(...a: AcdEvents[K]) => void>) l(...args);
  }

  nextDeadline(): number | null {
    const t = this.nextTimer();
    return t === null ? null : t.deadline;
  }

  private nextTimer(): { deadline: number; kind: number; order: number; agent: RAgent | null; call: RCall | null } | null {
    let best: { deadline: number; kind: number; order: number; agent: RAgent | null; call: RCall | null } | null = null;
    const consider = (deadline: number, kind: number, order: number, agent: RAgent | null, call: RCall | null) => {
      if (deadline < 0) return;
      if (best === null || deadline < best.deadline || (deadline === best.deadline && (kind < best.kind || (kind === best.kind && order < best.order)))) {
        best = { deadline, kind, order, agent, call };
      }
    };
    for (const a of this.agents) if (a.state === AgentState.WrapUp) consider(a.wrapUntil, 0, a.idx, a, null);
    for (const c of this.calls) {
      if (c.state === CallState.Offered) consider(c.ringUntil, 1, c.seq, null, c);
      consider(c.maxWaitAt, 2, c.seq, null, c);
      if (c.state === CallState.Waiting) consider(c.stepAt, 3, c.seq, null, c);
      if (c.state === CallState.Scheduled) consider(c.dueAt, 4, c.seq, null, c);
    }
    return best;
  }

  private enter(at: number): void {
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', `at: ${String(at)} is not a finite number`);
    if (at < this.now) throw new AcdTypeError('ACD_ERR_TIME_WENT_BACKWARDS', `at: ${at} is before ${this.now}`);
    for (;;) {
      const t = this.nextTimer();
      if (t === null || t.deadline > at) break;
      if (t.deadline > this.now) this.now = t.deadline;
      if (t.agent !== null) this.finishWork(t.agent, 'wrap-up-ended');
      else {
        const c = t.call!;
        if (t.kind === 1) this.ringTimedOut(c);
        else if (t.kind === 2) {
          c.maxWaitAt = -1;
          if (c.state === CallState.Waiting) this.overflow(c);
          else c.overdue = true;
        } else if (t.kind === 3) {
          this.applyLevel(c);
          this.routeCall(c);
        } else {
          c.dueAt = -1;
          this.enterQueue(c, c.queue, t.deadline);
        }
      }
    }
    this.now = at;
  }

  apply(i: AcdInput): void {
    switch (i.type) {
      case 'advance':
        return this.enter(i.at);
      case 'configureQueue': {
        const cfg = normalizeQueueConfig(i.config, { ringTimeoutMs: this.ringTimeoutMs, knownAgentMs: this.knownAgentMs });
        this.enter(i.at);
        const q = this.queues.find((x) => x.id === i.queueId);
        if (q === undefined) {
          this.queues.push({ id: i.queueId, cfg });
          return;
        }
        q.cfg = cfg;
        const waiting = this.calls.filter((c) => c.queue === q && c.state === CallState.Waiting).sort((a, b) => (better(a, b) ? -1 : 1));
        for (const c of waiting) {
          c.priority = cfg.priority + c.basePriority;
          c.maxWaitAt = c.kind === 'call' && cfg.maxWaitMs !== null ? c.entered + cfg.maxWaitMs : -1;
        }
        for (const c of waiting) {
          if (c.state !== CallState.Waiting || c.queue !== q) continue;
          this.applyLevel(c);
          this.routeCall(c);
        }
        return;
      }
      case 'defineAgent': {
        const p = normalizeAgentProfile(i.profile);
        this.enter(i.at);
        let a = this.agents.find((x) => x.id === i.agentId);
        if (a === undefined) {
          a = {
            idx: this.agents.length,
            id: i.agentId,
            skills: new Map(),
            langs: new Map(),
            state: AgentState.LoggedOut,
            device: true,
            idleSince: 0,
            calls: 0,
            misses: 0,
            pending: null,
            pendingLogout: false,
            call: null,
            wrapUntil: -1,
            lastOffer: new Map(),
          };
          this.agents.push(a);
        }
        a.skills = new Map(p.skills);
        a.langs = new Map(p.languages);
        if (this.available(a)) this.makeAvailable(a);
        return;
      }
      case 'agentLogin': {
        const a = this.agent(i.agentId);
        this.enter(i.at);
        if (a.state !== AgentState.LoggedOut) {
          a.pendingLogout = false;
          return;
        }
        a.misses = 0;
        a.pending = null;
        this.setState(a, AgentState.NotReady, 'login');
        return;
      }
      case 'agentLogout': {
        const a = this.agent(i.agentId);
        this.enter(i.at);
        if (a.state === AgentState.LoggedOut) return;
        a.pending = null;
        if (a.state === AgentState.Busy) {
          a.pendingLogout = true;
          return;
        }
        if (a.state === AgentState.Reserved) this.withdraw(a, 'agent-logged-out');
        a.pendingLogout = false;
        this.setState(a, AgentState.LoggedOut, 'logout');
        this.releaseKnown(a);
        return;
      }
      case 'agentReady': {
        const a = this.agent(i.agentId);
        this.enter(i.at);
        if (a.state === AgentState.LoggedOut) throw new AcdStateError('ACD_ERR_INVALID_STATE', 'logged out');
        if (a.state === AgentState.NotReady) {
          a.misses = 0;
          a.idleSince = this.now;
          this.setState(a, AgentState.Ready, 'ready');
          if (this.available(a)) this.makeAvailable(a);
        } else if (a.state === AgentState.Busy) {
          a.pending = null;
          a.pendingLogout = false;
        } else if (a.state === AgentState.WrapUp) {
          a.pending = null;
          a.pendingLogout = false;
          this.finishWork(a, 'ready');
        }
        return;
      }
      case 'agentNotReady': {
        const a = this.agent(i.agentId);
        this.enter(i.at);
        switch (a.state) {
          case AgentState.LoggedOut:
            throw new AcdStateError('ACD_ERR_INVALID_STATE', 'logged out');
          case AgentState.NotReady:
            this.emit('agentStateChanged', a.id, a.state, i.reason);
            return;
          case AgentState.Reserved:
            this.withdraw(a, 'agent-not-ready');
            this.setState(a, AgentState.NotReady, i.reason);
            return;
          case AgentState.Busy:
            a.pending = i.reason;
            a.pendingLogout = false;
            return;
          default:
            a.pendingLogout = false;
            this.setState(a, AgentState.NotReady, i.reason);
            return;
        }
      }
      case 'deviceUp': {
        const a = this.agent(i.agentId);
        this.enter(i.at);
        if (a.device) return;
        a.device = true;
        if (this.available(a)) this.makeAvailable(a);
        return;
      }
      case 'deviceDown': {
        const a = this.agent(i.agentId);
        this.enter(i.at);
        if (!a.device) return;
        a.device = false;
        if (a.state === AgentState.Reserved) {
          this.withdraw(a, 'device-down');
          this.setState(a, AgentState.Ready, 'device-down');
        }
        return;
      }
      case 'callArrived': {
        const o = normalizeCallOptions(i.options);
        const q = this.queue(i.queueId);
        if (this.calls.some((c) => c.id === i.callId)) throw new AcdStateError('ACD_ERR_DUPLICATE_CALL', 'duplicate');
        this.enter(i.at);
        const c = this.newCall(i.callId, 'call', q, o);
        this.enterQueue(c, q, this.now);
        return;
      }
      case 'offerAccepted': {
        const c = this.call(i.callId);
        const a = this.agent(i.agentId);
        this.enter(i.at);
        this.checkOffered(c, a);
        c.ringing = c.ringing.filter((x) => x !== a);
        a.call = c;
        c.agent = a;
        c.assignedAt = this.now;
        c.overdue = false;
        c.ringUntil = -1;
        c.maxWaitAt = -1;
        c.stepAt = -1;
        c.state = CallState.Assigned;
        a.calls++;
        a.misses = 0;
        this.setState(a, AgentState.Busy, 'accepted');
        this.emit('assigned', c.id, a.id);
        const others = c.ringing;
        c.ringing = [];
        for (const o of others) {
          o.call = null;
          this.emit('cancelOffer', c.id, o.id, 'answered-elsewhere');
        }
        this.release(others, 'offer-cancelled');
        return;
      }
      case 'offerRejected':
      case 'offerTimedOut': {
        const c = this.call(i.callId);
        const a = this.agent(i.agentId);
        this.enter(i.at);
        this.checkOffered(c, a);
        c.ringing = c.ringing.filter((x) => x !== a);
        a.call = null;
        if (c.ringing.length === 0) this.returnToQueue(c);
        this.miss(a);
        return;
      }
      case 'callConnected': {
        const c = this.call(i.callId);
        this.enter(i.at);
        if (c.state === CallState.Connected) return;
        if (c.state !== CallState.Assigned) throw new AcdStateError('ACD_ERR_INVALID_STATE', 'not assigned');
        c.state = CallState.Connected;
        return;
      }
      case 'callEnded':
      case 'callerAbandoned': {
        const c = this.call(i.callId);
        this.enter(i.at);
        this.endCall(c);
        return;
      }
      case 'wrapUpEnded': {
        const a = this.agent(i.agentId);
        this.enter(i.at);
        if (a.state === AgentState.WrapUp) this.finishWork(a, 'wrap-up-ended');
        return;
      }
      case 'callbackRequested': {
        const c = this.call(i.callId);
        this.enter(i.at);
        if (c.state !== CallState.Waiting && c.state !== CallState.Offered && c.state !== CallState.Scheduled) {
          throw new AcdStateError('ACD_ERR_INVALID_STATE', 'not waiting');
        }
        c.kind = 'callback';
        c.overdue = false;
        c.maxWaitAt = -1;
        return;
      }
      case 'callbackScheduled': {
        const o = normalizeCallOptions(i.options);
        const q = this.queue(i.queueId);
        if (this.calls.some((c) => c.id === i.callId)) throw new AcdStateError('ACD_ERR_DUPLICATE_CALL', 'duplicate');
        this.enter(i.at);
        const c = this.newCall(i.callId, 'callback', q, o);
        c.state = CallState.Scheduled;
        if (i.dueAt <= this.now) this.enterQueue(c, q, i.dueAt);
        else {
          c.claim = i.dueAt;
          c.dueAt = i.dueAt;
        }
        return;
      }
      case 'consultCompleted': {
        const c = this.call(i.callId);
        const k = this.call(i.consultCallId);
        const talking = (x: RCall) => x.state === CallState.Assigned || x.state === CallState.Connected;
        const from = c.agent;
        const to = k.agent;
        if (!talking(c) || !talking(k) || from === null || to === null || from === to) throw new AcdStateError('ACD_ERR_INVALID_STATE', 'not both talking');
        this.enter(i.at);
        this.remove(k);
        k.agent = null;
        c.agent = to;
        if (to.call === k) to.call = c;
        if (from.call === c) this.releaseFromCall(from, c.queue);
        return;
      }
      case 'transferToQueue': {
        const o = i.options === undefined ? null : normalizeCallOptions(i.options);
        const c = this.call(i.callId);
        const q = this.queue(i.queueId);
        this.enter(i.at);
        if (c.state === CallState.Ended) throw new AcdStateError('ACD_ERR_INVALID_STATE', `call ${c.id} has ended`);
        if (o !== null) this.setOptions(c, o);
        if (c.state === CallState.Scheduled) {
          c.queue = q;
          return;
        }
        let cancelled: RAgent[] = [];
        if (c.state === CallState.Assigned || c.state === CallState.Connected) {
          const a = c.agent;
          c.agent = null;
          if (a !== null && a.call === c) this.releaseFromCall(a, c.queue);
        } else if (c.state === CallState.Offered) {
          cancelled = c.ringing;
          c.ringing = [];
          c.ringUntil = -1;
          for (const a of cancelled) {
            a.call = null;
            this.emit('cancelOffer', c.id, a.id, 'transferred');
          }
        }
        c.maxWaitAt = -1;
        c.stepAt = -1;
        c.seq = ++this.callSeq;
        c.hops = 0;
        c.overdue = false;
        this.enterQueue(c, q, this.now);
        this.release(cancelled, 'offer-cancelled');
        return;
      }
    }
  }

  // ── routing ──

  private available(a: RAgent): boolean {
    return a.state === AgentState.Ready && a.device && a.call === null;
  }

  /** What c requires now (level >= 0): its own skills only while their time lasts. */
  private requirements(c: RCall): Requirements {
    return effectiveRequirements(c.queue.cfg, c.level, c.language, c.ownSkills ? c.skills : []);
  }

  private eligible(a: RAgent, c: RCall): boolean {
    if (c.level < 0) return a === c.known;
    const req = this.requirements(c);
    for (const [s, l] of req.skills) if ((a.skills.get(s) ?? 0) < l) return false;
    return req.language === null || (a.langs.get(req.language) ?? 0) >= 1;
  }

  private key(a: RAgent, c: RCall): number {
    switch (c.queue.cfg.strategy) {
      case 'most-skilled': {
        if (c.level < 0) return 0;
        const req = this.requirements(c);
        let score = 0;
        for (const [s] of req.skills) score += a.skills.get(s) ?? 0;
        if (req.language !== null) score += a.langs.get(req.language) ?? 0;
        return -score;
      }
      case 'fewest-calls':
        return a.calls;
      case 'round-robin':
        return a.lastOffer.get(c.queue.id) ?? 0;
      default:
        return 0;
    }
  }

  private routeCall(c: RCall): void {
    const candidates = this.agents.filter((a) => this.available(a) && this.eligible(a, c));
    if (candidates.length === 0) return;
    if (c.queue.cfg.strategy === 'ring-all') {
      this.offer(c, candidates);
      return;
    }
    let best = candidates[0]!;
    let bestKey = this.key(best, c);
    for (const a of candidates) {
      const k = this.key(a, c);
      if (k < bestKey || (k === bestKey && (a.idleSince < best.idleSince || (a.idleSince === best.idleSince && a.idx < best.idx)))) {
        best = a;
        bestKey = k;
      }
    }
    this.offer(c, [best]);
  }

  private makeAvailable(a: RAgent): void {
    let best: RCall | null = null;
    for (const c of this.calls) if (c.state === CallState.Waiting && this.eligible(a, c) && (best === null || better(c, best))) best = c;
    if (best !== null) this.offer(best, [a]);
  }

  private offer(c: RCall, agents: RAgent[]): void {
    c.state = CallState.Offered;
    c.stepAt = -1;
    const seq = ++this.offerSeq;
    for (const a of agents) {
      // round-robin remembers the offers made while the queue is round-robin
      if (c.queue.cfg.strategy === 'round-robin') a.lastOffer.set(c.queue.id, seq);
      a.call = c;
      this.setState(a, AgentState.Reserved, 'offer');
    }
    c.ringing = agents.slice();
    c.ringUntil = this.now + c.queue.cfg.ringTimeoutMs;
    this.emit(
      'offer',
      c.id,
      agents.map((a) => a.id),
      c.kind,
    );
  }

  private enterQueue(c: RCall, q: RQueue, claim: number): void {
    c.queue = q;
    c.entered = this.now;
    c.claim = claim;
    c.priority = q.cfg.priority + c.basePriority;
    const knownMs = c.knownOwnMs ?? q.cfg.knownAgentMs;
    c.knownMs = c.known !== null && c.known.state !== AgentState.LoggedOut ? knownMs : 0;
    c.state = CallState.Waiting;
    c.maxWaitAt = c.kind === 'call' && q.cfg.maxWaitMs !== null ? c.entered + q.cfg.maxWaitMs : -1;
    this.applyLevel(c);
    // a full queue overflows a call that would wait; one an agent can take at once goes to that agent
    const waiting = this.calls.filter((x) => x.queue === q && x.state === CallState.Waiting && x !== c).length;
    if (c.kind === 'call' && q.cfg.maxLength !== null && waiting >= q.cfg.maxLength && !this.agents.some((a) => this.available(a) && this.eligible(a, c))) {
      this.overflow(c);
      return;
    }
    this.routeCall(c);
  }

  private applyLevel(c: RCall): void {
    resolveLevel(c.queue.cfg, c.entered, this.now, c.knownMs, c.skillsMs, this.lr);
    c.level = this.lr.level;
    c.ownSkills = this.lr.ownSkills;
    c.stepAt = this.lr.deadline;
  }

  private returnToQueue(c: RCall): void {
    c.ringUntil = -1;
    c.state = CallState.Waiting;
    c.priority = c.queue.cfg.priority + c.basePriority;
    if (c.overdue) {
      c.overdue = false;
      this.overflow(c);
      return;
    }
    this.applyLevel(c);
    this.routeCall(c);
  }

  private overflow(c: RCall): void {
    const from = c.queue;
    c.state = CallState.Waiting;
    c.maxWaitAt = -1;
    c.stepAt = -1;
    c.hops++;
    let target: OverflowTarget = from.cfg.overflow;
    let next: RQueue | undefined;
    if ('queue' in target) {
      const name = target.queue;
      next = this.queues.find((x) => x.id === name);
      if (next === undefined || c.hops > MAX_OVERFLOW_HOPS) {
        target = { action: 'hangup' };
        next = undefined;
      }
    }
    this.emit('overflow', c.id, target);
    if (next !== undefined) this.enterQueue(c, next, c.claim);
    else if ('action' in target && target.action === 'callback') {
      c.kind = 'callback';
      this.enterQueue(c, from, c.claim);
    } else this.remove(c);
  }

  private ringTimedOut(c: RCall): void {
    const ringing = c.ringing;
    c.ringing = [];
    for (const a of ringing) {
      a.call = null;
      this.emit('cancelOffer', c.id, a.id, 'timeout');
    }
    if (ringing.length === 1) {
      this.returnToQueue(c);
      this.miss(ringing[0]!);
      return;
    }
    // ring-all: everyone who let it ring is ready again at once, and the call rings them all again
    for (const a of ringing) this.missState(a);
    this.returnToQueue(c);
    for (const a of ringing) if (this.available(a)) this.makeAvailable(a);
  }

  /** Calls waiting for a logged-out known agent go on to their queue's requirements, in claim order. */
  private releaseKnown(a: RAgent): void {
    const calls = this.calls.filter((c) => c.state === CallState.Waiting && c.known === a && c.level === -1).sort((x, y) => (better(x, y) ? -1 : 1));
    for (const c of calls) {
      if (c.state !== CallState.Waiting) continue;
      c.knownMs = 0;
      this.applyLevel(c);
      this.routeCall(c);
    }
  }

  private miss(a: RAgent): void {
    this.missState(a);
    if (this.available(a)) this.makeAvailable(a);
  }

  private missState(a: RAgent): void {
    a.call = null;
    a.misses++;
    if (this.maxMissed > 0 && a.misses >= this.maxMissed) {
      a.misses = 0;
      this.setState(a, AgentState.NotReady, 'missed-offers');
      return;
    }
    a.idleSince = this.now;
    this.setState(a, AgentState.Ready, 'missed-offer');
  }

  private withdraw(a: RAgent, reason: CancelReason): void {
    const c = a.call!;
    c.ringing = c.ringing.filter((x) => x !== a);
    a.call = null;
    this.emit('cancelOffer', c.id, a.id, reason);
    if (c.ringing.length === 0) this.returnToQueue(c);
  }

  private release(agents: RAgent[], reason: string): void {
    for (const a of agents) {
      if (a.state !== AgentState.Reserved) continue;
      this.setState(a, AgentState.Ready, reason);
      if (this.available(a)) this.makeAvailable(a);
    }
  }

  private checkOffered(c: RCall, a: RAgent): void {
    if (c.state !== CallState.Offered || a.call !== c || a.state !== AgentState.Reserved) {
      throw new AcdStateError('ACD_ERR_INVALID_STATE', 'not ringing');
    }
  }

  private endCall(c: RCall): void {
    if (c.state === CallState.Offered) {
      const ringing = c.ringing;
      c.ringing = [];
      for (const a of ringing) {
        a.call = null;
        this.emit('cancelOffer', c.id, a.id, 'caller-abandoned');
      }
      this.remove(c);
      this.release(ringing, 'offer-cancelled');
    } else if (c.state === CallState.Assigned || c.state === CallState.Connected) {
      const a = c.agent;
      this.remove(c);
      if (a !== null && a.call === c) this.releaseFromCall(a, c.queue);
    } else this.remove(c);
  }

  private releaseFromCall(a: RAgent, q: RQueue): void {
    a.call = null;
    if (a.state === AgentState.Busy) {
      if (q.cfg.wrapUpMs > 0) {
        a.wrapUntil = this.now + q.cfg.wrapUpMs;
        this.setState(a, AgentState.WrapUp, 'call-ended');
      } else this.finishWork(a, 'call-ended');
    } else if (this.available(a)) this.makeAvailable(a);
  }

  private finishWork(a: RAgent, reason: string): void {
    if (a.pendingLogout) {
      a.pendingLogout = false;
      this.setState(a, AgentState.LoggedOut, 'logout');
      this.releaseKnown(a);
      return;
    }
    if (a.pending !== null) {
      const r = a.pending;
      a.pending = null;
      this.setState(a, AgentState.NotReady, r);
      return;
    }
    a.idleSince = this.now;
    this.setState(a, AgentState.Ready, reason);
    if (this.available(a)) this.makeAvailable(a);
  }

  private setState(a: RAgent, to: AgentState, reason: string): void {
    a.state = to;
    this.emit('agentStateChanged', a.id, to, reason);
  }

  private remove(c: RCall): void {
    c.state = CallState.Ended;
    this.calls = this.calls.filter((x) => x !== c);
  }

  private newCall(id: string, kind: CallKind, q: RQueue, o: NormalizedCallOptions): RCall {
    const c: RCall = {
      id,
      seq: ++this.callSeq,
      state: CallState.Waiting,
      kind,
      queue: q,
      basePriority: 0,
      priority: 0,
      claim: 0,
      entered: 0,
      level: 0,
      known: null,
      knownMs: 0,
      knownOwnMs: null,
      language: null,
      skills: [],
      skillsMs: -1,
      ownSkills: true,
      ringing: [],
      agent: null,
      assignedAt: 0,
      overdue: false,
      hops: 0,
      ringUntil: -1,
      maxWaitAt: -1,
      stepAt: -1,
      dueAt: -1,
    };
    this.setOptions(c, o);
    this.calls.push(c);
    return c;
  }

  private setOptions(c: RCall, o: NormalizedCallOptions): void {
    c.basePriority = o.priority;
    c.language = o.language;
    c.skills = o.skills;
    c.known = o.knownAgentId === null ? null : (this.agents.find((a) => a.id === o.knownAgentId) ?? null);
    c.knownOwnMs = o.knownAgentMs;
    c.skillsMs = o.skills.length > 0 && o.skillsMs !== null ? o.skillsMs : -1;
  }

  private agent(id: string): RAgent {
    const a = this.agents.find((x) => x.id === id);
    if (a === undefined) throw new AcdTypeError('ACD_ERR_UNKNOWN_AGENT', `agentId: unknown agent ${id}`);
    return a;
  }

  private queue(id: string): RQueue {
    const q = this.queues.find((x) => x.id === id);
    if (q === undefined) throw new AcdTypeError('ACD_ERR_UNKNOWN_QUEUE', `queueId: unknown queue ${id}`);
    return q;
  }

  private call(id: string): RCall {
    const c = this.calls.find((x) => x.id === id);
    if (c === undefined) throw new AcdTypeError('ACD_ERR_UNKNOWN_CALL', `callId: unknown call ${id}`);
    return c;
  }
}
