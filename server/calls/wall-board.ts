import type { Kysely } from 'kysely';
import type { WebSocket } from 'ws';
import { AgentState } from '../../acd/agent-state.ts';
import { type AgentActivity, type QueueTraffic, type SurveyCounts, queueTraffic } from '../../db/repositories/queue-stats.ts';
import { type Queue, listAllQueues } from '../../db/repositories/queues.ts';
import { type Agent, listAllAgents } from '../../db/repositories/users.ts';
import { newVoicemailCounts } from '../../db/repositories/voicemails.ts';
import type { Database } from '../../db/schema.ts';
import { sendJson } from '../events/ws-endpoints.ts';
import { queueOpenAt } from './opening-hours.ts';
import type { Logger } from '../logger.ts';
import type { NotReadyReasons } from './not-ready-reasons.ts';
import type { AcdRuntime } from './acd-runtime.ts';
import type { AgentDesk } from './agent-desk.ts';
import type { CallLogWriter } from './call-log-writer.ts';

/** Agents by state. */
export type StateCounts = Record<AgentState, number>;

/** The counts a queue's traffic is made of (QueueTraffic without its queue and interval). */
export type TrafficCounts = Omit<QueueTraffic, 'queueId' | 'start'>;

/** Callers' ratings (post-call survey, 1–5): how many, their mean, and the share of 4 and 5 (CSAT), percent. */
export interface SurveyFigures {
  surveys: number;
  surveyAverage: number | null;
  csatPercent: number | null;
}

/** The figures of a queue's traffic over a period (or of all queues together). */
export interface Traffic extends SurveyFigures {
  offered: number;
  answered: number;
  answeredInThreshold: number;
  abandoned: number;
  overflowed: number;
  missedOffers: number;
  /** callers who asked to be called back (not abandons), and callbacks given up (never answered) */
  callbacksRequested: number;
  callbacksFailed: number;
  /** messages callers left (voicemail) */
  voicemailsLeft: number;
  /** answered within the threshold ÷ answered, percent (the simulator's serviceLevel); null before any answer */
  serviceLevelPercent: number | null;
  /** answered within the threshold ÷ (answered + abandoned), percent: abandons count against it */
  serviceLevelOfferedPercent: number | null;
  /** mean wait of the answered calls, seconds */
  asaSeconds: number | null;
  /** abandoned ÷ (answered + abandoned), percent */
  abandonPercent: number | null;
  /** agents' conversations that ended, and their mean handle time (talk + after-call work), seconds */
  handled: number;
  ahtSeconds: number | null;
}

export interface WallBoardQueue extends Traffic {
  id: number;
  name: string;
  /** the queue's service-level objective: target (0..1) of calls answered within thresholdSeconds */
  thresholdSeconds: number;
  target: number;
  /** within its opening hours now and not closed by a supervisor (a closed queue takes no new calls) */
  open: boolean;
  /** closed by a supervisor until then (ISO); null: not */
  closedUntil: string | null;
  /** waiting now, and how long the one waiting longest has been in this queue (seconds) */
  waiting: number;
  longestWaitSeconds: number | null;
  /** the agents who serve the queue (they meet its requirements), by state */
  agents: StateCounts;
  /** callbacks: in line now (counted in `waiting` too) or being dialled, and due at a later time */
  callbacks: { inLine: number; later: number };
  /** voicemails callers left in this queue that nobody has dealt with yet */
  voicemails: number;
}

/** Callers in IVR menus now (they have no queue yet): how many, the longest time in the menus (seconds), per menu. */
export interface WallBoardIvr {
  calls: number;
  longestSeconds: number | null;
  /** by the menu each caller is in now, by name */
  menus: Array<{ name: string; calls: number; longestSeconds: number }>;
}

