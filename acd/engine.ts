/**
 * The ACD routing engine: pure, deterministic, no I/O, no timers of its own. See index.ts for usage.
 *
 * Routing rules (the reference implementation in reference/ follows the same rules with linear scans):
 * - Invariant after every input: no call waits while an agent eligible for it is available
 *   (ready, device up, no call).
 * - A call that becomes waiting (arrival, return after a miss, step change or end of its own skills' time,
 *   overflow in, scheduled callback due, transfer) takes the best available agent of its pool by the queue's strategy
 *   (key, then longest idle, then agent definition order); ring-all rings all of them.
 * - An agent that becomes available takes, over all pools it belongs to, the waiting call with the strongest
 *   claim: higher priority, then earlier place-in-line time, then earlier arrival sequence.
 * - Timers due at the same instant fire in order (deadline, kind, call sequence / agent index / queue index);
 *   each input first fires every timer due at or before its time.
 * - On a miss (reject, timeout) the call first goes back to the head of its queue (it keeps its place-in-line
 *   time), then the agent is handled: ready again with a fresh idle time, or not-ready('missed-offers') after
 *   maxMissedOffers consecutive misses.
 */
import { AgentState, agentTransitionAllowed } from './agent-state.ts';
import { CallState, callTransitionAllowed } from './call-state.ts';
import { AcdStateError, AcdTypeError } from './errors.ts';
import { CallSlots } from './pool-calls.ts';
import { IdTable } from './id-table.ts';
import { IndexRows } from './index-rows.ts';
import { MemberTable } from './member-table.ts';
import { AgentRec, AgentTimes, CallRec, Member, Pool, PoolTable, QueueRec, TimerKind, callLess, isCallTimer } from './records.ts';
import { NO_DURATION, TimerQueue, timerHandle, timerKind, timerTarget } from './timer-queue.ts';
import { WaitingList } from './waiting-list.ts';
import {
  callRequirementsKey,
  effectiveRequirements,
  normalizeAgentProfile,
  normalizeCallOptions,
  normalizeQueueConfig,
  requirementsKey,
  resolveLevel,
  type LevelResolution,
  type NormalizedCallOptions,
  type Requirements,
} from './requirements.ts';
import type {
  AcdEngineOptions,
  AcdEventName,
  AcdInput,
  AcdListener,
  AcdRouter,
  AgentProfile,
  CallKind,
  CallOptions,
  CancelReason,
  Logger,
  OverflowTarget,
  QueueConfig,
} from './types.ts';

const MAX_OVERFLOW_HOPS = 8;
const HANGUP: OverflowTarget = Object.freeze({ action: 'hangup' });
const STRATEGY_CODE = { 'longest-idle': 0, 'most-skilled': 1, 'fewest-calls': 2, 'round-robin': 3, 'ring-all': 4 } as const;
const EWMA_WEIGHT = 0.1;
/** The key of a ready-heap entry that holds the agent index (see Pool.ready). */
const READY_AGENT = 2;
const NO_SKILLS: ReadonlyArray<readonly [string, number]> = Object.freeze([]);

type ListenerLists = { [K in AcdEventName]: Array<AcdListener<K>> };

export interface CallInfo {
  readonly callId: string;
  readonly state: CallState;
  readonly kind: CallKind;
  readonly queueId: string | null;
  readonly agentId: string | null;
  readonly ringingAgentIds: readonly string[];
  readonly priority: number;
  readonly claimAt: number;
  readonly enteredAt: number;
  readonly level: number;
  readonly requirements: Requirements | null;
  readonly context: unknown;
}

/** A queue now, for dashboards (AcdEngine.queueStatus). */
export interface QueueStatus {
  readonly waiting: number;
  /** When the call that has waited longest in this queue entered it (ms), or null when none waits. */
  readonly oldestEnteredAt: number | null;
  /** The agents who meet the queue's base requirements, in the order they joined it. */
  readonly agentIds: readonly string[];
}

export interface AgentInfo {
  readonly agentId: string;
  readonly state: AgentState;
  readonly reason: string;
  readonly deviceUp: boolean;
  readonly available: boolean;
  readonly callId: string | null;
  readonly idleSince: number;
  readonly callsHandled: number;
  readonly consecutiveMisses: number;
  readonly skills: Readonly<Record<string, number>>;
  readonly languages: Readonly<Record<string, number>>;
}

export class AcdEngine implements AcdRouter {
  private now = 0;
  private closed = false;
  private readonly ringTimeoutMs: number;
  private readonly maxMissed: number;
  private readonly knownAgentMs: number;
  private readonly logger: Logger | undefined;
  private readonly recorder: ((input: AcdInput) => void) | undefined;
  private readonly listeners: ListenerLists = { offer: [], cancelOffer: [], assigned: [], overflow: [], positionChanged: [], agentStateChanged: [] };

  private readonly agents: AgentRec[] = [];
  private readonly agentTimes = new AgentTimes();
  private readonly agentById = new Map<string, AgentRec>();
  private readonly queues: QueueRec[] = [];
  private readonly queueById = new Map<string, QueueRec>();
  /** Per-call indexes (pool index, list index, timers) and agents' and queues' timers, see index-rows.ts. */
  private readonly rows = new IndexRows();
  private readonly slots = new CallSlots(this.rows);
  /** Call records by slot (live and free). */
  private readonly calls: CallRec[] = this.slots.recs;
  private readonly poolTable = new PoolTable();
  private readonly memberTable = new MemberTable(this.agents);
  private readonly freeCalls: CallRec[] = [];
  private readonly callById = new IdTable<CallRec>();
  /** Creation number of the next call record use (callIds() lists live calls in creation order). */
  private created = 0;
  private readonly skillIds = new Map<string, number>();
  private readonly languageIds = new Map<string, number>();
  private readonly agentsBySkill: AgentRec[][] = [];
  private readonly agentsByLanguage: AgentRec[][] = [];
  private readonly poolsBySkill: Pool[][] = [];
  private readonly poolsByLanguage: Pool[][] = [];
  private readonly poolsAny: Pool[] = [];
  private readonly timers = new TimerQueue(this.rows);

  /** Kind of the timer being fired, or -1 while applying an input. */
  private firing = -1;
  private callSeq = 0;
  private offerSeq = 0;
  private eventCount = 0;
  private readonly level: LevelResolution = { level: 0, deadline: -1, threshold: -1, ownSkills: true };
  private readonly offerAgents: AgentRec[] = [];
  private readonly offerIds: string[] = [];
  private readonly scratchAgents: AgentRec[] = [];
  /** Scratch for sorting a waiting list. */
  private readonly sweepSlots: number[] = [];

  constructor(options: AcdEngineOptions = {}) {
    this.now = options.startAt ?? 0;
    this.ringTimeoutMs = (options.ringTimeoutSeconds ?? 20) * 1000;
    this.maxMissed = options.maxMissedOffers ?? 3;
    this.knownAgentMs = (options.knownAgentSeconds ?? 30) * 1000;
    this.logger = options.logger;
    this.recorder = options.recorder;
    if (!Number.isFinite(this.now)) throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', 'startAt: must be a finite number');
    // (a ring timeout of 0 would time every offer out at once, and pause every agent)
    if (!(this.ringTimeoutMs > 0 && Number.isFinite(this.ringTimeoutMs))) throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', 'ringTimeoutSeconds: must be a finite number > 0');
    if (!(this.maxMissed >= 0)) throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', 'maxMissedOffers: must be >= 0');
    if (!(this.knownAgentMs >= 0 && Number.isFinite(this.knownAgentMs))) throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', 'knownAgentSeconds: must be a finite number >= 0');
  }

  // ───────────────────────────── listeners ─────────────────────────────

  on<K extends AcdEventName>(event: K, listener: AcdListener<K>): void {
    (this.listeners[event] as Array<AcdListener<K>>).push(listener);
  }

  off<K extends AcdEventName>(event: K, listener: AcdListener<K>): void {
    const list = this.listeners[event] as Array<AcdListener<K>>;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  }

  private failed(event: string, err: unknown): void {
    this.logger?.error({ err, event }, 'ACD listener threw; ignored');
  }

  // One emit method per event, each with its own loop: every call site sees the listeners of one event only
  // (monomorphic, so they can be inlined), arguments are passed by fixed arity (nothing allocated per
  // decision), and a listener that throws is logged while the others still run.

