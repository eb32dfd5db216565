/**
 * The engine's internal records. Objects are created once (agents, queues, pools, memberships) or pooled
 * and reused (calls), with every field set in the constructor so their shapes stay stable.
 */
import { AgentState } from './agent-state.ts';
import { CallState } from './call-state.ts';
import { CallHeap, type CallSlots } from './call-heap.ts';
import { IndexedHeap, type HeapItem } from './indexed-heap.ts';
import type { NormalizedAgent, NormalizedQueue, Requirements } from './requirements.ts';
import type { CallKind, QueueConfig } from './types.ts';

/** Timer kinds; the number is also the tie-break between timers due at the same instant. */
export const TimerKind = { WrapUp: 0, Ring: 1, MaxWait: 2, Step: 3, Scheduled: 4, Sweep: 5 } as const;

export class Timer implements HeapItem {
  /** Position in a heap, or 0 while in a duration list; -1 when not scheduled. */
  pos = -1;
  deadline = 0;
  /** Duration list (timer-queue.ts) holding this timer, and its neighbours there. */
  list: object | null = null;
  prev: Timer | null = null;
  next: Timer | null = null;
  /** Tie-break within a kind: call sequence number, agent index or queue index. */
  order = 0;
  constructor(
    readonly kind: number,
    readonly agent: AgentRec | null,
    readonly call: CallRec | null,
    readonly queue: QueueRec | null,
  ) {}
}

export function timerLess(a: Timer, b: Timer): boolean {
  if (a.deadline !== b.deadline) return a.deadline < b.deadline;
  if (a.kind !== b.kind) return a.kind < b.kind;
  return a.order < b.order;
}

export class AgentRec {
  state: AgentState = AgentState.LoggedOut;
  reason = 'defined';
  device = true;
  /** Start of the current idle period (ready after a call, after not-ready, or after a miss). */
  idleSince = 0;
  /** Calls accepted since the engine started (fewest-calls). */
  calls = 0;
  /** Consecutive missed offers. */
  misses = 0;
  pendingNotReady: string | null = null;
  /** The call offered to or handled by this agent. */
  call: CallRec | null = null;
  /** Next agent ringing for the same call (ring list, in agent index order). */
  ringNext: AgentRec | null = null;
  wrapUpMs = 0;
  /** Level by interned skill / language id (0 or undefined = none). */
  skills: number[] = [];
  langs: number[] = [];
  skillIds: number[] = [];
  langIds: number[] = [];
  members: Member[] = [];
  /** Pool gid of each membership (same order as members), for the scan in makeAvailable. */
  memberGids: Int32Array = new Int32Array(0);
  /** Queue index of each membership (same order as members), so round-robin bookkeeping touches only that queue's. */
  memberQueues: Int32Array = new Int32Array(0);
  /** True while the agent's memberships sit in their pools' ready heaps. */
  inReady = false;
  /** Round-robin memory (last offer sequence by queue index) of memberships that were dropped. */
  readonly lastOffer = new Map<number, number>();
  readonly wrapTimer: Timer;
  constructor(
    readonly idx: number,
    readonly id: string,
    public profile: NormalizedAgent,
  ) {
    this.wrapTimer = new Timer(TimerKind.WrapUp, this, null, null);
    this.wrapTimer.order = idx;
  }
}

/** An agent's membership of a pool: the item of the pool's ready-agent heap. */
export class Member implements HeapItem {
  pos = -1;
  /** Strategy key, fixed while in the heap: smaller is preferred. */
  key = 0;
  /** Offer sequence of the last offer of this queue to this agent (round-robin). */
  rr = 0;
  constructor(
    readonly agent: AgentRec,
    readonly pool: Pool,
    readonly score: number,
  ) {}
}

export function memberLess(a: Member, b: Member): boolean {
  if (a.key !== b.key) return a.key < b.key;
  const x = a.agent;
  const y = b.agent;
  if (x.idleSince !== y.idleSince) return x.idleSince < y.idleSince;
  return x.idx < y.idx;
}