export interface WallBoardAgent {
  id: number;
  name: string;
  state: AgentState;
  /** the not-ready reason's code ('' in other states) and what people read for it */
  reason: string;
  reasonLabel: string;
  /** not ready for longer than the reason's limit (maxMinutes): the board flags it */
  overLimit: boolean;
  /** when the current state began (ISO), null if not since the server started */
  since: string | null;
  deviceUp: boolean;
  /** the call the agent has (ringing, talking, or wrapping up after), and its queue */
  callId: string | null;
  callQueueId: number | null;
  /** the supervisors listening to the agent's call now, and the one coaching the agent (logins) */
  listeners: string[];
  coach: string | null;
  /** the coach joined the call (barge-in): the caller hears them too */
  barge: boolean;
  /** the agent paused the call's recording (what is said now is not kept) */
  recordingPaused: boolean;
  /** a consult: the agent consults `with` (an agent's or a queue's name) about their call, or is consulted by them */
  consult: { role: 'consulting' | 'consulted'; with: string } | null;
  /** a phone number the agent dialled and is calling now (answered: talking; else ringing) */
  outbound: { number: string; answered: boolean } | null;
}

/** Who monitors an agent's call, and whether its recording is paused. */
export type Monitors = Pick<WallBoardAgent, 'listeners' | 'coach' | 'barge' | 'recordingPaused' | 'consult'>;
const NO_MONITORS: Monitors = { listeners: [], coach: null, barge: false, recordingPaused: false, consult: null };

/** What a supervisor's wall-board shows: `GET /api/wallboard` and every message of `/ws/supervisor`. */
export interface WallBoardView {
  type: 'wallboard';
  at: string;
  /** start of the period the figures count (today, from local midnight, unless asked otherwise) */
  since: string;
  totals: Traffic & { waiting: number; longestWaitSeconds: number | null; agents: StateCounts };
  queues: WallBoardQueue[];
  ivr: WallBoardIvr;
  agents: WallBoardAgent[];
}

interface Stored {
  since: number;
  written: number;
  readAt: number;
  queues: Queue[];
  agents: Agent[];
  traffic: Map<number, TrafficCounts>;
  /** new voicemails by queue */
  voicemails: Map<number, number>;
}

const STATES = Object.values(AgentState);
const NO_TRAFFIC: TrafficCounts = {
  offered: 0, answered: 0, answeredInThreshold: 0, waitSeconds: 0, abandoned: 0, overflowed: 0, missedOffers: 0, callbacksRequested: 0, callbacksFailed: 0, voicemailsLeft: 0,
  handled: 0, talkSeconds: 0, wrapUpSeconds: 0, surveys: 0, surveyScoreSum: 0, surveysSatisfied: 0,
};
/** the database part of the live view (queues, agents, the day's counts) is read again when the log grew, or after this */
const REREAD_MS = 5000;

/** Local midnight of the day `now` falls in (the server's time zone). */
export function startOfDay(now: number): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d;
}

const percent = (part: number, whole: number): number | null => (whole > 0 ? Math.round((1000 * part) / whole) / 10 : null);
const mean = (sum: number, n: number): number | null => (n > 0 ? Math.round((10 * sum) / n) / 10 : null);

/** The figures of ratings (the wall-board's and the reports', of queues and of agents). */
export function surveyFigures(c: SurveyCounts): SurveyFigures {
  return { surveys: c.surveys, surveyAverage: mean(c.surveyScoreSum, c.surveys), csatPercent: percent(c.surveysSatisfied, c.surveys) };
}

/** An agent's figures from their activity (the agents' report, and an agent's own day). */
export function agentFigures(a: Omit<AgentActivity, 'agentId' | 'start'>) {
  const round = (x: number) => Math.round(x * 10) / 10;
  const handling = a.ringingSeconds + a.busySeconds + a.wrapUpStateSeconds;
  return {
    handled: a.handled,
    ahtSeconds: a.handled > 0 ? round((a.talkSeconds + a.wrapUpSeconds) / a.handled) : null,
    missedOffers: a.missedOffers,
    talkSeconds: round(a.talkSeconds),
    wrapUpSeconds: round(a.wrapUpSeconds),
    readySeconds: round(a.readySeconds),
    ringingSeconds: round(a.ringingSeconds),
    handlingSeconds: round(a.busySeconds + a.wrapUpStateSeconds),
    notReadySeconds: round(a.notReadySeconds),
    loggedInSeconds: round(handling + a.readySeconds + a.notReadySeconds),
    occupancyPercent: handling + a.readySeconds > 0 ? round((100 * handling) / (handling + a.readySeconds)) : null,
    ...surveyFigures(a),
  };
}

