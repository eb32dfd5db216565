import type { WebSocket } from 'ws';
import { type AgentState, agentTransitionAllowed } from '../../acd/agent-state.ts';
import type { QueueEventType } from '../../db/schema.ts';
import { type Binding, bindingKey } from '../../sip/index.ts';
import { SocketGroups, sendJson } from '../events/ws-endpoints.ts';
import type { Logger } from '../logger.ts';
import type { AcdRuntime } from './acd-runtime.ts';
import type { CallLogWriter } from './call-log-writer.ts';
import type { QueueRef } from './customer-call.ts';
import type { SipCredentialDirectory } from './sip-credentials.ts';

/** What an agent's desktop is told about the agent (the /ws/agent protocol, with the call events). */
export interface AgentStateEvent {
  type: 'state';
  state: AgentState;
  reason: string;
  deviceUp: boolean;
  wrapUpEndsAt: string | null;
  /** the last call, while its queue requires a disposition the agent has not filed (a reloaded page shows it again) */
  unfiledCall: UnfiledCall | null;
}

/** A call whose queue requires a disposition, with the queue's choices. */
export interface UnfiledCall {
  callId: string;
  queue: string;
  dispositions: string[];
}

/**
 * The agents' side of the call center: their desktops (WebSocket connections), their devices (registrar bindings
 * resolved to agents through the SIP credentials), their state in the ACD, and the agent lines of the queue log.
 */
export class AgentDesk {
  readonly #sockets = new SocketGroups();
  readonly #devices = new Map<string, Map<string, Binding>>();
  /** bindings whose device does not answer the registrar's OPTIONS (qualify) */
  readonly #unreachable = new Set<string>();
  readonly #states = new Map<string, { state: AgentState; reason: string }>();
  /** when each agent's current state (or not-ready reason) began, ms */
  readonly #since = new Map<string, number>();
  readonly #wrapUpEnds = new Map<string, number>();
  readonly #names = new Map<string, string>();
  /** the call each agent took last, and its queue (whose wrap-up the agent's next wrap-up is) */
  readonly #lastCall = new Map<string, { callId: string; queueId: number }>();
  /** agents whose last call's queue requires a disposition they have not filed yet: the call and its queue */
  readonly #unfiled = new Map<string, UnfiledCall>();
  /** agents on a call to a phone number they dialled, with the state they were in before it (null: logged out) */
  readonly #dialling = new Map<string, { state: AgentState; reason: string } | null>();

  constructor(
    private readonly acd: AcdRuntime,
    private readonly credentials: SipCredentialDirectory,
    private readonly log: CallLogWriter,
    private readonly logger: Logger,
  ) {}

  setName(agentId: string, name: string): void {
    this.#names.set(agentId, name);
  }

  name(agentId: string): string {
    return this.#names.get(agentId) ?? `agent ${agentId}`;
  }

  // --- desktops ---

  attach(agentId: string, ws: WebSocket): void {
    this.#sockets.add(agentId, ws);
    if (this.state(agentId).state === 'logged-out') this.login(agentId);
    sendJson(ws, this.stateEvent(agentId));
  }

