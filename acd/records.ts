/**
 * The engine's internal records. Objects are created once (agents, queues, pools, memberships) or pooled
 * and reused (calls), with every field set in the constructor so their shapes stay stable.
 *
 * Data layout. The routing state is far larger than the CPU caches (100 000 calls), so each input costs
 * roughly its count of cold cache lines; what the hot paths read is kept compact and together:
 * - a call: its CallRec (the fields most paths read first), its numbers in CallSlots.num (one 64-byte row),
 *   and its index row (index-rows.ts: its timers, pool index and waiting-list index, 32 bytes);
 *   CallSlots.seen and CallSlots.ids serve the position sweeps.
 * - an agent: its AgentRec, its memberships' pool gids, queues and round-robin memory in one block of the
 *   MemberTable (member-table.ts), its idle time in AgentTimes.
 * - a pool: its waiting calls in a FIFO ring of slots and a small heap (pool-calls.ts), mirrored (count, head
 *   key) in the PoolTable; its ready memberships in a KeyHeap of member ids.
 * - a queue: its waiting calls in claim order in a WaitingList (waiting-list.ts).
 * - timers: TimerQueue (timer-queue.ts), FIFO rings per kind and duration over integer handles.
 */
import { AgentState } from './agent-state.ts';
import { CallState } from './call-state.ts';
import { PoolCalls, type CallSlots } from './pool-calls.ts';
import { HEAP_CELL, LIST_CELL, ROW } from './index-rows.ts';
import { KeyHeap, type PositionTable } from './key-heap.ts';
import type { NormalizedAgent, NormalizedQueue, Requirements } from './requirements.ts';
import type { WaitingList } from './waiting-list.ts';
import type { CallKind, QueueConfig } from './types.ts';

/** Timer kinds; the number is also the tie-break between timers due at the same instant. */
export const TimerKind = { WrapUp: 0, Ring: 1, MaxWait: 2, Step: 3, Scheduled: 4, Sweep: 5 } as const;


/** True for the kinds whose target is a call slot. */
export function isCallTimer(kind: number): boolean {
  return kind >= TimerKind.Ring && kind <= TimerKind.Scheduled;
}

export class AgentRec {
  // Field order is memory order: what routing reads on every offer and every end of a call comes first.
  readonly idx: number;
  readonly id: string;
  private readonly times: AgentTimes;
  state: AgentState = AgentState.LoggedOut;
  device = true;
  /** The call offered to or handled by this agent. */
  call: CallRec | null = null;
  /** True while the agent's memberships sit in their pools' ready heaps. */
  inReady = false;
  /** The block of the memberships (same order as members) in the engine's MemberTable (member-table.ts). */
  memberStart = 0;
  memberCount = 0;
  members: Member[] = [];
  /** Next agent ringing for the same call (ring list, in agent index order). */
  ringNext: AgentRec | null = null;
  pendingNotReady: string | null = null;
  /** Logout asked for during a call: it takes effect when the call and its wrap-up are over. */
  pendingLogout = false;
  /** Consecutive missed offers. */
  misses = 0;
  /** Calls accepted since the engine started (fewest-calls). */
  calls = 0;
  reason = 'defined';
  wrapUpMs = 0;
  /** Level by interned skill / language id (0 or undefined = none). */
  skills: number[] = [];
  langs: number[] = [];
  skillIds: number[] = [];
  langIds: number[] = [];
  /** Round-robin memory (last offer sequence by queue index) of memberships that were dropped. */
  readonly lastOffer = new Map<number, number>();
  constructor(
    idx: number,
    id: string,
    public profile: NormalizedAgent,
    times: AgentTimes,
  ) {
    this.idx = idx;
    this.id = id;
    this.times = times;
    times.add(idx);
  }

  /** Start of the current idle period (ready after a call, after not-ready, or after a miss). */
  get idleSince(): number {
    return this.times.idleSince[this.idx]!;
  }
  set idleSince(v: number) {
    this.times.idleSince[this.idx] = v;
  }
}

/**
 * The agents' idle-since times by agent index, in one Float64Array: a double field of a record is a heap box
 * of its own (a cache miss of its own), and the ready heaps compare these times on every sift.
 */
export class AgentTimes {
  idleSince = new Float64Array(1024);

  add(idx: number): void {
    if (idx >= this.idleSince.length) {
      const next = new Float64Array(this.idleSince.length * 2);
      next.set(this.idleSince);
      this.idleSince = next;
    }
    this.idleSince[idx] = 0;
  }
}

/**
 * An agent's membership of a pool. While the agent is available and has no call to take, the membership
 * sits in the pool's ready heap under its id (see Pool.ready); its routing data is in the MemberTable.
 */