export class CallRec {
  id = '';
  /** Creation order among calls (for listing). */
  created = 0;
  seq = 0;
  state: CallState = CallState.Ended;
  kind: CallKind = 'call';
  queue: QueueRec | null = null;
  level = 0;
  pool: Pool | null = null;
  knownAgent: AgentRec | null = null;
  knownActive = false;
  language: string | null = null;
  languageId = -1;
  skills: ReadonlyArray<readonly [string, number]> = [];
  context: unknown = undefined;
  ringHead: AgentRec | null = null;
  ringCount = 0;
  agent: AgentRec | null = null;
  overdue = false;
  hops = 0;
  inList = false;
  prev: CallRec | null = null;
  next: CallRec | null = null;
  lastPosition = 0;
  lastEwt = -2;
  /** Bit (1 << TimerKind) set while that timer of this call is scheduled (see AcdEngine.scheduleCall). */
  armed = 0;
  readonly ringTimer: Timer;
  readonly maxWaitTimer: Timer;
  readonly stepTimer: Timer;
  readonly scheduledTimer: Timer;
  constructor(
    readonly slot: number,
    private readonly slots: CallSlots,
  ) {
    this.ringTimer = new Timer(TimerKind.Ring, null, this, null);
    this.maxWaitTimer = new Timer(TimerKind.MaxWait, null, this, null);
    this.stepTimer = new Timer(TimerKind.Step, null, this, null);
    this.scheduledTimer = new Timer(TimerKind.Scheduled, null, this, null);
  }

  // The call's numbers live in CallSlots.num (8 float64s per slot, one cache line) instead of fields:
  // without pointer compression every double field is a separate heap box, a cache miss of its own.
  /** Priority given with the call (added to the queue's). */
  get basePriority(): number {
    return this.slots.num[this.slot * 8 + 0]!;
  }
  set basePriority(v: number) {
    this.slots.num[this.slot * 8 + 0] = v;
  }
  /** Queue priority + base priority while in a queue. */
  get priority(): number {
    return this.slots.num[this.slot * 8 + 1]!;
  }
  set priority(v: number) {
    this.slots.num[this.slot * 8 + 1] = v;
  }
  /** Place-in-line time: arrival (kept through overflow, callbacks and ring-no-answer). */
  get claim(): number {
    return this.slots.num[this.slot * 8 + 2]!;
  }
  set claim(v: number) {
    this.slots.num[this.slot * 8 + 2] = v;
  }
  /** Entry into the current queue (steps and max wait count from here). */
  get entered(): number {
    return this.slots.num[this.slot * 8 + 3]!;
  }
  set entered(v: number) {
    this.slots.num[this.slot * 8 + 3] = v;
  }
  /** Next level change (ms) or -1; the step timer is armed only while the call waits in a pool. */
  get stepAt(): number {
    return this.slots.num[this.slot * 8 + 4]!;
  }
  set stepAt(v: number) {
    this.slots.num[this.slot * 8 + 4] = v;
  }
  /** The step threshold (ms of waiting) that stepAt stands for: the step timer's duration list. */
  get stepAfter(): number {
    return this.slots.num[this.slot * 8 + 5]!;
  }
  set stepAfter(v: number) {
    this.slots.num[this.slot * 8 + 5] = v;
  }
  /** Max-wait deadline (ms) or -1; its timer is armed once the call has had to wait. */
  get maxWaitAt(): number {
    return this.slots.num[this.slot * 8 + 6]!;
  }
  set maxWaitAt(v: number) {
    this.slots.num[this.slot * 8 + 6] = v;
  }
  /** When an agent accepted it (ms). */
  get assignedAt(): number {
    return this.slots.num[this.slot * 8 + 7]!;
  }
  set assignedAt(v: number) {
    this.slots.num[this.slot * 8 + 7] = v;
  }

  /** Position in the call heap of its pool, or -1 (kept in CallSlots.pos, see call-heap.ts). */
  get pos(): number {
    return this.slots.pos[this.slot]!;
  }
}

/** Strongest claim first: priority (higher), then place-in-line time, then arrival sequence. */
export function callLess(a: CallRec, b: CallRec): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.claim !== b.claim) return a.claim < b.claim;
  return a.seq < b.seq;
}