  /** The agents whose desktop is connected now. */
  connectedAgents(): string[] {
    return [...this.#sockets.keys()];
  }

  /** Whether the agent has a page (an agent desktop socket) open. */
  hasPage(agentId: string): boolean {
    return this.#sockets.has(agentId);
  }

  /** Sends the agent's pages a message; how many got it. */
  send(agentId: string, message: object): number {
    return this.#sockets.send(agentId, message);
  }

  // --- state ---

  state(agentId: string): { state: AgentState; reason: string } {
    return this.#states.get(agentId) ?? { state: 'logged-out', reason: '' };
  }

  /** When the agent's current state (with its reason) began, ms; null if they have not had one since the start. */
  stateSince(agentId: string): number | null {
    return this.#since.get(agentId) ?? null;
  }

  stateEvent(agentId: string): AgentStateEvent {
    const s = this.state(agentId);
    const ends = this.#wrapUpEnds.get(agentId);
    return {
      type: 'state',
      state: s.state,
      reason: s.reason,
      deviceUp: this.#hasDevice(agentId),
      wrapUpEndsAt: s.state === 'wrap-up' && ends !== undefined ? new Date(ends).toISOString() : null,
      unfiledCall: this.#unfiled.get(agentId) ?? null,
    };
  }

  login(agentId: string): void {
    if (!this.acd.engine.hasAgent(agentId)) return;
    this.acd.run((e, now) => {
      e.agentLogin(now, agentId);
      if (!this.#hasDevice(agentId)) e.deviceDown(now, agentId);
    });
  }

  /**
   * The agent took a call (the ACD assigned it) of this queue. If the queue requires a disposition, the agent cannot
   * end wrap-up early (Done, Ready) until they file the call; the wrap-up time still ends it.
   */
  callTaken(agentId: string, callId: string, queue: Pick<QueueRef, 'id' | 'name' | 'dispositions' | 'dispositionRequired'>): void {
    this.#lastCall.set(agentId, { callId, queueId: queue.id });
    if (queue.dispositionRequired) this.#unfiled.set(agentId, { callId, queue: queue.name, dispositions: queue.dispositions });
    else this.#unfiled.delete(agentId);
  }

  /** The agent filed a call under a disposition. */
  callFiled(agentId: string, callId: string): void {
    if (this.#unfiled.get(agentId)?.callId === callId) this.#unfiled.delete(agentId);
  }

  /** Asks the ACD for a state change the agent requested; the reason it is refused, or undefined when it was asked. */
  request(agentId: string, want: 'ready' | 'not-ready' | 'logged-out' | 'wrap-up-done', reason = ''): string | undefined {
    const refused = (): string => `cannot go ${want} now (state ${this.state(agentId).state})`;
    if (!this.acd.engine.hasAgent(agentId)) return refused();
    if (want !== 'logged-out' && this.state(agentId).state === 'logged-out') this.login(agentId);
    const current = this.state(agentId).state;
    if (want === 'wrap-up-done' && current !== 'wrap-up') return refused();
    if (want === 'ready' && this.#dialling.has(agentId)) return 'cannot go ready during your call to a number (you go back to ready when it ends)';
    const target = want === 'wrap-up-done' ? 'ready' : want;
    // Ready comes from not-ready or the end of wrap-up; a reserved or busy agent gets there by the call ending.
    if (target === 'ready' && current !== 'not-ready' && current !== 'wrap-up' && current !== 'ready') return refused();
    if (current !== target && !agentTransitionAllowed(current, target)) return refused();
    // (a break taken during wrap-up does not end it early either: until its time is up)
    const unfiled = this.#unfiled.get(agentId);
    const wrapUpTime = current === 'wrap-up' || (current === 'not-ready' && (this.#wrapUpEnds.get(agentId) ?? 0) > Date.now());
    if (target === 'ready' && wrapUpTime && unfiled !== undefined) {
      return `file a disposition for your last call first (queue ${unfiled.queue} requires one)`;
    }
    this.acd.run((e, now) => {
      if (target === 'ready') {
        if (current === 'wrap-up') e.wrapUpEnded(now, agentId);
        else if (current === 'not-ready') e.agentReady(now, agentId);
      } else if (target === 'not-ready') e.agentNotReady(now, agentId, reason || 'not-ready');
      else e.agentLogout(now, agentId);
    });
    return undefined;
  }

  /**
   * The agent dials a phone number (OutboundCall): meanwhile the ACD offers them nothing (not ready, reason
   * `outbound`: reports count the time under it). False when they cannot now (offered a call, on one, in wrap-up,
   * or dialling already); a logged-out agent may dial and stays logged out.
   */
  outboundStarted(agentId: string): boolean {
    const before = this.state(agentId);
    if (this.#dialling.has(agentId) || (before.state !== 'ready' && before.state !== 'not-ready' && before.state !== 'logged-out')) return false;
    if (before.state === 'logged-out' || !this.acd.engine.hasAgent(agentId)) {
      this.#dialling.set(agentId, null);
      return true;
    }
    this.#dialling.set(agentId, before);
    this.acd.run((e, now) => e.agentNotReady(now, agentId, 'outbound'));
    return true;
  }

  /** The agent's call to a number ended: back to the state they were in (unless they chose another meanwhile). */
  outboundEnded(agentId: string): void {
    const before = this.#dialling.get(agentId);
    this.#dialling.delete(agentId);
    if (before === undefined || before === null || !this.acd.engine.hasAgent(agentId)) return;
    const now = this.state(agentId);
    if (now.state !== 'not-ready' || now.reason !== 'outbound') return;
    this.acd.run((e, t) => (before.state === 'ready' ? e.agentReady(t, agentId) : e.agentNotReady(t, agentId, before.reason)));
  }

  /** Called with every state change the ACD decides. */
  stateChanged(agentId: string, state: AgentState, reason: string, wrapUpSeconds: number): void {
    const { state: prev, reason: prevReason } = this.state(agentId);
    const now = Date.now();
    const prevSince = this.#since.get(agentId);
    if (prev !== state || prevReason !== reason || prevSince === undefined) this.#since.set(agentId, now);
    this.#states.set(agentId, { state, reason });
    if (prevSince !== undefined && (prev !== state || prevReason !== reason)) {
      // the time spent in the state the agent leaves (reports: ready idle, occupancy, not-ready by reason)
      this.log.event({ event: 'AGENTSTATE', agentId: Number(agentId), data: { from: prev, to: state, reason: prevReason, seconds: (now - prevSince) / 1000 } });
    }
    const last = this.#lastCall.get(agentId);
    if (prev === 'wrap-up' && state !== 'wrap-up' && last !== undefined) {
      // the after-call work of the agent's last call: in the queue log (reports' AHT) and in the call record
      const wrapUp = prevSince === undefined ? 0 : (now - prevSince) / 1000;
      this.log.event({ event: 'WRAPUPEND', callId: last.callId, queueId: last.queueId, agentId: Number(agentId), data: { to: state, wrapUp } });
      this.log.addWrapUp(last.callId, wrapUp);
    }
    if (state === 'wrap-up') this.#wrapUpEnds.set(agentId, Date.now() + wrapUpSeconds * 1000);
    const event = agentQueueEvent(prev, state);
    if (event !== null) this.log.event({ event, agentId: Number(agentId), data: { from: prev, to: state, reason } });
    this.send(agentId, this.stateEvent(agentId));
  }

  // --- devices ---

  /**
   * The devices to ring for an agent: every registered binding that answers (a desk phone and the browser
   * softphone ring together; the first to answer takes the call), the most recently registered first.
   */
  devicesOf(agentId: string): Binding[] {
    const up: Binding[] = [];
    for (const b of this.#devices.get(agentId)?.values() ?? []) if (!this.#unreachable.has(bindingKey(b))) up.push(b);
    return up.sort((x, y) => y.expiresAt - x.expiresAt);
  }

  #hasDevice(agentId: string): boolean {
    return this.devicesOf(agentId).length > 0;
  }

  async bindingAdded(b: Binding): Promise<void> {
    const agentId = await this.#agentOf(b);
    if (agentId === null) return;
    const wasUp = this.#hasDevice(agentId);
    let devices = this.#devices.get(agentId);
    if (devices === undefined) this.#devices.set(agentId, (devices = new Map()));
    devices.set(bindingKey(b), b);
    this.logger.info({ agentId, contact: b.contact, transport: b.transport }, 'agent device registered');
    this.#deviceMoved(agentId, wasUp);
  }

  async bindingRemoved(b: Binding, reason: string): Promise<void> {
    const agentId = await this.#agentOf(b);
    if (agentId === null) return;
    const devices = this.#devices.get(agentId);
    const wasUp = this.#hasDevice(agentId);
    this.#unreachable.delete(bindingKey(b));
    if (devices === undefined || !devices.delete(bindingKey(b))) return;
    this.logger.info({ agentId, contact: b.contact, reason }, 'agent device went away');
    if (devices.size === 0) this.#devices.delete(agentId);
    this.#deviceMoved(agentId, wasUp);
  }

  /** A registered device stopped or started answering the registrar's OPTIONS: it is down while it does not. */
  async bindingReachability(b: Binding, reachable: boolean): Promise<void> {
    const agentId = await this.#agentOf(b);
    if (agentId === null) return;
    const wasUp = this.#hasDevice(agentId);
    if (reachable) this.#unreachable.delete(bindingKey(b));
    else this.#unreachable.add(bindingKey(b));
    this.logger.info({ agentId, contact: b.contact, reachable }, reachable ? 'agent device answers again' : 'agent device does not answer: down');
    this.#deviceMoved(agentId, wasUp);
  }

  /** Tells the ACD and the agent's desktop when the agent's device comes up or goes down. */
  #deviceMoved(agentId: string, wasUp: boolean): void {
    const up = this.#hasDevice(agentId);
    if (up === wasUp) return;
    if (this.acd.engine.hasAgent(agentId)) this.acd.run((e, now) => (up ? e.deviceUp(now, agentId) : e.deviceDown(now, agentId)));
    this.send(agentId, this.stateEvent(agentId));
  }

  async #agentOf(b: Binding): Promise<string | null> {
    if (b.username === null) return null;
    const cred = await this.credentials.lookup(b.username);
    return cred?.agentId ?? null;
  }
}

/** The queue_log line for an agent's state move, if it has one. */
function agentQueueEvent(from: AgentState, to: AgentState): QueueEventType | null {
  if (from === to) return null;
  if (from === 'logged-out') return 'AGENTLOGIN';
  if (to === 'logged-out') return 'AGENTLOGOFF';
  if (to === 'not-ready') return 'PAUSE';
  if (from === 'not-ready' && to === 'ready') return 'UNPAUSE';
  return null; // (the end of wrap-up is logged with its call: WRAPUPEND)
}
