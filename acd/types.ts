import type { AgentState } from './agent-state.ts';

export type Strategy = 'longest-idle' | 'most-skilled' | 'fewest-calls' | 'round-robin' | 'ring-all';
export const STRATEGIES: readonly Strategy[] = ['longest-idle', 'most-skilled', 'fewest-calls', 'round-robin', 'ring-all'];

/** Skill name -> minimum level (1..5) for requirements, or level held (1..5) for agents. */
export type SkillLevels = Readonly<Record<string, number>>;

export type OverflowAction = 'hangup' | 'callback' | 'voicemail';
export type OverflowTarget = { readonly queue: string } | { readonly action: OverflowAction };

/** Requirements that apply once a call has waited `afterSeconds` in the queue (replace the earlier ones). */
export interface RoutingStep {
  readonly afterSeconds: number;
  /** Absent: keep the previous skills. */
  readonly skills?: SkillLevels;
  /** Absent: keep the previous language; null: any language. */
  readonly language?: string | null;
}

export interface QueueConfig {
  readonly skills?: SkillLevels;
  /** Required language (agent must speak it at level >= 1). A call's own language overrides it. */
  readonly language?: string | null;
  readonly strategy?: Strategy;
  /** Higher is served first, across queues. */
  readonly priority?: number;
  readonly wrapUpSeconds?: number;
  readonly maxWaitSeconds?: number | null;
  readonly maxLength?: number | null;
  /** Where calls go on max wait / max length. Default { action: 'hangup' }. */
  readonly overflow?: OverflowTarget | null;
  readonly steps?: readonly RoutingStep[];
  readonly serviceLevel?: { readonly thresholdSeconds: number; readonly target: number };
  /** Ring-no-answer timeout of an offer. Default: engine option ringTimeoutSeconds. */
  readonly ringTimeoutSeconds?: number;
  /** How long a call with a known agent waits for that agent only. Default: engine option knownAgentSeconds. */
  readonly knownAgentSeconds?: number;
  /** Initial handle-time estimate for EWT before any call was handled. Default 180. */
  readonly expectedHandleSeconds?: number;
  /** Position/EWT notifications of a queue are batched at most this often. Default 5; 0 = at the next advance. */
  readonly positionUpdateSeconds?: number;
}

export interface AgentProfile {
  readonly skills?: SkillLevels;
  /** Language code -> proficiency 1..5. */
  readonly languages?: SkillLevels;
}

export interface CallOptions {
  /** Added to the queue's priority. Default 0. */
  readonly priority?: number;
  /** Required language of this call (overrides the queue's language). */
  readonly language?: string;
  /** Extra skills this call requires (merged with the queue's, the higher minimum wins), for skillsSeconds. */
  readonly skills?: SkillLevels;
  /**
   * For how many seconds of waiting in the queue the extra skills apply, counted like the queue's steps from
   * the call's entry into its current queue (a transfer or an overflow into another queue starts it again; a
   * call that rang unanswered and came back keeps it). After it the call is routed as if it had no skills of
   * its own (the queue's requirements at its current step, and its language). Absent: as long as the call
   * waits; 0: never. Without skills it changes nothing. The known-agent time runs at the same time: while the
   * call waits for its known agent only, its skills do not matter.
   */
  readonly skillsSeconds?: number;
  /** Opaque, serialisable data that travels with the call (page, customer id...). Not used for routing. */
  readonly context?: unknown;
  /** Route first to this agent only, for the queue's knownAgentSeconds, if the agent is logged in. */
  readonly knownAgentId?: string;
  /**
   * How long this call waits for knownAgentId only, instead of the queue's knownAgentSeconds (a transfer to an
   * agent: that agent for a while, then anyone in the queue).
   */
  readonly knownAgentSeconds?: number;
}

export type CallKind = 'call' | 'callback';

export type CancelReason =
  | 'timeout'
  | 'answered-elsewhere'
  | 'caller-abandoned'
  | 'agent-logged-out'
  | 'agent-not-ready'
  | 'device-down'
  | 'transferred'
  | 'overflowed';