export class Member {
  /** Index in agent.members and in the agent's MemberTable block; -1 until laid out. */
  index = -1;
  constructor(
    /** Stable id (MemberTable.newId), the id of its ready-heap entry and its cell of MemberTable.pos. */
    readonly id: number,
    readonly agent: AgentRec,
    readonly pool: Pool,
    /** most-skilled score: the agent's levels in the pool's skills and language. */
    readonly score: number,
  ) {}
}

export class CallRec {
  // Field order is memory order: the fields most paths read come first, so that they share the record's
  // first cache line or two (the record spans four); the rarely read ones follow.
  readonly slot: number;
  private readonly slots: CallSlots;
  id = '';
  seq = 0;
  state: CallState = CallState.Ended;
  kind: CallKind = 'call';
  queue: QueueRec | null = null;
  pool: Pool | null = null;
  agent: AgentRec | null = null;
  ringHead: AgentRec | null = null;
  ringCount = 0;
  /** Bit (1 << TimerKind) set while that timer of this call is scheduled (see AcdEngine.scheduleCall). */
  armed = 0;
  // (Read whenever the call's level is resolved: arrival, return, each routing step.)
  level = 0;
  skills: ReadonlyArray<readonly [string, number]> = [];
  /** Its language and skills of its own as one string, made once at arrival ('' without skills): its pools' key in QueueRec.skillPools. */
  requirementsKey = '';
  languageId = -1;
  /** How long this entry waits for its known agent only (ms; 0 when not), and the call's own such time (-1: the queue's). */
  knownMs = 0;
  knownOwnMs = -1;
  /** How long its own skills apply, ms of waiting in the current queue (-1: as long as it waits, or it has none). */
  skillsMs = -1;
  overdue = false;
  knownAgent: AgentRec | null = null;
  /** Creation order among calls (for listing). */
  created = 0;
  language: string | null = null;
  context: unknown = undefined;
  hops = 0;
  constructor(slot: number, slots: CallSlots) {
    this.slot = slot;
    this.slots = slots;
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
  /** The step threshold (ms of waiting) that stepAt stands for: the step timer's duration (its FIFO ring). */
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

  /** True while in its pool's waiting calls (where it is there is kept in the index rows, see pool-calls.ts). */
  get inPool(): boolean {
    return this.slots.rows.pos[this.slot * ROW + HEAP_CELL]! !== -1;
  }

  /** True while in its queue's waiting list (its index there is kept in the index rows). */
  get inList(): boolean {
    return this.slots.rows.pos[this.slot * ROW + LIST_CELL]! >= 0;
  }

  /** Last position notified (0: none yet), kept in CallSlots.seen for the sweeps. */
  get lastPosition(): number {
    return this.slots.seen[this.slot * 2]!;
  }
  set lastPosition(v: number) {
    this.slots.seen[this.slot * 2] = v;
  }
  /** Last EWT notified, whole seconds (-1: none, -2: never notified). */
  get lastEwt(): number {
    return this.slots.seen[this.slot * 2 + 1]!;
  }
  set lastEwt(v: number) {
    this.slots.seen[this.slot * 2 + 1] = v;
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
  /**
   * The ready memberships, best first: keys (strategy key, agent idle-since, agent index), id = member id,
   * positions in MemberTable.pos. The keys are fixed while in the heap, and a sift reads only the heap.
   * Strategy key (smaller is preferred): 0 (longest-idle), -score (most-skilled), calls accepted
   * (fewest-calls), last offer sequence of the queue (round-robin).
   */
  readonly ready: KeyHeap;
  readonly calls: PoolCalls;
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
    readyPositions: PositionTable,
  ) {
    this.calls = new PoolCalls(slots);
    this.ready = new KeyHeap(readyPositions);
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
    const top = h.top;
    t[b + 1] = -top[0]!; // the pool keeps the priority negated
    t[b + 2] = top[1]!;
    t[b + 3] = top[2]!;
  }
}

export class QueueRec {
  pools = new Map<string, Pool>();
  /** Pools of each level for calls without a language or skills of their own. */
  levelPools: Array<Pool | null> = [];
  /** Per call language id: pools of each level. */
  languagePools = new Map<number, Array<Pool | null>>();
  /** Per requirements of calls with skills of their own (CallRec.requirementsKey): pools of each level. */
  skillPools = new Map<string, Array<Pool | null>>();
  knownPools = new Map<number, Pool>();
  dirty = false;
  /** Moving average of handle time (accept to end of wrap-up), ms. */
  ahtMs = 0;
  constructor(
    readonly idx: number,
    readonly id: string,
    public cfg: NormalizedQueue,
    public config: QueueConfig,
    /** The waiting calls in claim order (positions, EWT). */
    readonly list: WaitingList,
  ) {
    this.ahtMs = cfg.expectedHandleMs;
  }

  get waiting(): number {
    return this.list.size;
  }
}