/**
 * A set of agents that satisfy one requirement set of one queue (a queue level, a language variant of it,
 * a call's extra skills, or a single known agent), with the ready ones in a heap ordered by the queue's
 * strategy, and the waiting calls that currently need exactly these requirements in a heap by claim.
 */
export class Pool {
  readonly ready = new IndexedHeap<Member>(memberLess);
  readonly calls: CallHeap;
  members: Member[] = [];
  /** Members that are logged in (staffing, for EWT). */
  loggedIn = 0;
  alive = true;
  constructor(
    /** Index in the engine's pool table (PoolTable), where its waiting count and head key are mirrored. */
    readonly gid: number,
    slots: CallSlots,
    readonly queue: QueueRec,
    readonly key: string,
    readonly req: Requirements,
    readonly skillIds: readonly number[],
    readonly skillLevels: readonly number[],
    readonly languageId: number,
    readonly onlyAgent: AgentRec | null,
    /** Anchor list this pool is indexed in: skill id, or -1 - language id, or null (any / known agent). */
    readonly anchorSkill: number,
    readonly anchorLanguage: number,
  ) {
    this.calls = new CallHeap(slots);
  }
}

/**
 * Every pool's waiting count and head key (priority, claim, seq) in one Float64Array, four numbers per pool,
 * so an agent that becomes available compares its ~14 pools by reading a few compact cache lines instead of
 * 14 pool objects (and their heaps) scattered over the heap.
 */
export class PoolTable {
  /** Pool gid -> [waiting, head priority, head claim, head seq]. */
  head = new Float64Array(256 * 4);
  readonly pools: Array<Pool | null> = [];
  /** Gids of dropped pools, reused by new ones. */
  private readonly free: number[] = [];

  nextGid(): number {
    return this.free.length > 0 ? this.free[this.free.length - 1]! : this.pools.length;
  }

  add(p: Pool): void {
    if (this.free.length > 0 && this.free[this.free.length - 1] === p.gid) {
      this.free.pop();
      this.pools[p.gid] = p;
    } else {
      if ((p.gid + 1) * 4 > this.head.length) {
        const next = new Float64Array(this.head.length * 2);
        next.set(this.head);
        this.head = next;
      }
      this.pools.push(p);
    }
    this.head[p.gid * 4] = 0;
  }

  /** A dropped pool (alive = false) gives its gid back; it is never synced again. */
  release(p: Pool): void {
    this.pools[p.gid] = null;
    this.head[p.gid * 4] = 0;
    this.free.push(p.gid);
  }

  /** Mirrors pool p's waiting count and head key. */
  sync(p: Pool): void {
    if (!p.alive) return;
    const h = p.calls;
    const b = p.gid * 4;
    const t = this.head;
    t[b] = h.size;
    if (h.size === 0) return;
    const k = h.keys;
    t[b + 1] = k[0]!;
    t[b + 2] = k[1]!;
    t[b + 3] = k[2]!;
  }
}

export class QueueRec {
  pools = new Map<string, Pool>();
  /** Pools of each level for calls without a language or skills of their own. */
  levelPools: Array<Pool | null> = [];
  /** Per call language id: pools of each level. */
  languagePools = new Map<number, Array<Pool | null>>();
  knownPools = new Map<number, Pool>();
  waiting = 0;
  /** True while the waiting list is in claim order (appends usually keep it so; sweeps sort otherwise). */
  sorted = true;
  head: CallRec | null = null;
  tail: CallRec | null = null;
  dirty = false;
  /** Moving average of handle time (accept to end of wrap-up), ms. */
  ahtMs: number;
  readonly sweepTimer: Timer;
  constructor(
    readonly idx: number,
    readonly id: string,
    public cfg: NormalizedQueue,
    public config: QueueConfig,
  ) {
    this.ahtMs = cfg.expectedHandleMs;
    this.sweepTimer = new Timer(TimerKind.Sweep, null, null, this);
    this.sweepTimer.order = idx;
  }
}