/**
 * Decisions the engine emits, as a typed event map. Listeners are called synchronously, inside the input
 * method that caused them, in the order the engine decides. Arrays passed to listeners are reused by the
 * engine: copy them if you keep them. A listener that throws is logged and ignored.
 */
export interface AcdEvents {
  /** Ring these agents for this call (several for ring-all). Agents are now reserved. */
  offer: [callId: string, agentIds: readonly string[], kind: CallKind];
  /** Stop ringing this agent for this call (engine-initiated; not sent for offers the caller reported ended). */
  cancelOffer: [callId: string, agentId: string, reason: CancelReason];
  /** The agent accepted; connect them. */
  assigned: [callId: string, agentId: string];
  /** The call leaves its queue for this target (another queue: the engine keeps routing it). */
  overflow: [callId: string, target: OverflowTarget];
  /** Position in its queue (1 = next) and estimated wait; ewtSeconds null when nobody staffs the queue. */
  positionChanged: [callId: string, position: number, ewtSeconds: number | null];
  agentStateChanged: [agentId: string, state: AgentState, reason: string];
}
export type AcdEventName = keyof AcdEvents;
export type AcdListener<K extends AcdEventName> = (...args: AcdEvents[K]) => void;

/** Every input, serialisable. `at` is the time in milliseconds (any epoch, never decreasing). */
export type AcdInput =
  | { type: 'advance'; at: number }
  | { type: 'configureQueue'; at: number; queueId: string; config: QueueConfig }
  | { type: 'defineAgent'; at: number; agentId: string; profile: AgentProfile }
  | { type: 'agentLogin'; at: number; agentId: string }
  | { type: 'agentLogout'; at: number; agentId: string }
  | { type: 'agentReady'; at: number; agentId: string }
  | { type: 'agentNotReady'; at: number; agentId: string; reason: string }
  | { type: 'deviceUp'; at: number; agentId: string }
  | { type: 'deviceDown'; at: number; agentId: string }
  | { type: 'callArrived'; at: number; callId: string; queueId: string; options?: CallOptions }
  | { type: 'offerAccepted'; at: number; callId: string; agentId: string }
  | { type: 'offerRejected'; at: number; callId: string; agentId: string }
  | { type: 'offerTimedOut'; at: number; callId: string; agentId: string }
  | { type: 'callConnected'; at: number; callId: string }
  | { type: 'callEnded'; at: number; callId: string }
  | { type: 'wrapUpEnded'; at: number; agentId: string }
  | { type: 'callerAbandoned'; at: number; callId: string }
  | { type: 'callbackRequested'; at: number; callId: string }
  | { type: 'callbackScheduled'; at: number; callId: string; queueId: string; dueAt: number; options?: CallOptions }
  | { type: 'transferToQueue'; at: number; callId: string; queueId: string; options?: CallOptions }
  | { type: 'consultCompleted'; at: number; callId: string; consultCallId: string };

export type AcdInputType = AcdInput['type'];

export interface Logger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface AcdEngineOptions {
  /** Default ring-no-answer timeout. Default 20. */
  readonly ringTimeoutSeconds?: number;
  /** Consecutive missed offers after which an agent is put in not-ready('missed-offers'). 0 = never. Default 3. */
  readonly maxMissedOffers?: number;
  /** Default known-agent preference time. Default 30. */
  readonly knownAgentSeconds?: number;
  /** pino (or compatible) logger: listener failures are reported here. */
  readonly logger?: Logger;
  /** Called with every input before it is applied: append it to a journal to rebuild the state by replay. */
  readonly recorder?: (input: AcdInput) => void;
  /** Start time, ms. Default 0. */
  readonly startAt?: number;
}

/** The routing-relevant surface both the engine and the reference implementation offer. */
export interface AcdRouter {
  on<K extends AcdEventName>(event: K, listener: AcdListener<K>): void;
  apply(input: AcdInput): void;
  nextDeadline(): number | null;
}