  private emitOffer(callId: string, agentIds: readonly string[], kind: CallKind): void {
    const list = this.listeners.offer;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(callId, agentIds, kind);
      } catch (err) {
        this.failed('offer', err);
      }
    }
  }

  private emitCancel(callId: string, agentId: string, reason: CancelReason): void {
    const list = this.listeners.cancelOffer;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(callId, agentId, reason);
      } catch (err) {
        this.failed('cancelOffer', err);
      }
    }
  }

  private emitAssigned(callId: string, agentId: string): void {
    const list = this.listeners.assigned;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(callId, agentId);
      } catch (err) {
        this.failed('assigned', err);
      }
    }
  }

  private emitOverflow(callId: string, target: OverflowTarget): void {
    const list = this.listeners.overflow;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(callId, target);
      } catch (err) {
        this.failed('overflow', err);
      }
    }
  }

  private emitPosition(callId: string, position: number, ewt: number | null): void {
    const list = this.listeners.positionChanged;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(callId, position, ewt);
      } catch (err) {
        this.failed('positionChanged', err);
      }
    }
  }

  private emitAgentState(agentId: string, state: AgentState, reason: string): void {
    const list = this.listeners.agentStateChanged;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(agentId, state, reason);
      } catch (err) {
        this.failed('agentStateChanged', err);
      }
    }
  }

  // ───────────────────────────── clock ─────────────────────────────

  /** Earliest pending timer (ms), or null. Call advance(t) at or after it. */
  nextDeadline(): number | null {
    const d = this.timers.nextDeadline();
    return d === Infinity ? null : d;
  }

  /** Current engine time (ms). */
  time(): number {
    return this.now;
  }

  /** Number of inputs processed and timers fired. */
  events(): number {
    return this.eventCount;
  }

  /** Fires every timer due at or before `at`, in order, then sets the clock to `at`. */
  advance(at: number): void {
    if (this.recorder !== undefined) this.record({ type: 'advance', at });
    this.enter(at);
  }

  private record(input: AcdInput): void {
    if (this.recorder !== undefined) this.recorder(input);
  }

  private enter(at: number): void {
    if (this.closed) throw new AcdStateError('ACD_ERR_CLOSED', 'the engine is closed');
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', `at: ${String(at)} is not a finite number`);
    if (at < this.now) throw new AcdTypeError('ACD_ERR_TIME_WENT_BACKWARDS', `at: ${at} is before the engine time ${this.now}`);
    this.eventCount++;
    const timers = this.timers;
    // (due() answers with a boolean: nothing is boxed on the common path, an input with no timer due.)
    while (timers.due(at)) {
      const deadline = timers.nextDeadline();
      const h = timers.pop();
      const kind = timerKind(h);
      const target = timerTarget(h);
      if (isCallTimer(kind)) this.calls[target]!.armed &= ~(1 << kind);
      if (deadline > this.now) this.now = deadline;
      this.eventCount++;
      this.firing = kind;
      this.fire(kind, target, deadline);
      this.firing = -1;
    }
    this.now = at;
  }

  /**
   * A call's timers are armed and cancelled through these two, which keep c.armed (one bit per timer kind)
   * so that cancelling a timer that is not armed (the usual case) touches nothing else. The tie-break of a
   * call's timers is its arrival sequence; duration: the configured duration the deadline comes from (groups
   * timers in FIFO rings), or NO_DURATION.
   */
  private scheduleCall(c: CallRec, kind: number, deadline: number, duration: number): void {
    c.armed |= 1 << kind;
    this.timers.schedule(timerHandle(kind, c.slot), deadline, c.seq, duration);
  }

  /** Stops the timers that count a call's time in line (max wait, relaxation step). */
  private cancelLineTimers(c: CallRec): void {
    this.cancelCall(c, TimerKind.MaxWait);
    this.cancelCall(c, TimerKind.Step);
  }

  private cancelCall(c: CallRec, kind: number): void {
    const bit = 1 << kind;
    if ((c.armed & bit) === 0) return;
    c.armed &= ~bit;
    this.timers.remove(timerHandle(kind, c.slot));
  }

  /** Fires a timer of this kind on its target (call slot, agent index or queue index), due at deadline. */
  private fire(kind: number, target: number, deadline: number): void {
    switch (kind) {
      case TimerKind.WrapUp:
        this.finishWork(this.agents[target]!, 'wrap-up-ended');
        return;
      case TimerKind.Ring:
        this.ringTimedOut(this.calls[target]!);
        return;
      case TimerKind.MaxWait: {
        const c = this.calls[target]!;
        if (c.state === CallState.Waiting) this.overflowCall(c);
        else if (c.state === CallState.Offered) c.overdue = true;
        return;
      }
      case TimerKind.Step: {
        const c = this.calls[target]!;
        if (c.state !== CallState.Waiting) return;
        this.poolRemove(c);
        this.applyLevel(c);
        this.routeCall(c);
        return;
      }
      case TimerKind.Scheduled: {
        const c = this.calls[target]!;
        this.enterQueue(c, c.queue!, deadline);
        return;
      }
      case TimerKind.Sweep:
        this.sweep(this.queues[target]!);
        return;
    }
  }

  // ───────────────────────────── inputs ─────────────────────────────

  /** Applies a serialised input (a journal entry). */
  apply(input: AcdInput): void {
    switch (input.type) {
      case 'advance':
        return this.advance(input.at);
      case 'configureQueue':
        return this.configureQueue(input.at, input.queueId, input.config);
      case 'defineAgent':
        return this.defineAgent(input.at, input.agentId, input.profile);
      case 'agentLogin':
        return this.agentLogin(input.at, input.agentId);
      case 'agentLogout':
        return this.agentLogout(input.at, input.agentId);
      case 'agentReady':
        return this.agentReady(input.at, input.agentId);
      case 'agentNotReady':
        return this.agentNotReady(input.at, input.agentId, input.reason);
      case 'deviceUp':
        return this.deviceUp(input.at, input.agentId);
      case 'deviceDown':
        return this.deviceDown(input.at, input.agentId);
      case 'callArrived':
        return this.callArrived(input.at, input.callId, input.queueId, input.options);
      case 'offerAccepted':
        return this.offerAccepted(input.at, input.callId, input.agentId);
      case 'offerRejected':
        return this.offerRejected(input.at, input.callId, input.agentId);
      case 'offerTimedOut':
        return this.offerTimedOut(input.at, input.callId, input.agentId);
      case 'callConnected':
        return this.callConnected(input.at, input.callId);
      case 'callEnded':
        return this.callEnded(input.at, input.callId);
      case 'wrapUpEnded':
        return this.wrapUpEnded(input.at, input.agentId);
      case 'callerAbandoned':
        return this.callerAbandoned(input.at, input.callId);
      case 'callbackRequested':
        return this.callbackRequested(input.at, input.callId);
      case 'callbackScheduled':
        return this.callbackScheduled(input.at, input.callId, input.queueId, input.dueAt, input.options);
      case 'transferToQueue':
        return this.transferToQueue(input.at, input.callId, input.queueId, input.options);
      case 'consultCompleted':
        return this.consultCompleted(input.at, input.callId, input.consultCallId);
      default:
        throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', `type: unknown input type ${String((input as { type: unknown }).type)}`);
    }
  }

  /** Creates a queue or changes its configuration (waiting calls are re-routed under the new rules). */
  configureQueue(at: number, queueId: string, config: QueueConfig): void {
    if (this.recorder !== undefined) this.record({ type: 'configureQueue', at, queueId, config });
    const cfg = normalizeQueueConfig(config, { ringTimeoutMs: this.ringTimeoutMs, knownAgentMs: this.knownAgentMs });
    checkId(queueId, 'queueId');
    this.enter(at);
    let q = this.queueById.get(queueId);
    if (q === undefined) {
      q = new QueueRec(this.queues.length, queueId, cfg, config, new WaitingList(this.rows));
      this.queues.push(q);
      this.queueById.set(queueId, q);
      this.createLevelPools(q);
      return;
    }
    // a new expected handle time is the EWT's estimate from now on (the handled calls' average moves from there)
    if (cfg.expectedHandleMs !== q.cfg.expectedHandleMs) q.ahtMs = cfg.expectedHandleMs;
    q.cfg = cfg;
    q.config = config;
    this.dropPools(q);
    this.createLevelPools(q);
    const waiting = this.sortedWaiting(q);
    for (const c of waiting) {
      if (c.inPool) this.poolRemove(c);
      // (out of the line and back in: its place in it depends on the queue's priority, which may have changed)
      if (c.inList) this.unlist(c);
      c.priority = cfg.priority + c.basePriority;
      c.maxWaitAt = c.kind === 'call' && cfg.maxWaitMs !== null ? c.entered + cfg.maxWaitMs : -1;
      this.cancelCall(c, TimerKind.MaxWait);
    }
    for (const c of waiting) {
      if (c.state !== CallState.Waiting || c.queue !== q) continue;
      this.list(c);
      this.applyLevel(c);
      this.routeCall(c);
    }
    this.markDirty(q);
  }

  /** Creates an agent (logged out) or changes its skills and languages. */
  defineAgent(at: number, agentId: string, profile: AgentProfile): void {
    if (this.recorder !== undefined) this.record({ type: 'defineAgent', at, agentId, profile });
    const p = normalizeAgentProfile(profile);
    checkId(agentId, 'agentId');
    this.enter(at);
    let a = this.agentById.get(agentId);
    if (a === undefined) {
      a = new AgentRec(this.agents.length, agentId, p, this.agentTimes);
      this.agents.push(a);
      this.agentById.set(agentId, a);
    } else {
      this.removeFromReady(a);
      const keep: typeof a.members = [];
      for (const m of a.members) {
        if (m.pool.onlyAgent === a) keep.push(m);
        else this.detachMember(m);
      }
      a.members = keep;
      this.memberTable.sync(a);
      for (const s of a.skillIds) removeItem(this.agentsBySkill[s]!, a);
      for (const l of a.langIds) removeItem(this.agentsByLanguage[l]!, a);
      a.profile = p;
    }
    a.skills = [];
    a.langs = [];
    a.skillIds = [];
    a.langIds = [];
    for (const [name, level] of p.skills) {
      const s = this.skillId(name);
      a.skills[s] = level;
      a.skillIds.push(s);
      this.agentsBySkill[s]!.push(a);
    }
    for (const [name, level] of p.languages) {
      const l = this.languageId(name);
      a.langs[l] = level;
      a.langIds.push(l);
      this.agentsByLanguage[l]!.push(a);
    }
    for (const s of a.skillIds) for (const pool of this.poolsBySkill[s]!) if (this.eligible(a, pool)) this.addMember(a, pool);
    for (const l of a.langIds) for (const pool of this.poolsByLanguage[l]!) if (this.eligible(a, pool)) this.addMember(a, pool);
    for (const pool of this.poolsAny) this.addMember(a, pool);
    if (this.available(a)) this.makeAvailable(a);
  }

  agentLogin(at: number, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'agentLogin', at, agentId });
    const a = this.agent(agentId);
    this.enter(at);
    if (a.state !== AgentState.LoggedOut) {
      a.pendingLogout = false; // (logged in again before a logout asked for during a call took effect)
      return;
    }
    a.misses = 0;
    a.pendingNotReady = null;
    this.transitionAgent(a, AgentState.NotReady, 'login');
  }

  agentLogout(at: number, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'agentLogout', at, agentId });
    const a = this.agent(agentId);
    this.enter(at);
    if (a.state === AgentState.LoggedOut) return;
    a.pendingNotReady = null;
    // an agent on a call stays on it: logged out when it (and its wrap-up) is over, as a not-ready asked for then
    if (a.state === AgentState.Busy) {
      a.pendingLogout = true;
      return;
    }
    if (a.state === AgentState.Reserved) this.withdrawOffer(a, 'agent-logged-out');
    else if (a.state === AgentState.Ready) this.removeFromReady(a);
    a.pendingLogout = false;
    this.transitionAgent(a, AgentState.LoggedOut, 'logout');
    this.releaseKnownCalls(a);
  }

  /**
   * The calls waiting for `a` as their known agent stop waiting for them (a logged out): each goes on to its queue's
   * requirements at once, in claim order, rather than wait out the known-agent time for someone who is not there.
   */
  private releaseKnownCalls(a: AgentRec): void {
    let calls: CallRec[] | null = null;
    for (const m of a.members) {
      if (m.pool.onlyAgent !== a || m.pool.calls.size === 0) continue;
      calls ??= [];
      for (const slot of m.pool.calls.toArray()) calls.push(this.calls[slot]!);
    }
    if (calls === null) return;
    calls.sort(compareCalls);
    for (const c of calls) {
      if (c.state !== CallState.Waiting || !c.inPool) continue;
      this.poolRemove(c);
      c.knownMs = 0;
      this.applyLevel(c);
      this.routeCall(c);
    }
  }

  agentReady(at: number, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'agentReady', at, agentId });
    const a = this.agent(agentId);
    this.enter(at);
    switch (a.state) {
      case AgentState.LoggedOut:
        throw new AcdStateError('ACD_ERR_INVALID_STATE', `agent ${agentId} is logged out`);
      case AgentState.NotReady:
        a.misses = 0;
        a.idleSince = this.now;
        this.transitionAgent(a, AgentState.Ready, 'ready');
        if (this.available(a)) this.makeAvailable(a);
        return;
      case AgentState.Busy:
        a.pendingNotReady = null;
        a.pendingLogout = false;
        return;
      case AgentState.WrapUp:
        a.pendingNotReady = null;
        a.pendingLogout = false;
        this.finishWork(a, 'ready');
        return;
      default:
        return;
    }
  }

  agentNotReady(at: number, agentId: string, reason: string): void {
    if (this.recorder !== undefined) this.record({ type: 'agentNotReady', at, agentId, reason });
    if (typeof reason !== 'string') throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', 'reason: must be a string');
    const a = this.agent(agentId);
    this.enter(at);
    switch (a.state) {
      case AgentState.LoggedOut:
        throw new AcdStateError('ACD_ERR_INVALID_STATE', `agent ${agentId} is logged out`);
      case AgentState.NotReady:
        a.reason = reason;
        this.emitAgentState(a.id, a.state, reason);
        return;
      case AgentState.Ready:
        this.removeFromReady(a);
        this.transitionAgent(a, AgentState.NotReady, reason);
        return;
      case AgentState.Reserved:
        this.withdrawOffer(a, 'agent-not-ready');
        this.transitionAgent(a, AgentState.NotReady, reason);
        return;
      case AgentState.Busy:
        a.pendingNotReady = reason;
        a.pendingLogout = false;
        return;
      case AgentState.WrapUp:
        a.pendingLogout = false;
        this.transitionAgent(a, AgentState.NotReady, reason);
        return;
    }
  }

  deviceUp(at: number, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'deviceUp', at, agentId });
    const a = this.agent(agentId);
    this.enter(at);
    if (a.device) return;
    a.device = true;
    if (this.available(a)) this.makeAvailable(a);
  }

  /** The agent's phone or browser went away: no offers until deviceUp; a ringing offer is withdrawn. */
  deviceDown(at: number, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'deviceDown', at, agentId });
    const a = this.agent(agentId);
    this.enter(at);
    if (!a.device) return;
    const wasAvailable = this.available(a);
    a.device = false;
    if (wasAvailable) this.removeFromReady(a);
    if (a.state === AgentState.Reserved) {
      this.withdrawOffer(a, 'device-down');
      this.transitionAgent(a, AgentState.Ready, 'device-down');
    }
  }

  callArrived(at: number, callId: string, queueId: string, options?: CallOptions): void {
    if (this.recorder !== undefined) this.record(options === undefined ? { type: 'callArrived', at, callId, queueId } : { type: 'callArrived', at, callId, queueId, options });
    const o = normalizeCallOptions(options);
    const q = this.queue(queueId);
    checkId(callId, 'callId');
    if (this.callById.has(callId)) throw new AcdStateError('ACD_ERR_DUPLICATE_CALL', `callId: ${callId} already exists`);
    this.enter(at);
    const c = this.newCall(callId, 'call', o, CallState.Waiting);
    this.enterQueue(c, q, this.now);
  }

  offerAccepted(at: number, callId: string, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'offerAccepted', at, callId, agentId });
    const c = this.call(callId);
    const a = this.agent(agentId);
    this.enter(at);
    this.checkOffered(c, a);
    this.detachRinging(c, a);
    this.cancelCall(c, TimerKind.Ring);
    this.cancelLineTimers(c);
    a.call = c;
    c.agent = a;
    c.maxWaitAt = -1;
    c.assignedAt = this.now;
    c.overdue = false;
    this.transitionCall(c, CallState.Assigned);
    a.calls++;
    a.misses = 0;
    this.transitionAgent(a, AgentState.Busy, 'accepted');
    this.emitAssigned(c.id, a.id);
    const n = this.takeRingList(c);
    for (let i = 0; i < n; i++) {
      const other = this.scratchAgents[i]!;
      this.emitCancel(c.id, other.id, 'answered-elsewhere');
    }
    this.releaseScratch(n, 'offer-cancelled');
  }

  offerRejected(at: number, callId: string, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'offerRejected', at, callId, agentId });
    this.missedByInput(at, callId, agentId);
  }

  /** The caller side reports the agent did not answer (e.g. SIP 408/480). The engine's own ring timer does the same. */
  offerTimedOut(at: number, callId: string, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'offerTimedOut', at, callId, agentId });
    this.missedByInput(at, callId, agentId);
  }

  private missedByInput(at: number, callId: string, agentId: string): void {
    const c = this.call(callId);
    const a = this.agent(agentId);
    this.enter(at);
    this.checkOffered(c, a);
    this.detachRinging(c, a);
    if (c.ringCount === 0) this.returnToQueue(c);
    this.missAgent(a);
  }

  callConnected(at: number, callId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'callConnected', at, callId });
    const c = this.call(callId);
    this.enter(at);
    if (c.state === CallState.Connected) return;
    if (c.state !== CallState.Assigned) throw new AcdStateError('ACD_ERR_INVALID_STATE', `call ${callId} is ${c.state}, not assigned`);
    this.transitionCall(c, CallState.Connected);
  }

  /** The call is over (either side hung up). A call still waiting or ringing counts as abandoned. */
  callEnded(at: number, callId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'callEnded', at, callId });
    const c = this.call(callId);
    this.enter(at);
    this.endCall(c);
  }

  wrapUpEnded(at: number, agentId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'wrapUpEnded', at, agentId });
    const a = this.agent(agentId);
    this.enter(at);
    if (a.state === AgentState.WrapUp) this.finishWork(a, 'wrap-up-ended');
  }

  callerAbandoned(at: number, callId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'callerAbandoned', at, callId });
    const c = this.call(callId);
    this.enter(at);
    this.endCall(c);
  }

  /** The waiting caller asks to be called back: the call becomes a callback and keeps its place in line. */
  callbackRequested(at: number, callId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'callbackRequested', at, callId });
    const c = this.call(callId);
    this.enter(at);
    if (c.state !== CallState.Waiting && c.state !== CallState.Offered && c.state !== CallState.Scheduled) {
      throw new AcdStateError('ACD_ERR_INVALID_STATE', `call ${callId} is ${c.state}, not waiting`);
    }
    c.kind = 'callback';
    c.overdue = false;
    c.maxWaitAt = -1;
    this.cancelCall(c, TimerKind.MaxWait);
  }

  /** A callback that joins queueId at dueAt (ms), with its place-in-line time = dueAt. */
  callbackScheduled(at: number, callId: string, queueId: string, dueAt: number, options?: CallOptions): void {
    if (this.recorder !== undefined) this.record(
      options === undefined
        ? { type: 'callbackScheduled', at, callId, queueId, dueAt }
        : { type: 'callbackScheduled', at, callId, queueId, dueAt, options },
    );
    const o = normalizeCallOptions(options);
    const q = this.queue(queueId);
    checkId(callId, 'callId');
    if (typeof dueAt !== 'number' || !Number.isFinite(dueAt)) throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', 'dueAt: must be a finite number');
    if (this.callById.has(callId)) throw new AcdStateError('ACD_ERR_DUPLICATE_CALL', `callId: ${callId} already exists`);
    this.enter(at);
    const c = this.newCall(callId, 'callback', o, CallState.Scheduled);
    c.queue = q;
    if (dueAt <= this.now) this.enterQueue(c, q, dueAt);
    else {
      c.claim = dueAt;
      this.scheduleCall(c, TimerKind.Scheduled, dueAt, NO_DURATION);
    }
  }

  /** Moves a call (connected, ringing, waiting or scheduled) into another queue as a new entry. */
  transferToQueue(at: number, callId: string, queueId: string, options?: CallOptions): void {
    if (this.recorder !== undefined) this.record(options === undefined ? { type: 'transferToQueue', at, callId, queueId } : { type: 'transferToQueue', at, callId, queueId, options });
    const o = options === undefined ? null : normalizeCallOptions(options);
    const c = this.call(callId);
    const q = this.queue(queueId);
    this.enter(at);
    if (c.state === CallState.Ended) throw new AcdStateError('ACD_ERR_INVALID_STATE', `call ${callId} has ended`);
    if (o !== null) this.setCallOptions(c, o);
    if (c.state === CallState.Scheduled) {
      c.queue = q;
      return;
    }
    let n = 0;
    if (c.state === CallState.Assigned || c.state === CallState.Connected) {
      const a = c.agent;
      c.agent = null;
      if (a !== null && a.call === c) this.releaseAgentFromCall(a, c.queue!);
    } else if (c.state === CallState.Waiting) {
      this.takeFromQueue(c);
    } else if (c.state === CallState.Offered) {
      this.cancelCall(c, TimerKind.Ring);
      n = this.takeRingList(c);
      for (let i = 0; i < n; i++) this.emitCancel(c.id, this.scratchAgents[i]!.id, 'transferred');
    }
    this.cancelLineTimers(c);
    c.maxWaitAt = -1;
    this.setSequence(c, ++this.callSeq);
    c.hops = 0;
    c.overdue = false;
    this.enterQueue(c, q, this.now);
    if (n > 0) this.releaseScratch(n, 'offer-cancelled');
  }

  /**
   * Attended (consult) transfer completed: the agent of `consultCallId` (a call its agent took to talk with the agent of
   * `callId` about it) now serves `callId`; the consult call ends without wrap-up for them, and the agent who had
   * `callId` is released from it as if it had ended (wrap-up). Both calls must be assigned or connected, to two agents.
   */
  consultCompleted(at: number, callId: string, consultCallId: string): void {
    if (this.recorder !== undefined) this.record({ type: 'consultCompleted', at, callId, consultCallId });
    const c = this.call(callId);
    const k = this.call(consultCallId);
    const from = c.agent;
    const to = k.agent;
    if (!isTalking(c.state) || !isTalking(k.state) || from === null || to === null || from === to) {
      throw new AcdStateError('ACD_ERR_INVALID_STATE', `calls ${callId} and ${consultCallId} are not both talking with two agents`);
    }
    this.enter(at);
    const q = c.queue!;
    k.agent = null;
    this.freeCall(k);
    c.agent = to;
    if (to.call === k) to.call = c;
    if (from.call === c) this.releaseAgentFromCall(from, q);
  }

  close(): void {
    this.closed = true;
  }

  // ───────────────────────────── routing core ─────────────────────────────

  private available(a: AgentRec): boolean {
    return a.state === AgentState.Ready && a.device && a.call === null;
  }

  /** Agent just became available: take the strongest waiting claim over its pools, or wait in their heaps. */
  private makeAvailable(a: AgentRec): void {
    const gids = this.memberTable.gids;
    const end = a.memberStart + a.memberCount;
    const t = this.poolTable.head;
    let best = -1;
    let bp = 0;
    let bc = 0;
    let bs = 0;
    for (let i = a.memberStart; i < end; i++) {
      const b = gids[i]! * 4;
      if (t[b] === 0) continue;
      const p = t[b + 1]!;
      const cl = t[b + 2]!;
      const s = t[b + 3]!;
      if (best < 0 || p > bp || (p === bp && (cl < bc || (cl === bc && s < bs)))) {
        best = b >> 2;
        bp = p;
        bc = cl;
        bs = s;
      }
    }
    if (best >= 0) {
      const c = this.takeHead(this.poolTable.pools[best]!);
      this.offerAgents[0] = a;
      this.offer(c, 1);
      return;
    }
    this.enterReadyHeaps(a);
  }

  /** Puts an available agent into the ready heaps of all its pools (no waiting call for it there). */
  private enterReadyHeaps(a: AgentRec): void {
    const end = a.memberStart + a.memberCount;
    for (let j = a.memberStart; j < end; j++) this.insertReady(a, j);
    a.inReady = true;
  }

  private poolPush(pool: Pool, c: CallRec): void {
    pool.calls.push(c);
    this.poolTable.sync(pool);
  }

  private poolRemove(c: CallRec): void {
    const pool = c.pool!;
    pool.calls.remove(c);
    this.poolTable.sync(pool);
  }

  /** Call is waiting, in its queue list, not in a heap: offer it or let it wait in its pool. */
  private routeCall(c: CallRec): void {
    const pool = c.pool!;
    const h = pool.ready;
    if (h.size === 0) {
      this.poolPush(pool, c);
      if (c.stepAt >= 0) this.scheduleCall(c, TimerKind.Step, c.stepAt, c.stepAfter);
      else this.cancelCall(c, TimerKind.Step);
      if (c.maxWaitAt >= 0 && (c.armed & (1 << TimerKind.MaxWait)) === 0) this.scheduleCall(c, TimerKind.MaxWait, c.maxWaitAt, pool.queue.cfg.maxWaitMs ?? NO_DURATION);
      return;
    }
    let n = 1;
    if (pool.queue.cfg.strategy === 'ring-all') {
      n = h.size;
      for (let i = 0; i < n; i++) this.offerAgents[i] = this.agents[h.keyAt(i, READY_AGENT)]!;
      sortAgentsByIndex(this.offerAgents, n);
    } else {
      this.offerAgents[0] = this.agents[h.keyAt(0, READY_AGENT)]!;
    }
    this.takeFromQueue(c);
    this.offer(c, n);
  }

  /** Offers c to offerAgents[0..n) (sorted by agent index), reserving them. */
  private offer(c: CallRec, n: number): void {
    const q = c.queue!;
    this.transitionCall(c, CallState.Offered);
    this.cancelCall(c, TimerKind.Step);
    const seq = ++this.offerSeq;
    const ids = this.offerIds;
    ids.length = n;
    let prev: AgentRec | null = null;
    for (let i = 0; i < n; i++) {
      const a = this.offerAgents[i]!;
      this.removeFromReady(a);
      if (q.cfg.strategy === 'round-robin') {
        const mt = this.memberTable;
        const end = a.memberStart + a.memberCount;
        for (let j = a.memberStart; j < end; j++) if (mt.queues[j] === q.idx) mt.rr[j] = seq;
      }
      a.call = c;
      a.ringNext = null;
      if (prev === null) c.ringHead = a;
      else prev.ringNext = a;
      prev = a;
      ids[i] = a.id;
      this.transitionAgent(a, AgentState.Reserved, 'offer');
    }
    c.ringCount = n;
    this.scheduleCall(c, TimerKind.Ring, this.now + q.cfg.ringTimeoutMs, q.cfg.ringTimeoutMs);
    this.emitOffer(c.id, ids, c.kind);
  }

  /** Puts membership j (an index of a's MemberTable block) into its pool's ready heap, if not there. */
  private insertReady(a: AgentRec, j: number): void {
    const mt = this.memberTable;
    const id = mt.ids[j]!;
    if (mt.pos[id]! >= 0) return;
    const pool = this.poolTable.pools[mt.gids[j]!]!;
    let key = 0;
    switch (STRATEGY_CODE[pool.queue.cfg.strategy]) {
      case 1:
        key = -mt.scores[j]!;
        break;
      case 2:
        key = a.calls;
        break;
      case 3:
        key = mt.rr[j]!;
        break;
    }
    pool.ready.push(key, a.idleSince, a.idx, id);
  }

  private removeFromReady(a: AgentRec): void {
    if (!a.inReady) return;
    a.inReady = false;
    const mt = this.memberTable;
    const end = a.memberStart + a.memberCount;
    for (let j = a.memberStart; j < end; j++) {
      const i = mt.pos[mt.ids[j]!]!;
      if (i >= 0) this.poolTable.pools[mt.gids[j]!]!.ready.removeAt(i);
    }
  }

  /** Takes membership m out of its pool's ready heap, if there. */
  private leaveReady(m: Member): void {
    const i = this.memberTable.pos[m.id]!;
    if (i >= 0) m.pool.ready.removeAt(i);
  }

  /**
   * Takes the strongest waiting call out of pool (which has one) and out of its queue's list. The head's
   * slot is known from the pool, so nothing here waits for the call's record (a likely cache miss), which
   * loads meanwhile. (Every call in a pool is waiting in the pool's queue's list.)
   */
  private takeHead(pool: Pool): CallRec {
    const slot = pool.calls.popTop();
    const c = this.calls[slot]!;
    this.poolTable.sync(pool);
    pool.queue.list.remove(slot);
    this.markDirty(pool.queue);
    return c;
  }

  /** Removes a waiting call from its pool heap and its queue list. */
  private takeFromQueue(c: CallRec): void {
    // Only a waiting call is in a heap or a list: the others (most calls that end) skip reading their index row.
    if (c.state !== CallState.Waiting) return;
    if (c.inPool) this.poolRemove(c);
    if (c.inList) this.unlist(c);
  }

  /** Puts c (new, scheduled, overflowing or transferred) into q as a waiting call with place-in-line time claim. */
  private enterQueue(c: CallRec, q: QueueRec, claim: number): void {
    const cfg = q.cfg;
    c.queue = q;
    c.entered = this.now;
    c.claim = claim;
    c.priority = cfg.priority + c.basePriority;
    const k = c.knownAgent;
    const knownMs = c.knownOwnMs >= 0 ? c.knownOwnMs : cfg.knownAgentMs;
    c.knownMs = k !== null && k.state !== AgentState.LoggedOut ? knownMs : 0;
    this.transitionCall(c, CallState.Waiting);
    c.maxWaitAt = c.kind === 'call' && cfg.maxWaitMs !== null ? c.entered + cfg.maxWaitMs : -1;
    this.applyLevel(c);
    // max length counts the calls that wait: one an agent can take at once does not (maxLength 0: no call waits)
    if (c.kind === 'call' && cfg.maxLength !== null && q.waiting >= cfg.maxLength && c.pool!.ready.size === 0) {
      this.overflowCall(c);
      return;
    }
    this.list(c);
    this.routeCall(c);
  }

  /** Back to the head of the queue after a miss: same place-in-line time, level and priority recomputed. */
  private returnToQueue(c: CallRec): void {
    this.cancelCall(c, TimerKind.Ring);
    c.ringHead = null;
    this.transitionCall(c, CallState.Waiting);
    c.priority = c.queue!.cfg.priority + c.basePriority;
    // Max wait passed while it rang: the timer fired, or would have fired had it been armed (a timer due
    // now fires after ring and wrap-up timers due now, and before any input at this time).
    const passed = c.maxWaitAt >= 0 && (c.maxWaitAt < this.now || (c.maxWaitAt === this.now && !(this.firing >= 0 && this.firing < TimerKind.MaxWait)));
    if (c.overdue || passed) {
      c.overdue = false;
      this.overflowCall(c);
      return;
    }
    this.applyLevel(c);
    this.list(c);
    this.routeCall(c);
  }

  private applyLevel(c: CallRec): void {
    const q = c.queue!;
    const r = this.level;
    resolveLevel(q.cfg, c.entered, this.now, c.knownMs, c.skillsMs, r);
    c.level = r.level;
    c.pool = this.poolFor(c, q, r.level, r.ownSkills);
    c.stepAt = r.deadline;
    c.stepAfter = r.threshold;
  }

  private overflowCall(c: CallRec): void {
    const from = c.queue!;
    this.takeFromQueue(c);
    this.cancelLineTimers(c);
    c.maxWaitAt = -1;
    c.hops++;
    let target = from.cfg.overflow;
    let next: QueueRec | undefined;
    if ('queue' in target) {
      next = this.queueById.get(target.queue);
      if (next === undefined || c.hops > MAX_OVERFLOW_HOPS) {
        target = HANGUP;
        next = undefined;
      }
    }
    this.emitOverflow(c.id, target);
    if (next !== undefined) {
      this.enterQueue(c, next, c.claim);
    } else if ('action' in target && target.action === 'callback') {
      c.kind = 'callback';
      this.enterQueue(c, from, c.claim);
    } else {
      this.freeCall(c);
    }
  }

  private ringTimedOut(c: CallRec): void {
    if (c.state !== CallState.Offered) return;
    const n = this.takeRingList(c);
    for (let i = 0; i < n; i++) this.emitCancel(c.id, this.scratchAgents[i]!.id, 'timeout');
    if (n === 1) {
      this.returnToQueue(c);
      this.missAgent(this.scratchAgents[0]!);
      return;
    }
    // Ring-all: the agents who let it ring are ready again together (those not paused), so the call rings them all
    // again, not the first of them alone; then those it does not ring take what else waits for them.
    // (Routing reuses scratchAgents: copy first.)
    const missed = this.scratchAgents.slice(0, n);
    for (const a of missed) if (this.missState(a) && this.available(a)) this.enterReadyHeaps(a);
    this.returnToQueue(c);
    for (const a of missed) {
      if (!a.inReady || !this.available(a)) continue;
      this.removeFromReady(a);
      this.makeAvailable(a);
    }
  }

  private missAgent(a: AgentRec): void {
    if (this.missState(a) && this.available(a)) this.makeAvailable(a);
  }

  /** An agent let an offer ring out or declined it: ready again, or paused after maxMissed in a row. True if ready. */
  private missState(a: AgentRec): boolean {
    a.call = null;
    a.misses++;
    if (this.maxMissed > 0 && a.misses >= this.maxMissed) {
      a.misses = 0;
      this.transitionAgent(a, AgentState.NotReady, 'missed-offers');
      return false;
    }
    a.idleSince = this.now;
    this.transitionAgent(a, AgentState.Ready, 'missed-offer');
    return true;
  }

  /** The agent stops ringing for its call (logout, not-ready, device down); the call goes back if nobody else rings. */
  private withdrawOffer(a: AgentRec, reason: CancelReason): void {
    const c = a.call!;
    this.detachRinging(c, a);
    a.call = null;
    this.emitCancel(c.id, a.id, reason);
    if (c.ringCount === 0) this.returnToQueue(c);
  }

  /** Detaches every ringing agent of c into scratchAgents (agent order); returns how many. */
  private takeRingList(c: CallRec): number {
    let n = 0;
    for (let a = c.ringHead; a !== null; ) {
      const next: AgentRec | null = a.ringNext;
      a.ringNext = null;
      a.call = null;
      this.scratchAgents[n++] = a;
      a = next;
    }
    c.ringHead = null;
    c.ringCount = 0;
    this.cancelCall(c, TimerKind.Ring);
    return n;
  }

  /** Agents detached by takeRingList go back to ready (no miss) and are routed, in agent order. */
  private releaseScratch(n: number, reason: string): void {
    // Routing may reuse scratchAgents: copy when there are several (ring-all); none or one needs no copy.
    const list = n <= 1 ? null : this.scratchAgents.slice(0, n);
    for (let i = 0; i < n; i++) {
      const a = list === null ? this.scratchAgents[0]! : list[i]!;
      if (a.state !== AgentState.Reserved) continue;
      this.transitionAgent(a, AgentState.Ready, reason);
      if (this.available(a)) this.makeAvailable(a);
    }
  }

  private detachRinging(c: CallRec, a: AgentRec): void {
    let prev: AgentRec | null = null;
    for (let x = c.ringHead; x !== null; x = x.ringNext) {
      if (x === a) {
        if (prev === null) c.ringHead = x.ringNext;
        else prev.ringNext = x.ringNext;
        x.ringNext = null;
        c.ringCount--;
        break;
      }
      prev = x;
    }
    a.call = null;
    if (c.ringCount === 0) this.cancelCall(c, TimerKind.Ring);
  }

  private checkOffered(c: CallRec, a: AgentRec): void {
    if (c.state !== CallState.Offered || a.call !== c || a.state !== AgentState.Reserved) {
      throw new AcdStateError('ACD_ERR_INVALID_STATE', `call ${c.id} is not ringing agent ${a.id}`);
    }
  }

  private endCall(c: CallRec): void {
    switch (c.state) {
      case CallState.Scheduled:
      case CallState.Waiting:
        this.freeCall(c);
        return;
      case CallState.Offered: {
        const n = this.takeRingList(c);
        for (let i = 0; i < n; i++) this.emitCancel(c.id, this.scratchAgents[i]!.id, 'caller-abandoned');
        this.freeCall(c);
        this.releaseScratch(n, 'offer-cancelled');
        return;
      }
      case CallState.Assigned:
      case CallState.Connected: {
        const a = c.agent;
        const q = c.queue!;
        c.agent = null;
        const handle = this.now - c.assignedAt + q.cfg.wrapUpMs;
        q.ahtMs += EWMA_WEIGHT * (handle - q.ahtMs);
        this.freeCall(c);
        if (a !== null && a.call === c) this.releaseAgentFromCall(a, q);
        return;
      }
      default:
        return;
    }
  }

  /** The agent's call is over (ended or transferred away): wrap-up, or ready, or stays as it is. */
  private releaseAgentFromCall(a: AgentRec, q: QueueRec): void {
    a.call = null;
    if (a.state === AgentState.Busy) {
      if (q.cfg.wrapUpMs > 0) {
        a.wrapUpMs = q.cfg.wrapUpMs;
        this.transitionAgent(a, AgentState.WrapUp, 'call-ended');
      } else this.finishWork(a, 'call-ended');
    } else if (this.available(a)) this.makeAvailable(a);
  }

  private finishWork(a: AgentRec, reason: string): void {
    if (a.pendingLogout) {
      a.pendingLogout = false;
      this.transitionAgent(a, AgentState.LoggedOut, 'logout');
      this.releaseKnownCalls(a);
      return;
    }
    if (a.pendingNotReady !== null) {
      const r = a.pendingNotReady;
      a.pendingNotReady = null;
      this.transitionAgent(a, AgentState.NotReady, r);
      return;
    }
    a.idleSince = this.now;
    this.transitionAgent(a, AgentState.Ready, reason);
    if (this.available(a)) this.makeAvailable(a);
  }

  // ───────────────────────────── state machines ─────────────────────────────

  /** The only place an agent's state changes: validates, keeps staffing counts and the wrap-up timer, emits. */
  private transitionAgent(a: AgentRec, to: AgentState, reason: string): void {
    const from = a.state;
    if (!agentTransitionAllowed(from, to)) {
      throw new AcdStateError('ACD_ERR_INVALID_STATE', `agent ${a.id}: ${from} -> ${to} is not allowed`);
    }
    if (from === AgentState.WrapUp) this.timers.remove(timerHandle(TimerKind.WrapUp, a.idx));
    if (from === AgentState.LoggedOut || to === AgentState.LoggedOut) {
      const d = to === AgentState.LoggedOut ? -1 : 1;
      for (const m of a.members) {
        m.pool.loggedIn += d;
        if (m.pool === m.pool.queue.levelPools[0]) this.markDirty(m.pool.queue);
      }
    }
    a.state = to;
    a.reason = reason;
    if (to === AgentState.WrapUp) this.timers.schedule(timerHandle(TimerKind.WrapUp, a.idx), this.now + a.wrapUpMs, a.idx, a.wrapUpMs);
    this.emitAgentState(a.id, to, reason);
  }

  private transitionCall(c: CallRec, to: CallState): void {
    if (!callTransitionAllowed(c.state, to)) {
      throw new AcdStateError('ACD_ERR_INVALID_STATE', `call ${c.id}: ${c.state} -> ${to} is not allowed`);
    }
    c.state = to;
  }

  // ───────────────────────────── calls ─────────────────────────────

  /** A call record (reused from the pool) in its initial state: waiting (about to enter a queue) or scheduled. */
  private newCall(id: string, kind: CallKind, o: NormalizedCallOptions, initial: CallState): CallRec {
    let c = this.freeCalls.pop();
    if (c === undefined) {
      c = new CallRec(this.calls.length, this.slots);
      this.slots.add(c);
    }
    c.id = id;
    this.slots.ids[c.slot] = id;
    c.created = this.created++;
    this.setSequence(c, ++this.callSeq);
    c.state = initial;
    c.kind = kind;
    c.queue = null;
    c.pool = null;
    c.level = 0;
    c.stepAt = -1;
    c.maxWaitAt = -1;
    c.ringHead = null;
    c.ringCount = 0;
    c.agent = null;
    c.assignedAt = 0;
    c.overdue = false;
    c.hops = 0;
    c.lastPosition = 0;
    c.lastEwt = -2;
    c.basePriority = 0;
    c.knownAgent = null;
    c.language = null;
    c.languageId = -1;
    c.skills = NO_SKILLS;
    c.requirementsKey = '';
    c.context = undefined;
    this.setCallOptions(c, o);
    this.callById.set(id, c);
    return c;
  }

  /** Arrival sequence: FIFO tie-break, also of the call's timers (scheduleCall copies it; none is armed here). */
  private setSequence(c: CallRec, seq: number): void {
    c.seq = seq;
  }

  private setCallOptions(c: CallRec, o: NormalizedCallOptions): void {
    c.basePriority = o.priority;
    c.language = o.language;
    c.languageId = o.language === null ? -1 : this.languageId(o.language);
    c.skills = o.skills;
    c.requirementsKey = o.skills.length > 0 ? callRequirementsKey(o.language, o.skills) : '';
    c.context = o.context;
    c.knownAgent = o.knownAgentId === null ? null : (this.agentById.get(o.knownAgentId) ?? null);
    c.knownOwnMs = o.knownAgentMs ?? -1;
    c.skillsMs = o.skills.length > 0 && o.skillsMs !== null ? o.skillsMs : -1;
  }

  private freeCall(c: CallRec): void {
    this.takeFromQueue(c);
    this.cancelCall(c, TimerKind.Ring);
    this.cancelLineTimers(c);
    this.cancelCall(c, TimerKind.Scheduled);
    this.transitionCall(c, CallState.Ended);
    c.pool = null;
    c.queue = null;
    c.knownAgent = null;
    c.context = undefined;
    this.callById.delete(c.id);
    this.freeCalls.push(c);
  }

  // ───────────────────────────── pools ─────────────────────────────

  /** The pool of c at a level (>= 0, or -1: its known agent's), with its own skills or (their time over) without. */
  private poolFor(c: CallRec, q: QueueRec, level: number, ownSkills: boolean): Pool {
    if (level < 0) {
      const a = c.knownAgent!;
      let p = q.knownPools.get(a.idx);
      if (p === undefined) {
        p = this.createPool(q, `@${a.idx}`, { skills: [], language: null }, a);
        q.knownPools.set(a.idx, p);
      }
      return p;
    }
    // (its own skills' time over, a call with skills is in the pools of a call without: its language's or the level's)
    const skills = ownSkills ? c.skills : NO_SKILLS;
    let pools = q.levelPools;
    if (skills.length > 0) {
      // (effectiveRequirements merges and sorts: done once per queue, level and requirements, not per call)
      let sp = q.skillPools.get(c.requirementsKey);
      if (sp === undefined) {
        sp = new Array<Pool | null>(q.cfg.levels.length).fill(null);
        q.skillPools.set(c.requirementsKey, sp);
      }
      pools = sp;
    } else if (c.languageId >= 0) {
      let lp = q.languagePools.get(c.languageId);
      if (lp === undefined) {
        lp = new Array<Pool | null>(q.cfg.levels.length).fill(null);
        q.languagePools.set(c.languageId, lp);
      }
      pools = lp;
    }
    let p = pools[level];
    if (p === undefined || p === null) {
      p = this.getPool(q, effectiveRequirements(q.cfg, level, c.language, skills));
      pools[level] = p;
    }
    return p;
  }

  private createLevelPools(q: QueueRec): void {
    q.levelPools = [];
    for (let l = 0; l < q.cfg.levels.length; l++) q.levelPools.push(this.getPool(q, effectiveRequirements(q.cfg, l, null, [])));
  }

  private getPool(q: QueueRec, req: Requirements): Pool {
    const key = requirementsKey(req);
    return q.pools.get(key) ?? this.createPool(q, key, req, null);
  }

  private createPool(q: QueueRec, key: string, req: Requirements, onlyAgent: AgentRec | null): Pool {
    const skillIds = req.skills.map(([s]) => this.skillId(s));
    const levels = req.skills.map(([, l]) => l);
    const lang = req.language === null ? -1 : this.languageId(req.language);
    let anchorSkill = -1;
    let anchorLang = -1;
    let candidates: readonly AgentRec[];
    if (onlyAgent !== null) candidates = [onlyAgent];
    else if (skillIds.length > 0) {
      anchorSkill = skillIds[0]!;
      for (const s of skillIds) if (this.agentsBySkill[s]!.length < this.agentsBySkill[anchorSkill]!.length) anchorSkill = s;
      candidates = this.agentsBySkill[anchorSkill]!;
    } else if (lang >= 0) {
      anchorLang = lang;
      candidates = this.agentsByLanguage[lang]!;
    } else candidates = this.agents;
    const pool = new Pool(this.poolTable.nextGid(), this.slots, q, key, req, skillIds, levels, lang, onlyAgent, anchorSkill, anchorLang, this.memberTable);
    this.poolTable.add(pool);
    q.pools.set(key, pool);
    if (onlyAgent === null) {
      if (anchorSkill >= 0) this.poolsBySkill[anchorSkill]!.push(pool);
      else if (anchorLang >= 0) this.poolsByLanguage[anchorLang]!.push(pool);
      else this.poolsAny.push(pool);
    }
    for (const a of candidates) if (this.eligible(a, pool)) this.addMember(a, pool);
    return pool;
  }

  private eligible(a: AgentRec, pool: Pool): boolean {
    if (pool.onlyAgent !== null) return pool.onlyAgent === a;
    const ids = pool.skillIds;
    for (let i = 0; i < ids.length; i++) if ((a.skills[ids[i]!] ?? 0) < pool.skillLevels[i]!) return false;
    return pool.languageId < 0 || (a.langs[pool.languageId] ?? 0) >= 1;
  }

  private addMember(a: AgentRec, pool: Pool): void {
    let score = 0;
    for (const s of pool.skillIds) score += a.skills[s] ?? 0;
    if (pool.languageId >= 0) score += a.langs[pool.languageId] ?? 0;
    const m = new Member(this.memberTable.newId(), a, pool, score);
    // Round-robin memory is per agent and queue: take it from another membership of the queue, or the dropped ones.
    let rr = a.lastOffer.get(pool.queue.idx) ?? 0;
    for (const o of a.members) if (o.pool.queue === pool.queue) rr = Math.max(rr, this.memberTable.rrOf(o));
    a.members.push(m);
    this.memberTable.sync(a);
    this.memberTable.setRr(m, rr);
    pool.members.push(m);
    if (a.state !== AgentState.LoggedOut) {
      pool.loggedIn++;
      if (pool === pool.queue.levelPools[0]) this.markDirty(pool.queue);
    }
    if (this.available(a)) {
      this.insertReady(a, a.memberStart + m.index);
      a.inReady = true;
    }
  }

  /** Keeps the round-robin memory of a membership that goes away (it lives on the memberships otherwise). */
  private rememberLastOffer(m: Member): void {
    const q = m.pool.queue.idx;
    const rr = this.memberTable.rrOf(m);
    if (rr > (m.agent.lastOffer.get(q) ?? 0)) m.agent.lastOffer.set(q, rr);
  }

  private detachMember(m: Member): void {
    this.rememberLastOffer(m);
    this.leaveReady(m);
    this.memberTable.releaseId(m.id);
    removeItem(m.pool.members, m);
    if (m.agent.state !== AgentState.LoggedOut) m.pool.loggedIn--;
  }

  private dropPools(q: QueueRec): void {
    for (const pool of q.pools.values()) {
      pool.alive = false;
      for (const m of pool.members) {
        this.rememberLastOffer(m);
        this.leaveReady(m);
        this.memberTable.releaseId(m.id);
        removeItem(m.agent.members, m);
        this.memberTable.sync(m.agent);
      }
      pool.members = [];
      this.poolTable.release(pool);
      if (pool.anchorSkill >= 0) removeItem(this.poolsBySkill[pool.anchorSkill]!, pool);
      else if (pool.anchorLanguage >= 0) removeItem(this.poolsByLanguage[pool.anchorLanguage]!, pool);
      else if (pool.onlyAgent === null) removeItem(this.poolsAny, pool);
    }
    q.pools.clear();
    q.levelPools = [];
    q.languagePools.clear();
    q.skillPools.clear();
    q.knownPools.clear();
  }

  private skillId(name: string): number {
    let id = this.skillIds.get(name);
    if (id === undefined) {
      id = this.skillIds.size;
      this.skillIds.set(name, id);
      this.agentsBySkill.push([]);
      this.poolsBySkill.push([]);
    }
    return id;
  }

  private languageId(name: string): number {
    let id = this.languageIds.get(name);
    if (id === undefined) {
      id = this.languageIds.size;
      this.languageIds.set(name, id);
      this.agentsByLanguage.push([]);
      this.poolsByLanguage.push([]);
    }
    return id;
  }

  // ───────────────────────────── queue list, position, EWT ─────────────────────────────

  /** c becomes waiting in its queue's list (positions and EWT). */
  private list(c: CallRec): void {
    const q = c.queue!;
    q.list.add(c);
    this.markDirty(q);
  }

  private unlist(c: CallRec): void {
    const q = c.queue!;
    q.list.remove(c.slot);
    this.markDirty(q);
  }

  private markDirty(q: QueueRec): void {
    if (q.dirty) return;
    q.dirty = true;
    this.timers.schedule(timerHandle(TimerKind.Sweep, q.idx), this.now + q.cfg.positionUpdateMs, q.idx, q.cfg.positionUpdateMs);
  }

  private sortedWaiting(q: QueueRec): CallRec[] {
    return q.list
      .live()
      .map((slot) => this.calls[slot]!)
      .sort(compareCalls);
  }

  private ewtMs(q: QueueRec, position: number): number {
    const staffed = q.levelPools[0]?.loggedIn ?? 0;
    return staffed > 0 ? (position * q.ahtMs) / staffed : -1;
  }

  /**
   * Emits positionChanged for every waiting call of q whose position or EWT (whole seconds) changed. Reads the
   * list's slots in sequence and the compact per-slot arrays (last notified values, ids), no call records.
   */
  private sweep(q: QueueRec): void {
    q.dirty = false;
    const list = q.list;
    list.pack(this.sweepSlots);
    let pos = 0;
    for (let i = list.start; i < list.end; i++) {
      const slot = list.slotAt(i);
      if (slot < 0) continue; // (a listener ended a call during this sweep)
      pos++;
      const ms = this.ewtMs(q, pos);
      const ewt = ms < 0 ? -1 : Math.round(ms / 1000);
      const seen = this.slots.seen;
      if (pos !== seen[2 * slot] || ewt !== seen[2 * slot + 1]) {
        seen[2 * slot] = pos;
        seen[2 * slot + 1] = ewt;
        this.emitPosition(this.slots.ids[slot]!, pos, ewt < 0 ? null : ewt);
      }
    }
  }

  // ───────────────────────────── queries ─────────────────────────────

  /** Current position (1 = next) and EWT of a waiting call, computed now; null when not waiting. O(queue length). */
  position(callId: string): { position: number; ewtSeconds: number | null } | null {
    const c = this.callById.get(callId);
    if (c === undefined || c.state !== CallState.Waiting || !c.inList) return null;
    let pos = 1;
    for (const slot of c.queue!.list.live()) {
      const x = this.calls[slot]!;
      if (x !== c && callLess(x, c)) pos++;
    }
    const ms = this.ewtMs(c.queue!, pos);
    return { position: pos, ewtSeconds: ms < 0 ? null : Math.round(ms / 1000) };
  }

  waitingCount(queueId: string): number {
    return this.queue(queueId).waiting;
  }

  /**
   * A queue as a supervisor sees it now: its waiting calls, when the one waiting longest in it entered it (ms),
   * and the agents who serve it (they meet its base requirements, logged in or not). A query for dashboards:
   * O(calls waiting in the queue + agents serving it), never on a routing path. `counted`: only the calls whose
   * context it accepts are counted (a server leaves out the calls that are not customers', say).
   */
  queueStatus(queueId: string, counted?: (context: unknown) => boolean): QueueStatus {
    const q = this.queue(queueId);
    let oldest = Infinity;
    let waiting = 0;
    for (const slot of q.list.live()) {
      const c = this.calls[slot]!;
      if (counted !== undefined && !counted(c.context)) continue;
      waiting++;
      oldest = Math.min(oldest, c.entered);
    }
    return {
      waiting,
      oldestEnteredAt: oldest === Infinity ? null : oldest,
      agentIds: (q.levelPools[0]?.members ?? []).map((m) => m.agent.id),
    };
  }

  hasAgent(agentId: string): boolean {
    return this.agentById.has(agentId);
  }

  hasQueue(queueId: string): boolean {
    return this.queueById.has(queueId);
  }

  agentInfo(agentId: string): AgentInfo {
    const a = this.agent(agentId);
    return {
      agentId: a.id,
      state: a.state,
      reason: a.reason,
      deviceUp: a.device,
      available: this.available(a),
      callId: a.call?.id ?? null,
      idleSince: a.idleSince,
      callsHandled: a.calls,
      consecutiveMisses: a.misses,
      skills: Object.fromEntries(a.profile.skills),
      languages: Object.fromEntries(a.profile.languages),
    };
  }

  callInfo(callId: string): CallInfo | null {
    const c = this.callById.get(callId);
    if (c === undefined) return null;
    const ringing: string[] = [];
    for (let a = c.ringHead; a !== null; a = a.ringNext) ringing.push(a.id);
    return {
      callId: c.id,
      state: c.state,
      kind: c.kind,
      queueId: c.queue?.id ?? null,
      agentId: c.agent?.id ?? null,
      ringingAgentIds: ringing,
      priority: c.priority,
      claimAt: c.claim,
      enteredAt: c.entered,
      level: c.level,
      requirements: (c.state === CallState.Waiting || c.state === CallState.Offered) && c.pool !== null ? c.pool.req : null,
      context: c.context,
    };
  }

  agentIds(): string[] {
    return this.agents.map((a) => a.id);
  }

  callIds(): string[] {
    return this.callById
      .values()
      .sort((a, b) => a.created - b.created)
      .map((c) => c.id);
  }

  /**
   * The complete routing state as plain data, for replay checks and debugging. Two engines that processed
   * the same inputs produce equal snapshots (including heap layouts and timers).
   */
  snapshot(): unknown {
    const callView = (c: CallRec) => ({
      id: c.id,
      seq: c.seq,
      state: c.state,
      kind: c.kind,
      queue: c.queue?.id ?? null,
      priority: c.priority,
      claim: c.claim,
      entered: c.entered,
      level: c.level,
      pool: c.pool?.key ?? null,
      known: c.knownAgent?.id ?? null,
      knownActive: c.knownMs > 0,
      language: c.language,
      skills: c.skills,
      skillsMs: c.skillsMs,
      agent: c.agent?.id ?? null,
      ringing: this.callInfo(c.id)?.ringingAgentIds ?? [],
      overdue: c.overdue,
      hops: c.hops,
      lastPosition: c.lastPosition,
      lastEwt: c.lastEwt,
      context: c.context,
    });
    return {
      now: this.now,
      callSeq: this.callSeq,
      offerSeq: this.offerSeq,
      agents: this.agents.map((a) => ({
        id: a.id,
        state: a.state,
        reason: a.reason,
        device: a.device,
        idleSince: a.idleSince,
        calls: a.calls,
        misses: a.misses,
        pending: a.pendingNotReady,
        pendingLogout: a.pendingLogout,
        call: a.call?.id ?? null,
        members: a.members.map((m) => `${m.pool.queue.id}/${m.pool.key}:${this.memberTable.rrOf(m)}:${this.memberTable.pos[m.id]}`),
      })),
      queues: this.queues.map((q) => ({
        id: q.id,
        waiting: q.waiting,
        aht: q.ahtMs,
        dirty: q.dirty,
        list: q.list.live().map((slot) => this.calls[slot]!.id),
        pools: [...q.pools.values()].map((p) => ({
          key: p.key,
          loggedIn: p.loggedIn,
          ready: Array.from({ length: p.ready.size }, (_, i) => `${this.agents[p.ready.keyAt(i, READY_AGENT)]!.id}:${p.ready.keyAt(i, 0)}`),
          calls: p.calls.toArray().map((slot) => this.calls[slot]!.id),
        })),
      })),
      calls: this.calls.filter((c) => c.state !== CallState.Ended).map(callView),
      freeSlots: this.freeCalls.map((c) => c.slot),
      timers: this.timers
        .all()
        .map((h) => ({ deadline: this.timers.deadlineOf(h), kind: timerKind(h), order: this.timers.orderOf(h), target: timerTarget(h) }))
        .sort((a, b) => (a.deadline - b.deadline) || (a.kind - b.kind) || (a.order - b.order))
        .map((t) => `${t.deadline}:${t.kind}:${t.order}:${this.timerTargetId(t.kind, t.target)}`),
    };
  }

  private timerTargetId(kind: number, target: number): string {
    if (kind === TimerKind.WrapUp) return this.agents[target]!.id;
    if (kind === TimerKind.Sweep) return this.queues[target]!.id;
    return this.calls[target]!.id;
  }

  private agent(agentId: string): AgentRec {
    const a = this.agentById.get(agentId);
    if (a === undefined) throw new AcdTypeError('ACD_ERR_UNKNOWN_AGENT', `agentId: unknown agent ${String(agentId)}`);
    return a;
  }

  private queue(queueId: string): QueueRec {
    const q = this.queueById.get(queueId);
    if (q === undefined) throw new AcdTypeError('ACD_ERR_UNKNOWN_QUEUE', `queueId: unknown queue ${String(queueId)}`);
    return q;
  }

  private call(callId: string): CallRec {
    const c = this.callById.get(callId);
    if (c === undefined) throw new AcdTypeError('ACD_ERR_UNKNOWN_CALL', `callId: unknown call ${String(callId)}`);
    return c;
  }
}

function compareCalls(a: CallRec, b: CallRec): number {
  return callLess(a, b) ? -1 : callLess(b, a) ? 1 : 0;
}

function sortAgentsByIndex(agents: AgentRec[], n: number): void {
  for (let i = 1; i < n; i++) {
    const a = agents[i]!;
    let j = i - 1;
    while (j >= 0 && agents[j]!.idx > a.idx) {
      agents[j + 1] = agents[j]!;
      j--;
    }
    agents[j + 1] = a;
  }
}

/** A call with an agent on it (assigned: answered, not yet reported connected). */
function isTalking(s: CallState): boolean {
  return s === CallState.Assigned || s === CallState.Connected;
}

function removeItem<T>(arr: T[], item: T): void {
  const i = arr.indexOf(item);
  if (i >= 0) arr.splice(i, 1);
}

function checkId(id: unknown, field: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', `${field}: must be a non-empty string`);
}
