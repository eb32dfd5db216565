/**
 * Every agent's memberships (pool gid, queue index, round-robin memory, member id, most-skilled score) in
 * engine-wide typed arrays, each agent's in one block [a.memberStart, a.memberStart + a.memberCount) in the
 * order of a.members. An agent that becomes available scans its block's gids (one compact line that stays
 * in cache, where a typed array per agent was a cold object of its own), an offer of a round-robin queue
 * writes the round-robin memory here, and the agent enters and leaves its pools' ready heaps from here:
 * the hot paths never touch the membership objects.
 * Also, by member id, each membership's position in its pool's ready heap (pos, -1: not there).
 * Memberships change only at configuration time (defineAgent, configureQueue): sync() then gives the
 * agent a new block at the end; when the arrays are full they are repacked, dropping the old blocks.
 */
import type { PositionTable } from './key-heap.ts';
import type { AgentRec, Member } from './records.ts';

export class MemberTable implements PositionTable {
  gids = new Int32Array(4096);
  queues = new Int32Array(4096);
  /** Offer sequence of the last offer of the membership's queue to the agent (round-robin). */
  rr = new Float64Array(4096);
  ids = new Int32Array(4096);
  scores = new Int32Array(4096);
  private end = 0;
  /** By member id: position in its pool's ready heap, or -1. */
  pos = new Int32Array(4096).fill(-1);
  private nextId = 0;
  private readonly freeIds: number[] = [];

  constructor(private readonly agents: readonly AgentRec[]) {}

  /** An id for a new membership (ids of dropped ones are reused). */
  newId(): number {
    const id = this.freeIds.pop() ?? this.nextId++;
    if (id >= this.pos.length) {
      const pos = new Int32Array(this.pos.length * 2).fill(-1);
      pos.set(this.pos);
      this.pos = pos;
    }
    this.pos[id] = -1;
    return id;
  }

  /** A dropped membership's id (it must have left its ready heap). */
  releaseId(id: number): void {
    this.freeIds.push(id);
  }

  rrOf(m: Member): number {
    return this.rr[m.agent.memberStart + m.index]!;
  }

  setRr(m: Member, value: number): void {
    this.rr[m.agent.memberStart + m.index] = value;
  }

  /** Lays out a.members in a new block, keeping their round-robin memory (a new membership starts at 0). */
  sync(a: AgentRec): void {
    const members = a.members;
    const keep = members.map((m) => (m.index >= 0 ? this.rrOf(m) : 0));
    a.memberCount = 0;
    if (this.end + members.length > this.gids.length) this.repack(members.length);
    const start = this.end;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      this.gids[start + i] = m.pool.gid;
      this.queues[start + i] = m.pool.queue.idx;
      this.rr[start + i] = keep[i]!;
      this.ids[start + i] = m.id;
      this.scores[start + i] = m.score;
      m.index = i;
    }
    a.memberStart = start;
    a.memberCount = members.length;
    this.end = start + members.length;
  }

  /** Copies every agent's block into new arrays with room for `more` (and as much again as is used). */
  private repack(more: number): void {
    let used = more;
    for (const a of this.agents) used += a.memberCount;
    const size = Math.max(4096, 2 * used);
    const gids = new Int32Array(size);
    const queues = new Int32Array(size);
    const rr = new Float64Array(size);
    const ids = new Int32Array(size);
    const scores = new Int32Array(size);
    let end = 0;
    for (const a of this.agents) {
      const from = a.memberStart;
      const n = a.memberCount;
      gids.set(this.gids.subarray(from, from + n), end);
      queues.set(this.queues.subarray(from, from + n), end);
      rr.set(this.rr.subarray(from, from + n), end);
      ids.set(this.ids.subarray(from, from + n), end);
      scores.set(this.scores.subarray(from, from + n), end);
      a.memberStart = end;
      end += n;
    }
    this.gids = gids;
    this.queues = queues;
    this.rr = rr;
    this.ids = ids;
    this.scores = scores;
    this.end = end;
  }
}