/** The figures of traffic counts (the wall-board's and the reports'). */
export function trafficFigures(t: TrafficCounts): Traffic {
  const { offered, answered, answeredInThreshold, abandoned, overflowed, missedOffers, callbacksRequested, callbacksFailed, voicemailsLeft, waitSeconds, handled } = t;
  return {
    offered,
    answered,
    answeredInThreshold,
    abandoned,
    overflowed,
    missedOffers,
    callbacksRequested,
    callbacksFailed,
    voicemailsLeft,
    serviceLevelPercent: percent(answeredInThreshold, answered),
    serviceLevelOfferedPercent: percent(answeredInThreshold, answered + abandoned),
    asaSeconds: mean(waitSeconds, answered),
    abandonPercent: percent(abandoned, answered + abandoned),
    handled,
    ahtSeconds: mean(t.talkSeconds + t.wrapUpSeconds, handled),
    ...surveyFigures(t),
  };
}

function noCounts(): StateCounts {
  return Object.fromEntries(STATES.map((s) => [s, 0])) as StateCounts;
}

/**
 * The supervisors' live view: each queue's calls waiting and longest wait, the day's service level, ASA and
 * abandons (from the queue log), and the agents by state (from the ACD and the agents' desks). Pushed to every
 * `/ws/supervisor` connection once a second when it changed.
 */
