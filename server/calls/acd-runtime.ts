import type { Kysely } from 'kysely';
import { AcdEngine, type QueueStatus } from '../../acd/engine.ts';
import type { AcdEventName, AcdListener, QueueConfig } from '../../acd/types.ts';
import { type Queue, getQueue, listAllQueues } from '../../db/repositories/queues.ts';
import { type Agent, listAllAgents } from '../../db/repositories/users.ts';
import type { Database } from '../../db/schema.ts';
import type { Logger } from '../logger.ts';

/** The ACD's view of a queue from its database row. */
export function queueConfig(q: Queue): QueueConfig {
  return {
    skills: q.skills,
    language: q.language,
    strategy: q.strategy,
    priority: q.priority,
    wrapUpSeconds: q.wrapUpSeconds,
    maxWaitSeconds: q.maxWaitSeconds,
    maxLength: q.maxLength,
    overflow: q.overflow,
    steps: q.steps,
    serviceLevel: q.serviceLevel,
    ringTimeoutSeconds: q.ringTimeoutSeconds,
    knownAgentSeconds: q.knownAgentSeconds,
    positionUpdateSeconds: 2,
  };
}

/** The ACD context of a consult call (an agent calling about their customer's call `of`): no customer's call. */
export function consultContext(of: string): { consultOf: string } {
  return { consultOf: of };
}

function isCustomers(context: unknown): boolean {
  return !(typeof context === 'object' && context !== null && 'consultOf' in context);
}

/**
 * The live ACD: the pure engine fed with the wall clock. After every input it arms one timer for the engine's next
 * deadline (ring timeouts, wrap-up ends, relaxation steps, max wait). Queues and agents come from the database and
 * are reloaded when the admin API changes them. Engine ids are the database ids as strings.
 */
export class AcdRuntime {
  readonly engine: AcdEngine;
  #timer: NodeJS.Timeout | null = null;
  #armedFor: number | null = null;
  #closed = false;
  #running = false;
  readonly #deferred: Array<(engine: AcdEngine, now: number) => void> = [];
  readonly #queueNames = new Map<string, string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.engine = new AcdEngine({ logger, startAt: clock(), ringTimeoutSeconds: 20, maxMissedOffers: 3, knownAgentSeconds: 30 });
  }

  async load(): Promise<void> {
    for (const q of await listAllQueues(this.db)) this.#defineQueue(q);
    for (const a of await listAllAgents(this.db)) this.#defineAgent(a);
    this.arm();
  }

  on<K extends AcdEventName>(event: K, listener: AcdListener<K>): void {
    this.engine.on(event, listener);
  }

  now(): number {
    return Math.max(this.clock(), this.engine.time());
  }

  /**
   * Runs one input against the engine at the current time, then re-arms the deadline timer. The engine calls its
   * listeners synchronously; an input a listener gives (a device that fails at once, say) is queued and runs right
   * after the current one, never inside it.
   */
  run(input: (engine: AcdEngine, now: number) => void): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#deferred.push(input);
      return;
    }
    this.#running = true;
    try {
      for (let next: typeof input | undefined = input; next !== undefined && !this.#closed; next = this.#deferred.shift()) {
        try {
          next(this.engine, this.now());
        } catch (err) {
          // An input the engine refuses (a call that already left, say) is the caller's bug, not a reason to stop.
          this.logger.error({ err }, 'ACD input refused');
        }
      }
    } finally {
      this.#running = false;
    }
    this.arm();
  }

  /** A queue now as supervisors and agents see it: the customers waiting in it (a consult queued there is left out). */
  customersWaiting(queueId: string): QueueStatus {
    return this.engine.queueStatus(queueId, isCustomers);
  }

  /** The ids of the queues the engine knows (a deleted queue's too, while its calls finish). */
  queueIds(): string[] {
    return [...this.#queueNames.keys()];
  }

  queueName(queueId: string): string | undefined {
    return this.#queueNames.get(queueId);
  }

  async reloadQueue(id: number): Promise<void> {
    const q = await getQueue(this.db, id);
    // A deleted queue keeps its last configuration in the engine, so calls still in it finish normally.
    if (q !== undefined) this.run(() => this.#defineQueue(q));
  }

  /** An agent's profile changed (undefined: the agent was deleted and is logged out). */
  updateAgent(id: number, agent: Agent | undefined): void {
    if (agent !== undefined) this.run(() => this.#defineAgent(agent));
    else if (this.engine.hasAgent(String(id))) this.run((e, now) => e.agentLogout(now, String(id)));
  }

  #defineQueue(q: Queue): void {
    this.#queueNames.set(String(q.id), q.name);
    this.engine.configureQueue(this.now(), String(q.id), queueConfig(q));
  }

  #defineAgent(a: Agent): void {
    this.engine.defineAgent(this.now(), String(a.id), { skills: a.skills, languages: a.languages });
  }

  arm(): void {
    if (this.#closed) return;
    const deadline = this.engine.nextDeadline();
    if (deadline === this.#armedFor) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedFor = deadline;
    if (deadline === null) return;
    const delay = Math.max(0, deadline - this.clock());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#armedFor = null;
      this.run((e, now) => e.advance(Math.max(now, deadline)));
    }, Math.min(delay, 2 ** 31 - 1));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.engine.close();
  }
}