export class WallBoard {
  readonly #watchers = new Set<WebSocket>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #lastSent = '';
  #stored: Stored | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly acd: AcdRuntime,
    private readonly desk: AgentDesk,
    private readonly log: CallLogWriter,
    private readonly logger: Logger,
    /** open callbacks by queue id */
    private readonly callbacks: () => Map<number, { inLine: number; later: number }> = () => new Map(),
    /** the callers in IVR menus now: the menu each is in, since when each is in the menus (ms) */
    private readonly inMenus: () => Array<{ menu: string; since: number }> = () => [],
    /** who listens to a call and who coaches its agent (logins), and the consult its agent (agentId) is in */
    private readonly monitors: (callId: string, agentId: string) => Monitors = () => NO_MONITORS,
    /** the not-ready reasons' labels and time limits */
    private readonly reasons: Pick<NotReadyReasons, 'label' | 'limitMs'> | null = null,
    /** the phone number each agent is calling now, if any */
    private readonly outboundOf: (agentId: string) => WallBoardAgent['outbound'] = () => null,
    private readonly intervalMs = 1000,
  ) {}

  /** What the board reads from the database changed without a queue event (a voicemail dealt with): read it again. */
  storedChanged(): void {
    this.#stored = null;
  }

  /** The view now, its figures counted from `since` (default: today). */
  async view(since?: Date): Promise<WallBoardView> {
    const now = Date.now();
    const from = since ?? startOfDay(now);
    const stored = await this.#read(from, now);
    const engine = this.acd.engine;
    const agents: WallBoardAgent[] = [];
    const totalAgents = noCounts();
    const known = new Set<string>();
    for (const a of stored.agents) {
      const id = String(a.id);
      known.add(id);
      const { state, reason } = this.desk.state(id);
      const info = engine.hasAgent(id) ? engine.agentInfo(id) : null;
      const call = info?.callId ? engine.callInfo(info.callId) : null;
      const since = this.desk.stateSince(id);
      totalAgents[state]++;
      agents.push({
        id: a.id,
        name: a.name,
        state,
        reason: state === 'not-ready' ? reason : '',
        reasonLabel: state === 'not-ready' ? (this.reasons?.label(reason) ?? reason) : '',
        overLimit: state === 'not-ready' && since !== null && now - since > (this.reasons?.limitMs(reason) ?? Infinity),
        since: since === null ? null : new Date(since).toISOString(),
        deviceUp: info?.deviceUp ?? false,
        callId: info?.callId ?? null,
        callQueueId: call?.queueId ? Number(call.queueId) : null,
        ...(info?.callId ? this.monitors(info.callId, id) : NO_MONITORS),
        outbound: this.outboundOf(id),
      });
    }
    const sum = { ...NO_TRAFFIC };
    let waiting = 0;
    let oldest = Infinity;
    const callbacks = this.callbacks();
    const queues = stored.queues.map((q): WallBoardQueue => {
      const status = engine.hasQueue(String(q.id)) ? this.acd.customersWaiting(String(q.id)) : { waiting: 0, oldestEnteredAt: null, agentIds: [] };
      const counts = noCounts();
      for (const id of status.agentIds) if (known.has(id)) counts[this.desk.state(id).state]++;
      const t = stored.traffic.get(q.id) ?? NO_TRAFFIC;
      for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += t[k];
      waiting += status.waiting;
      if (status.oldestEnteredAt !== null) oldest = Math.min(oldest, status.oldestEnteredAt);
      return {
        id: q.id,
        name: q.name,
        thresholdSeconds: q.serviceLevel.thresholdSeconds,
        target: q.serviceLevel.target,
        open: queueOpenAt(q, new Date(now)),
        closedUntil: q.closedUntil !== null && q.closedUntil.getTime() > now ? q.closedUntil.toISOString() : null,
        waiting: status.waiting,
        longestWaitSeconds: status.oldestEnteredAt === null ? null : waitedSeconds(now, status.oldestEnteredAt),
        ...trafficFigures(t),
        agents: counts,
        callbacks: callbacks.get(q.id) ?? { inLine: 0, later: 0 },
        voicemails: stored.voicemails.get(q.id) ?? 0,
      };
    });
    return {
      type: 'wallboard',
      at: new Date(now).toISOString(),
      since: from.toISOString(),
      totals: { ...trafficFigures(sum), waiting, longestWaitSeconds: oldest === Infinity ? null : waitedSeconds(now, oldest), agents: totalAgents },
      queues,
      ivr: ivrFigures(this.inMenus(), now),
      agents,
    };
  }

  /** A supervisor's connection: gets the view at once, then each change (checked once a second). */
  watch(ws: WebSocket): void {
    this.#watchers.add(ws);
    ws.on('close', () => this.#watchers.delete(ws));
    this.view().then(
      (v) => sendJson(ws, v),
      (err: unknown) => this.logger.error({ err }, 'wall-board view failed'),
    );
    this.#timer ??= setInterval(() => void this.#tick(), this.intervalMs);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const ws of this.#watchers) ws.close(1001, 'server closing');
    this.#watchers.clear();
  }

  async #tick(): Promise<void> {
    if (this.#watchers.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#lastSent = '';
      return;
    }
    if (this.#busy) return;
    this.#busy = true;
    try {
      const v = await this.view();
      const key = JSON.stringify({ ...v, at: undefined });
      if (key === this.#lastSent) return;
      this.#lastSent = key;
      for (const ws of this.#watchers) sendJson(ws, v);
    } catch (err) {
      this.logger.error({ err }, 'wall-board view failed');
    } finally {
      this.#busy = false;
    }
  }

  /** Queues, agents and the period's counts: kept for the live view's period while the log has not grown. */
  async #read(since: Date, now: number): Promise<Stored> {
    const s = this.#stored;
    const written = this.log.eventsWritten;
    if (s !== null && s.since === since.getTime() && s.written === written && now - s.readAt < REREAD_MS) return s;
    const [queues, agents, rows, voicemails] = await Promise.all([
      listAllQueues(this.db), listAllAgents(this.db), queueTraffic(this.db, { from: since }), newVoicemailCounts(this.db),
    ]);
    const traffic = new Map<number, TrafficCounts>(rows.map(({ queueId, start: _start, ...counts }) => [queueId, counts]));
    const stored: Stored = { since: since.getTime(), written, readAt: now, queues, agents, traffic, voicemails };
    if (since.getTime() === startOfDay(now).getTime()) this.#stored = stored;
    return stored;
  }
}

function ivrFigures(callers: Array<{ menu: string; since: number }>, now: number): WallBoardIvr {
  const menus = new Map<string, { name: string; calls: number; longestSeconds: number }>();
  let oldest = Infinity;
  for (const c of callers) {
    const seconds = waitedSeconds(now, c.since);
    const m = menus.get(c.menu) ?? { name: c.menu, calls: 0, longestSeconds: 0 };
    m.calls++;
    m.longestSeconds = Math.max(m.longestSeconds, seconds);
    menus.set(c.menu, m);
    oldest = Math.min(oldest, c.since);
  }
  return {
    calls: callers.length,
    longestSeconds: oldest === Infinity ? null : waitedSeconds(now, oldest),
    menus: [...menus.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function waitedSeconds(now: number, since: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}
