import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { getCall, listQueueEvents, setSurveyScore } from '../../db/repositories/call-log.ts';
import { type IvrMenu, getIvrMenu, getIvrMenuByName } from '../../db/repositories/ivr-menus.ts';
import { type Queue, getQueue, getQueueByName } from '../../db/repositories/queues.ts';
import { findUserByLogin, getAgent, listAllAgents } from '../../db/repositories/users.ts';
import { countNewVoicemails, createVoicemail, deleteVoicemailsBefore } from '../../db/repositories/voicemails.ts';
import { createCallRecording, deleteCallRecordingsBefore } from '../../db/repositories/call-recordings.ts';
import { eraseCallsBefore } from '../../db/repositories/erase.ts';
import { type CallNote, type EarlierCall, earlierCalls, lastAgentOf, notesOfCalls, saveCallNote } from '../../db/repositories/call-notes.ts';
import type { CallRow, Database, QueueEvent } from '../../db/schema.ts';
import type { MediaEngine } from '../../media/index.ts';
import { type Binding, type BindingRemovedReason, type IncomingCall, KeyTable, type SipStack } from '../../sip/index.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import { SocketGroups, sendJson } from '../events/ws-endpoints.ts';
import type { Logger } from '../logger.ts';
import { AcdRuntime } from './acd-runtime.ts';
import { AgentDesk } from './agent-desk.ts';
import { CallLogWriter } from './call-log-writer.ts';
import { type CallEnvironment, CustomerCall, type CustomerEvent, NO_CALL_LOG, type QueueRef } from './customer-call.ts';
import { CustomerCallState } from './customer-call-state.ts';
import { type CallbackOutcome, Callbacks } from './callbacks.ts';
import { type LinkOutcome, linkRefusal } from './customer-link.ts';
import { type CallbackSettings, loadCallbackSettings, storeCallbackSettings } from './callback-settings.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import type { SipCredentialDirectory } from './sip-credentials.ts';
import { ListenIns } from './listen-in.ts';
import { closedNow } from './opening-hours.ts';
import { WallBoard } from './wall-board.ts';
import { Blocklist } from './blocklist.ts';
import { Webhooks } from './webhooks.ts';
import { NotReadyReasons } from './not-ready-reasons.ts';
import { customerKey } from './call-log-writer.ts';
import { maskNumber, normalizeNumber } from './phone-numbers.ts';
import { OutboundCall, outboundProblem } from './outbound-call.ts';
import type { WebSocket } from 'ws';

/** A browser call announced by POST /api/public/calls, waiting for its INVITE. */
export interface PendingCall {
  callId: string;
  queue: Queue;
  language: string;
  page: Record<string, unknown>;
  history: unknown[];
  customerId: string | null;
  /** the menus of the widget's visual IVR the customer went through (empty: none) */
  menus: string[];
  /** The address the announcement came from (limits per address: PUBLIC_CALLS_PER_SOURCE). */
  source: string;
  sipUsername: string;
  expiresAt: number;
}

export interface CallCenterDeps {
  db: Kysely<Database>;
  logger: Logger;
  sip: SipStack;
  media: MediaEngine;
  credentials: SipCredentialDirectory;
  tokens: TokenSigner;
  /** encrypts the secrets stored with the settings (the callback trunk's password) */
  secrets: SecretBox;
  realm: string;
  /** MEDIA_TIMEOUT_SECONDS: a connected call with one side silent (no RTP) this long is hung up; 0 = off. */
  mediaTimeoutSeconds?: number;
  /** VOICEMAIL_MAX_PER_QUEUE, VOICEMAIL_RETENTION_DAYS (0: no limit, kept for ever); default 200 and 90 */
  voicemail?: { maxPerQueue: number; retentionDays: number };
  /** RECORDING_RETENTION_DAYS (0: kept for ever); default 30 */
  recordingRetentionDays?: number;
  /** CALL_DATA_RETENTION_DAYS: older calls lose who the customer was (0: kept for ever); default 0 */
  callDataRetentionDays?: number;
  /** this server among those sharing the database (host name and HTTP port): its webhook outbox is its own */
  node?: string;
  /** CALLBACK_*: how customers are called back; default: no trunk, no callbacks */
  callbacks?: CallbackSettings;
}

const PENDING_TTL_MS = 5 * 60 * 1000;
/** Announced browser calls not dialled yet, from all addresses together: beyond this, new ones get 503. */
export const MAX_PENDING_CALLS = 10_000;

/** How often agents' desktops are told the calls waiting in their queues (when that changed). */
const QUEUE_FEED_MS = 1000;

/** `/ws/agent` message: the queues the agent serves, with their waiting calls. */
export interface AgentQueuesEvent {
  type: 'queues';
  queues: Array<{ queue: string; waiting: number; longestSince: string | null }>;
}

/**
 * The call center: routes customers' calls through the ACD to agents' devices. It owns the live ACD, the agents'
 * desks and the calls in progress, and answers the SIP stack's incoming calls and registrations.
 */
export class CallCenter {
  readonly acd: AcdRuntime;
  readonly desk: AgentDesk;
  readonly log: CallLogWriter;
  /** the supervisors' live view */
  readonly board: WallBoard;
  /** callbacks the ACD holds or is dialling */
  readonly callbacks: Callbacks;
  /** customers whose calls and callback requests are refused */
  readonly blocklist: Blocklist;
  /** the queue log's events, sent to an admin's URL as they happen */
  readonly webhooks: Webhooks;
  /** the reasons agents give for going not ready (admin's list) */
  readonly notReadyReasons: NotReadyReasons;
  /** supervisors listening to calls (silent monitoring) */
  readonly listens: ListenIns;
  readonly #deps: CallCenterDeps;
  /** the calls in progress (a KeyTable, not a Map: a Map through which calls come and go keeps every finished call
   * alive through young-generation collections, see sip/core/key-table.ts) */
  readonly #calls = new KeyTable<string, CustomerCall>();
  /** agents' calls to phone numbers, by agent */
  readonly #outbound = new Map<string, OutboundCall>();
  /** In announcement order, which is also expiry order (one TTL for all). */
  readonly #pending = new Map<string, PendingCall>();
  readonly #pendingBySource = new Map<string, number>();
  readonly #customerSockets = new SocketGroups();
  readonly #wrapUpSeconds = new Map<string, number>();
  /** Links sent into each call so far (POST /api/agent/calls/{callId}/link; at most MAX_LINKS_PER_CALL). */
  readonly #linksSent = new WeakMap<CustomerCall, number>();
  /** The one-call SIP username of each browser call, revoked when the call ends. */
  readonly #callUsernames = new Map<string, string>();
  readonly #env: CallEnvironment;
  #closed = false;
  /** the callback settings came from the database (an admin set them), not from CALLBACK_* */
  #callbackSettingsStored = false;
  #mediaWatch: NodeJS.Timeout | undefined;
  #recordingSweep: NodeJS.Timeout | undefined;
  get #voicemail(): { maxPerQueue: number; retentionDays: number } {
    return this.#deps.voicemail ?? { maxPerQueue: 200, retentionDays: 90 };
  }
  #queueFeed: NodeJS.Timeout | undefined;
  /** the last `queues` message each agent's desktop got (one is sent again only when it changed) */
  readonly #queuesSent = new Map<string, string>();

  constructor(deps: CallCenterDeps) {
    this.#deps = deps;
    this.log = new CallLogWriter(deps.db, deps.logger);
    this.acd = new AcdRuntime(deps.db, deps.logger);
    this.desk = new AgentDesk(this.acd, deps.credentials, this.log, deps.logger);
    this.listens = new ListenIns(this.log, deps.logger, { send: (agentId, event) => this.desk.send(agentId, event), hasPage: (agentId) => this.desk.hasPage(agentId) });
    this.blocklist = new Blocklist(deps.db);
    this.notReadyReasons = new NotReadyReasons(deps.db);
    this.webhooks = new Webhooks({ db: deps.db, box: deps.secrets, logger: deps.logger, node: deps.node ?? 'default' });
    this.log.onEvent = (e) => {
      // (who calls, for a call in progress)
      const call = e.callId ? this.#calls.get(e.callId) : undefined;
      this.webhooks.enqueue(e, call && { caller: call.details.caller, customerId: call.details.customerId, channel: call.details.channel, language: call.language });
    };
    this.board = new WallBoard(deps.db, this.acd, this.desk, this.log, deps.logger, () => this.callbacks.summary(), () => this.#inMenus(), (callId, agentId) => {
      const coach = this.listens.coachOf(callId);
      const call = this.#calls.get(callId);
      const recordingPaused = call?.recordingPaused ?? false;
      // (an agent whose caller hung up while they consulted is on the consult still: the ACD holds the call for them)
      const consult = call?.consultView ?? this.consultBy(agentId)?.consultantView ?? null;
      return { listeners: this.listens.of(callId).map((l) => l.login), coach: coach?.login ?? null, barge: coach?.barge ?? false, recordingPaused, consult };
    }, this.notReadyReasons, (agentId) => {
      const out = this.#outbound.get(agentId);
      return out === undefined ? null : { number: out.number, answered: out.answered };
    });
    this.#env = {
      acd: this.acd,
      media: deps.media,
      sip: deps.sip,
      log: this.log,
      logger: deps.logger,
      realm: deps.realm,
      devicesOf: (agentId) => this.desk.devicesOf(agentId),
      agentName: (agentId) => this.desk.name(agentId),
      agentNamed: async (name) => {
        const user = await findUserByLogin(this.#deps.db, name);
        if (user !== undefined && user.role === 'agent') return { id: String(user.id), login: user.login };
        const cred = await this.#deps.credentials.lookup(name);
        const agent = cred?.agentId === undefined ? undefined : await getAgent(this.#deps.db, Number(cred.agentId));
        return agent && { id: String(agent.id), login: agent.login };
      },
      agentState: (agentId) => this.desk.state(agentId).state,
      queueNamed: async (name) => {
        const q = await getQueueByName(this.#deps.db, name);
        return q && queueRef(q);
      },
      queueById: async (id) => {
        const q = await getQueue(this.#deps.db, id);
        return q && queueRef(q);
      },
      ivrMenu: (id) => getIvrMenu(this.#deps.db, id),
      toAgent: (agentId, event) => this.desk.send(agentId, event),
      toCustomer: (callId, event) => this.#toCustomer(callId, event),
      ended: (call) => this.#ended(call),
      callbacksOffered: () => this.callbacks.enabled,
      requestCallback: (call, number, inLine) => {
        const r = this.callbacks.request(call, number, null, inLine);
        if (r.outcome !== 'requested') this.#deps.logger.warn({ callId: call.id, outcome: r.outcome }, 'callback by key refused');
      },
      saveRecording: async (r) => {
        await createCallRecording(deps.db, { callId: r.callId, queueId: r.queueId, agentId: r.agentId, startedAt: r.startedAt, seconds: r.seconds, audio: r.wav });
      },
      voicemailRoom: async (queueId) => {
        const max = this.#voicemail.maxPerQueue;
        return max === 0 || (await countNewVoicemails(deps.db, queueId)) < max;
      },
      saveVoicemail: async (v) => {
        const stored = await createVoicemail(this.#deps.db, { ...v, audio: v.wav });
        this.log.event({ event: 'VOICEMAIL', callId: v.callId, queueId: v.queueId, data: { voicemailId: stored.id, seconds: Math.round(v.seconds * 10) / 10 } });
      },
      knownAgentOf: async (callId, key) => {
        if (key === null) return null;
        await this.log.flush(); // (the customer's last call's agent is written)
        const agentId = await lastAgentOf(this.#deps.db, key, callId, new Date(Date.now() - KNOWN_AGENT_DAYS * 86_400_000));
        return agentId === null ? null : String(agentId);
      },
      rateCall: async (callId, score) => {
        const r = await this.rateCall(callId, score);
        if (r.outcome !== 'rated') this.#deps.logger.warn({ callId, outcome: r.outcome }, 'rating by key not kept');
      },
      callTaken: (agentId, callId, queue) => {
        this.#wrapUpSeconds.set(agentId, queue.wrapUpSeconds);
        this.desk.callTaken(agentId, callId, queue);
      },
    };
    this.callbacks = new Callbacks({
      db: deps.db,
      env: this.#env,
      settings: deps.callbacks ?? { trunk: null, callerId: `sip:callcenter@${deps.realm}`, dialSeconds: 30, retrySeconds: 300, attempts: 3, agentCalls: false, allowedPrefixes: [] },
      queueRef,
      answered: (cb, leg, agentId) => {
        const customer = new CustomerCall(this.#env, leg, {
          id: cb.callId,
          queue: cb.queue,
          language: cb.language,
          channel: 'sip',
          caller: cb.number,
          customerId: cb.customerId,
          page: cb.page,
          history: cb.history,
          calledBackFor: { agentId, attempt: cb.attempts, arrangedBy: cb.owner },
        });
        this.#calls.set(customer.id, customer);
        void customer.start().catch((err: unknown) => this.#deps.logger.error({ err, callId: cb.callId }, 'called-back customer failed'));
      },
    });
    const acd = this.acd;
    acd.on('offer', (callId, agentIds) => {
      const call = this.#calls.get(callId);
      if (call !== undefined) call.offer(agentIds);
      else if (this.callbacks.has(callId)) this.callbacks.offered(callId, agentIds);
    });
    acd.on('cancelOffer', (callId, agentId, reason) => this.#calls.get(callId)?.cancelOffer(agentId, reason));
    acd.on('assigned', (callId, agentId) => {
      const call = this.#calls.get(callId);
      // (a consult is no call of the agent's to file: the customer's call is, if it is handed over)
      if (call?.isConsult === true) return;
      const queue = call?.queue ?? this.callbacks.queueOf(callId);
      if (queue !== undefined) this.#env.callTaken(agentId, callId, queue);
    });
    acd.on('overflow', (callId, target) => this.#calls.get(callId)?.overflow(target));
    acd.on('positionChanged', (callId, position, ewt) => this.#calls.get(callId)?.positionChanged(position, ewt));
    acd.on('agentStateChanged', (agentId, state, reason) =>
      this.desk.stateChanged(agentId, state, reason, this.#wrapUpSeconds.get(agentId) ?? 0),
    );
  }

  async start(): Promise<void> {
    const timeout = this.#deps.mediaTimeoutSeconds ?? 0;
    if (timeout > 0) {
      // a third of the timeout between looks (1 to 10 s): a dead call ends within timeout + that
      this.#mediaWatch = setInterval(() => {
        for (const call of this.#calls.values()) void call.checkMedia(timeout);
        for (const call of this.#outbound.values()) void call.checkMedia(timeout);
      }, Math.min(10, Math.max(1, timeout / 3)) * 1000);
      this.#mediaWatch.unref();
    }
    this.#queueFeed = setInterval(() => this.#sendQueues(), QUEUE_FEED_MS);
    this.#queueFeed.unref();
    // voicemails and call recordings past their retention go, at the start and every hour
    void this.#sweepRecordings();
    this.#recordingSweep = setInterval(() => void this.#sweepRecordings(), 3600_000);
    this.#recordingSweep.unref();
    await this.acd.load();
    await this.blocklist.reload();
    await this.webhooks.load();
    await this.notReadyReasons.load();
    const stored = await loadCallbackSettings(this.#deps.db, this.callbacks.settings, this.#deps.secrets);
    if (stored.problem !== undefined) {
      this.#deps.logger.warn({ problem: stored.problem }, 'the callback trunk password stored in the database cannot be used (was SECRET_KEY or DATA_DIR/secret.key changed?): calls to the trunk go without it until an admin sets it again');
    }
    if (stored.resealed === true) this.#deps.logger.info('the callback trunk password stored in clear by an earlier version is now stored encrypted');
    this.callbacks.configure(stored.settings);
    this.#callbackSettingsStored = stored.stored;
    await this.callbacks.load();
    for (const a of await listAllAgents(this.#deps.db)) this.desk.setName(String(a.id), a.name);
    const sip = this.#deps.sip;
    sip.on('incomingCall', (call) => void this.#incoming(call).catch((err: unknown) => {
      this.#deps.logger.error({ err }, 'incoming call failed');
      try {
        call.reject(500, 'Server Internal Error');
      } catch {
        /* already answered or gone */
      }
    }));
    sip.on('bindingAdded', this.#onBindingAdded);
    sip.on('bindingRemoved', this.#onBindingRemoved);
    sip.on('bindingReachability', this.#onBindingReachability);
  }

  // A device's binding moves look up its agent in the database: once closed, the center hears no more of them,
  // and a lookup that fails (the database going away under a late OPTIONS timeout) is logged, not left unhandled.
  readonly #onBindingAdded = (b: Binding): void => this.#deviceMove(this.desk.bindingAdded(b));
  readonly #onBindingRemoved = (b: Binding, reason: BindingRemovedReason): void => this.#deviceMove(this.desk.bindingRemoved(b, reason));
  readonly #onBindingReachability = (b: Binding, reachable: boolean): void => this.#deviceMove(this.desk.bindingReachability(b, reachable));

  #deviceMove(move: Promise<void>): void {
    move.catch((err: unknown) => {
      if (!this.#closed) this.#deps.logger.error({ err }, 'agent device update failed');
    });
  }

  async reloadAgent(id: number): Promise<void> {
    const a = await getAgent(this.#deps.db, id);
    // (a disabled agent is logged out: no call is offered to them; one they are on goes on to its end)
    this.acd.updateAgent(id, a?.disabled === true ? undefined : a);
    if (a) this.desk.setName(String(a.id), a.name);
  }

  async reloadQueue(id: number): Promise<void> {
    await this.acd.reloadQueue(id);
  }

  /** POST /api/public/calls: a browser is about to call; returns what its widget needs to dial. */
  prepareBrowserCall(input: { queue: Queue; language: string; page: Record<string, unknown>; history: unknown[]; customerId: string | null; menus: string[]; source: string }): {
    callId: string;
    token: string;
    username: string;
    password: string;
  } {
    const callId = randomUUID();
    const { username, password } = this.#deps.credentials.issue({ kind: 'customer', callId }, PENDING_TTL_MS / 1000 + 4 * 3600);
    const expiresAt = Date.now() + PENDING_TTL_MS;
    this.#pending.set(callId, { callId, ...input, sipUsername: username, expiresAt });
    this.#pendingBySource.set(input.source, (this.#pendingBySource.get(input.source) ?? 0) + 1);
    const token = this.#deps.tokens.sign({ scope: 'call', callId, exp: Math.floor(Date.now() / 1000) + 4 * 3600 });
    return { callId, token, username, password };
  }

  /** SIP credentials for an agent's browser softphone, valid for `ttlSeconds`. */
  issueAgentCredentials(agentId: number, ttlSeconds: number): { username: string; password: string } {
    return this.#deps.credentials.issue({ kind: 'agent', agentId }, ttlSeconds);
  }

  /** The customer's event socket for a call. */
  attachCustomer(callId: string, ws: WebSocket): void {
    this.#customerSockets.add(callId, ws);
    const call = this.#calls.get(callId);
    const pos = call?.position;
    if (pos) sendJson(ws, { type: 'position', ...pos });
  }

  #toCustomer(callId: string, event: CustomerEvent): void {
    this.#customerSockets.send(callId, event);
  }

  async #incoming(call: IncomingCall): Promise<void> {
    const token = call.header('X-Call-Token');
    let pending: PendingCall | undefined;
    let queue: Queue | undefined;
    let menu: IvrMenu | undefined;
    if (token !== undefined) {
      const claims = this.#deps.tokens.verifyCall(token);
      pending = claims ? this.#pending.get(claims.callId) : undefined;
      if (claims === null) return call.reject(403, 'Forbidden: invalid or expired X-Call-Token');
      if (pending === undefined) return call.reject(404, 'Not Found: no call is waiting for this token (already used or expired)');
      if (call.identity.username !== pending.sipUsername) return call.reject(403, 'Forbidden: the call token belongs to another caller');
      this.#unpend(pending);
      this.#callUsernames.set(pending.callId, pending.sipUsername);
      queue = (await getQueue(this.#deps.db, pending.queue.id)) ?? pending.queue;
    } else {
      // A SIP phone or trunk dialling a queue or an IVR menu by name: sip:<name>@<realm>.
      const user = /^sips?:([^@;?]+)@/i.exec(call.requestUri)?.[1];
      const name = user ? decodeURIComponent(user) : '';
      // An agent's device dialling while the agent talks with a caller: a consult about that call.
      const onCall = call.identity.agentId === undefined ? undefined : this.#connectedCallOf(call.identity.agentId);
      if (onCall !== undefined) return this.#consult(call, onCall, name);
      queue = name ? await getQueueByName(this.#deps.db, name) : undefined;
      menu = queue === undefined && name ? await getIvrMenuByName(this.#deps.db, name) : undefined;
      // An agent's device dialling a phone number: out through the trunk.
      const number = queue === undefined && menu === undefined && call.identity.agentId !== undefined ? normalizeNumber(name) : null;
      if (number !== null) {
        // (an agent's desk-phone user that looks like a number is theirs, not a customer's)
        const colleague = await this.#env.agentNamed(name);
        if (colleague !== undefined) return call.reject(404, `Not Found: ${name} is the agent ${this.desk.name(colleague.id)} (agents call each other only to consult about a call)`);
        return this.#dialOut(call, call.identity.agentId!, number);
      }
      if (queue === undefined && menu === undefined) return call.reject(404, `Not Found: no queue or IVR menu named ${JSON.stringify(name)}`);
      // (a browser call announced while the queue was open goes on; a phone dialling a closed queue is told;
      // a menu answers when closed too, to say so)
      const closed = queue === undefined ? null : closedNow(queue, new Date());
      if (closed !== null) return call.reject(480, `Temporarily Unavailable: ${closed}`);
      const key = customerKey(null, call.fromUri);
      if (this.blocklist.blocks(key)) {
        this.#deps.logger.info({ caller: maskNumber(key!.slice(4)), to: name }, 'call from a blocked number refused');
        return call.reject(603, 'Decline: calls from this number are not accepted');
      }
    }
    if (this.#closed) return call.reject(503, 'Service Unavailable: shutting down');
    const customer = new CustomerCall(this.#env, call, {
      ...(pending ? { id: pending.callId } : {}),
      queue: queue === undefined ? null : queueRef(queue),
      ...(menu === undefined ? {} : { menu }),
      // (in an IVR menu the caller may choose one; else the queue's)
      language: pending?.language ?? queue?.language ?? null,
      channel: pending ? 'webrtc' : 'sip',
      caller: pending ? 'web' : call.fromUri,
      customerId: pending?.customerId ?? null,
      page: pending?.page ?? null,
      history: pending?.history ?? [],
      ...(pending && pending.menus.length > 0 ? { menus: pending.menus } : {}),
    });
    this.#calls.set(customer.id, customer);
    await customer.start();
  }

  /** The agent's device dialled a phone number (the trunk's settings allowing it): an OutboundCall. */
  async #dialOut(call: IncomingCall, agentId: string, number: string): Promise<void> {
    if (this.#closed) return call.reject(503, 'Service Unavailable: shutting down');
    const settings = this.callbacks.settings;
    const problem = outboundProblem(settings, number);
    if (problem !== null) return call.reject(403, `Forbidden: ${problem}`);
    if (this.#outbound.has(agentId)) return call.reject(486, 'Busy Here: you are calling a number already');
    if (!this.desk.outboundStarted(agentId)) {
      const state = this.desk.state(agentId).state;
      return call.reject(486, `Busy Here: you cannot dial now (${state === 'wrap-up' ? 'in wrap-up: end it first' : state === 'reserved' ? 'a call is offered to you' : `you are ${state}`})`);
    }
    const out = new OutboundCall(
      {
        sip: this.#deps.sip, media: this.#deps.media, log: this.log, logger: this.#deps.logger, settings,
        agentName: this.desk.name(agentId),
        toAgent: (event) => this.desk.send(agentId, event),
        ended: () => {
          if (this.#outbound.get(agentId) === out) this.#outbound.delete(agentId);
          this.desk.outboundEnded(agentId);
        },
      },
      call, agentId, number,
    );
    this.#outbound.set(agentId, out);
    try {
      await out.start();
    } catch (err) {
      out.hangUp(); // (its end lets the agent go: they are not left not ready)
      throw err;
    }
  }

  /** The agent's call to a phone number, if they are on one (dialling or talking). */
  outboundOf(agentId: string): OutboundCall | undefined {
    return this.#outbound.get(agentId);
  }

  /** The customer's call an agent is connected to (not a consult they took). */
  #connectedCallOf(agentId: string): CustomerCall | undefined {
    for (const c of this.#calls.values()) if (c.agentId === agentId && c.state === CustomerCallState.Connected && !c.isConsult) return c;
    return undefined;
  }

  /**
   * The agent connected on `of` dialled `name` (an agent's login or desk-phone user, or a queue): a consult call. It is
   * answered at once (silence until someone takes it) and routed by the ACD; an agent dialled must be ready for it.
   */
  async #consult(call: IncomingCall, of: CustomerCall, name: string): Promise<void> {
    const agentId = call.identity.agentId!;
    if (this.#closed) return call.reject(503, 'Service Unavailable: shutting down');
    if (of.consult !== null) return call.reject(486, 'Busy Here: a consult about this call is in progress');
    const q = name ? await getQueueByName(this.#deps.db, name) : undefined;
    const agent = name && q === undefined ? await this.#env.agentNamed(name) : undefined;
    if (q === undefined && agent === undefined) return call.reject(404, `Not Found: no queue or agent named ${JSON.stringify(name)}`);
    if (agent !== undefined) {
      if (agent.id === agentId) return call.reject(403, 'Forbidden: you cannot consult yourself');
      const state = this.desk.state(agent.id).state;
      if (state === 'logged-out') return call.reject(480, `Temporarily Unavailable: ${agent.login} is logged out`);
      if (state !== 'ready') return call.reject(486, `Busy Here: ${agent.login} is ${state}`);
    }
    if (q !== undefined && !this.#anyoneServes(q.id, agentId)) return call.reject(480, `Temporarily Unavailable: nobody in ${q.name} is logged in`);
    const base = q === undefined ? of.queue : queueRef(q);
    if (base === undefined) return call.reject(404, 'Not Found: the call is in no queue');
    // (a consult hears music, nothing else; it is never recorded or surveyed)
    const queue: QueueRef = {
      ...base,
      announcements: { ...base.announcements, greeting: [], position: false, estimatedWait: false, periodicSeconds: 0 },
      recordCalls: false, survey: false, voicemailKey: false, knownAgentSeconds: 0,
    };
    const k = new CustomerCall({ ...this.#env, log: NO_CALL_LOG }, call, {
      queue,
      language: of.language,
      channel: 'sip',
      caller: this.desk.name(agentId),
      customerId: null,
      page: null,
      history: [],
      consult: { of, agentId, toAgentId: agent?.id ?? null, target: agent === undefined ? base.name : this.desk.name(agent.id) },
    });
    this.#calls.set(k.id, k);
    of.consultStarted(k);
    this.#deps.logger.info({ callId: of.id, consultId: k.id, agentId, target: name }, 'consult');
    await k.start();
  }

  /** Someone who serves the queue (meets its base requirements) is logged in, besides `but`. */
  #anyoneServes(queueId: number, but: string): boolean {
    const id = String(queueId);
    if (!this.acd.engine.hasQueue(id)) return false;
    return this.acd.customersWaiting(id).agentIds.some((a) => a !== but && this.desk.state(a).state !== 'logged-out');
  }

  #ended(call: CustomerCall): void {
    this.#calls.delete(call.id);
    this.listens.callEnded(call.id);
    const username = this.#callUsernames.get(call.id);
    this.#callUsernames.delete(call.id);
    // Keep the credential a little longer: the browser's BYE may still need to authenticate.
    if (username !== undefined) setTimeout(() => this.#deps.credentials.revoke(username), 30_000).unref();
    setTimeout(() => {
      this.#customerSockets.close(call.id, 1000, 'call ended');
    }, 1000).unref();
  }

  /**
   * Announced browser calls not dialled yet from `source`, and from everywhere (expired ones dropped first).
   * The route refuses a new one beyond PUBLIC_CALLS_PER_SOURCE or MAX_PENDING_CALLS: each holds SIP
   * credentials and memory for 5 minutes, and the endpoint needs no login.
   */
  pendingCalls(source: string): { fromSource: number; total: number } {
    this.#sweepPending();
    return { fromSource: this.#pendingBySource.get(source) ?? 0, total: this.#pending.size };
  }

  #unpend(p: PendingCall): void {
    this.#pending.delete(p.callId);
    const n = (this.#pendingBySource.get(p.source) ?? 1) - 1;
    if (n > 0) this.#pendingBySource.set(p.source, n);
    else this.#pendingBySource.delete(p.source);
  }

  #sweepPending(): void {
    const now = Date.now();
    // in expiry order: stop at the first that is still valid
    for (const p of this.#pending.values()) {
      if (p.expiresAt > now) break;
      this.#unpend(p);
      this.#deps.credentials.revoke(p.sipUsername);
    }
  }

  /** A waiting browser caller asks to be called back on `number` (now, keeping their place; or at a time). */
  requestCallback(callId: string, number: string, at: Date | null): CallbackOutcome {
    return this.callbacks.request(this.#calls.get(callId), number, at);
  }

  /** How customers are called back now, and whether an admin stored that (else CALLBACK_* of the start). */
  get callbackSettings(): { settings: Readonly<CallbackSettings>; stored: boolean } {
    return { settings: this.callbacks.settings, stored: this.#callbackSettingsStored };
  }

  /** An admin changed how customers are called back: stored, and used from the next attempt on. */
  async setCallbackSettings(settings: CallbackSettings): Promise<void> {
    await storeCallbackSettings(this.#deps.db, settings, this.#deps.secrets);
    this.callbacks.configure(settings);
    this.#callbackSettingsStored = true;
  }

  /** A callback asked for without a call (the queue is closed, say): the customer is called at `at`. */
  scheduleCallback(queue: Queue, input: { number: string; at: Date; language: string; customerId: string | null; page: Record<string, unknown> | null; owner?: string }): CallbackOutcome {
    return this.callbacks.schedule({ queue: queueRef(queue), ...input, history: [] });
  }

  /**
   * An agent arranges to call back the customer of a call they talked on (a personal callback: offered to them first
   * when due): the call's queue, its caller's number unless another is given. The call record, or why not.
   */
  async personalCallback(agentId: string, callId: string): Promise<{ outcome: 'ok'; call: CallRow; queue: Queue } | { outcome: 'unknown-call' | 'not-yours' | 'no-queue' }> {
    const found = await this.#lastConnect(callId, agentId);
    if (found === undefined) return { outcome: 'unknown-call' };
    if (found.connect === undefined) return { outcome: 'not-yours' };
    const queueId = found.connect.queue_id ?? found.call.queue_id;
    const queue = queueId === null ? undefined : await getQueue(this.#deps.db, queueId);
    return queue === undefined ? { outcome: 'no-queue' } : { outcome: 'ok', call: found.call, queue };
  }

  /** The callers in IVR menus now: the menu each is in, and since when each is in the menus (ms). */
  #inMenus(): Array<{ menu: string; since: number }> {
    const out: Array<{ menu: string; since: number }> = [];
    for (const c of this.#calls.values()) {
      const m = c.inMenu;
      if (m !== null) out.push(m);
    }
    return out;
  }

  /** The queue a call in progress is in. */
  queueOfCall(callId: string): number | undefined {
    return this.#calls.get(callId)?.queue?.id;
  }

  /** A call of this customer (calls.customer_key) is in progress. */
  hasCallOf(key: string): boolean {
    for (const call of this.#calls.values()) if (customerKey(call.details.customerId, call.details.caller) === key) return true;
    return false;
  }

  /** The call in progress with this id, if any. */
  call(callId: string): CustomerCall | undefined {
    return this.#calls.get(callId);
  }

  /** The call an agent is connected to, if any. */
  callOfAgent(agentId: string): CustomerCall | undefined {
    for (const call of this.#calls.values()) if (call.agentId === agentId) return call;
    return undefined;
  }

  /** The consult call an agent dialled (about their customer's call, which may have ended since), if one is on. */
  consultBy(agentId: string): CustomerCall | undefined {
    for (const call of this.#calls.values()) if (call.consultingAgentId === agentId) return call;
    return undefined;
  }

  /**
   * Sets the disposition (wrap-up code) of a call: by an agent who talked on it (a CONNECT of theirs in its queue
   * events), to one of the dispositions of the queue they took it in. It may be changed later (the last one counts;
   * each choice is a DISPOSITION queue event).
   */
  async setDisposition(agentId: string, callId: string, disposition: string): Promise<DispositionOutcome> {
    const found = await this.#lastConnect(callId, agentId);
    if (found === undefined) return { outcome: 'unknown-call' };
    const connect = found.connect;
    if (connect === undefined) return { outcome: 'not-yours' };
    const queue = connect.queue_id === null ? undefined : await getQueue(this.#deps.db, connect.queue_id);
    if (queue === undefined || !queue.dispositions.includes(disposition)) {
      return { outcome: 'not-a-disposition', queue: queue?.name ?? null, choices: queue?.dispositions ?? [] };
    }
    this.desk.callFiled(agentId, callId);
    this.log.updateCall(callId, { disposition });
    this.log.event({ event: 'DISPOSITION', callId, queueId: queue.id, agentId: Number(agentId), data: { disposition } });
    await this.log.flush();
    return { outcome: 'set', queue: queue.name };
  }

  /**
   * The agent talked on the call (its CONNECT in the queue log), or is offered it or talks on it now: they may read its
   * history; 'unknown' when there is no such call.
   */
  async #agentSees(agentId: string, callId: string, orInvolved: boolean): Promise<'yes' | 'no' | 'unknown'> {
    if (orInvolved && this.#calls.get(callId)?.involves(agentId)) return 'yes';
    const found = await this.#lastConnect(callId, agentId);
    if (found === undefined) return 'unknown';
    // (a call to a number is its agent's: it goes through no queue, so no CONNECT)
    const dialled = found.call.direction === 'outbound' && found.call.agent_id === Number(agentId);
    return found.connect !== undefined || dialled ? 'yes' : 'no';
  }

  /**
   * A call's record and its last CONNECT (of `agentId`, or of any agent), once what the log writer holds is written;
   * undefined when there is no such call.
   */
  async #lastConnect(callId: string, agentId?: string): Promise<{ call: CallRow; connect: QueueEvent | undefined } | undefined> {
    await this.log.flush();
    const db = this.#deps.db;
    const call = await getCall(db, callId);
    if (call === undefined) return undefined;
    const connect = (await listQueueEvents(db, { callId })).findLast((e) => e.event === 'CONNECT' && (agentId === undefined || e.agent_id === Number(agentId)));
    return { call, connect };
  }

  /**
   * An agent's view of a call's past: what the agents before them wrote on it (a transferred call), and the customer's
   * earlier calls (same web customer id or phone number), newest first, with their notes. For an agent offered the
   * call, talking on it, or who talked on it earlier; null for anyone else, undefined for a call there is not.
   */
  async callHistory(agentId: string, callId: string): Promise<CallHistory | null | undefined> {
    const sees = await this.#agentSees(agentId, callId, true);
    if (sees !== 'yes') return sees === 'unknown' ? undefined : null;
    const db = this.#deps.db;
    await this.log.flush(); // (an offered call's record may still be on its way: #agentSees does not wait for it)
    const call = await getCall(db, callId);
    const earlier = call?.customer_key ? await earlierCalls(db, call.customer_key, callId, EARLIER_CALLS_SHOWN) : [];
    const notes = await notesOfCalls(db, [callId, ...earlier.map((c) => c.id)]);
    return {
      notes: notes.filter((n) => n.callId === callId),
      previousCalls: earlier.map((c) => ({ ...c, notes: notes.filter((n) => n.callId === c.id).map((n) => n.text) })),
    };
  }

  /** The agent's note on a call they talked on (replacing their earlier one; '' deletes it). */
  async saveNote(agentId: string, callId: string, text: string): Promise<'saved' | 'not-yours' | 'unknown-call'> {
    const sees = await this.#agentSees(agentId, callId, false);
    if (sees !== 'yes') return sees === 'unknown' ? 'unknown-call' : 'not-yours';
    await saveCallNote(this.#deps.db, callId, Number(agentId), text);
    return 'saved';
  }

  /**
   * The caller rates the call (post-call survey, 1–5): kept in the call record and as SURVEY in the queue log, for the
   * agent who had the call last, in the queue they took it in (a queue that asks for ratings). A call is rated once.
   */
  async rateCall(callId: string, score: number): Promise<RatingOutcome> {
    const found = await this.#lastConnect(callId);
    if (found === undefined) return { outcome: 'unknown-call' };
    const { call, connect } = found;
    if (call.survey_score !== null) return { outcome: 'rated-already' };
    if (connect === undefined || connect.agent_id === null) return { outcome: 'not-answered' };
    const queue = connect.queue_id === null ? undefined : await getQueue(this.#deps.db, connect.queue_id);
    if (queue === undefined || !queue.survey) return { outcome: 'not-asked', queue: queue?.name ?? null };
    // (two answers at once: the first one kept wins)
    if (!(await setSurveyScore(this.#deps.db, callId, score))) return { outcome: 'rated-already' };
    this.log.event({ event: 'SURVEY', callId, queueId: queue.id, agentId: connect.agent_id, data: { score, channel: call.channel } });
    await this.log.flush();
    return { outcome: 'rated', score };
  }

  /**
   * The agent connected to a browser caller sends the customer's page a link to open (`url` checked by the caller:
   * an absolute http(s) URL). Told on the customer's event socket at once, and written to the queue log as LINK.
   */
  sendLink(agentId: string, callId: string, url: string, title: string | null): LinkOutcome {
    const call = this.#calls.get(callId);
    const sent = call === undefined ? 0 : (this.#linksSent.get(call) ?? 0);
    const refusal = linkRefusal(call, agentId, sent);
    if (refusal !== null || call === undefined) return refusal ?? { outcome: 'unknown-call' };
    this.#linksSent.set(call, sent + 1);
    const event: CustomerEvent = { type: 'link', url, title };
    const customerConnected = this.#customerSockets.send(callId, event) > 0;
    this.log.event({ event: 'LINK', callId, queueId: call.queue?.id ?? null, agentId: Number(agentId), data: { url, title, customerConnected } });
    return { outcome: 'sent', customerConnected };
  }

  /** An agent's desktop connects: its state, the call it is on, and at once the calls waiting in the agent's queues. */
  attachAgent(agentId: string, ws: WebSocket): void {
    this.desk.attach(agentId, ws);
    // (a page reloaded during a call on the desk phone shows the caller again)
    for (const event of this.callOfAgent(agentId)?.agentView() ?? []) sendJson(ws, event);
    const message = this.#queueSummaries([agentId]).get(agentId)!;
    this.#queuesSent.set(agentId, JSON.stringify(message));
    sendJson(ws, message);
  }

  /** Tells each connected agent the calls waiting in the queues they serve, when that changed. */
  #sendQueues(): void {
    const agents = this.desk.connectedAgents();
    const connected = new Set(agents);
    for (const id of this.#queuesSent.keys()) if (!connected.has(id)) this.#queuesSent.delete(id);
    if (agents.length === 0) return;
    for (const [agentId, message] of this.#queueSummaries(agents)) {
      const text = JSON.stringify(message);
      if (this.#queuesSent.get(agentId) === text) continue;
      this.#queuesSent.set(agentId, text);
      this.desk.send(agentId, message);
    }
  }

  /** For each of these agents, the queues they serve: calls waiting, and since when the longest has waited. */
  #queueSummaries(agentIds: readonly string[]): Map<string, AgentQueuesEvent> {
    const out = new Map<string, AgentQueuesEvent>(agentIds.map((a) => [a, { type: 'queues', queues: [] }]));
    for (const queueId of this.acd.queueIds()) {
      const s = this.acd.customersWaiting(queueId);
      const queue = this.acd.queueName(queueId) ?? queueId;
      const longestSince = s.oldestEnteredAt === null ? null : new Date(s.oldestEnteredAt).toISOString();
      for (const a of s.agentIds) out.get(a)?.queues.push({ queue, waiting: s.waiting, longestSince });
    }
    return out;
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  /**
   * Deletes the voicemails older than VOICEMAIL_RETENTION_DAYS and the call recordings older than
   * RECORDING_RETENTION_DAYS, and erases who the customer was of the calls older than CALL_DATA_RETENTION_DAYS.
   */
  async #sweepRecordings(): Promise<void> {
    const kinds = [
      { what: 'voicemails', days: this.#voicemail.retentionDays, sweep: deleteVoicemailsBefore },
      { what: 'call recordings', days: this.#deps.recordingRetentionDays ?? 30, sweep: deleteCallRecordingsBefore },
      { what: "calls' customer data", days: this.#deps.callDataRetentionDays ?? 0, sweep: (db: Kysely<Database>, cutoff: Date) => eraseCallsBefore(db, cutoff) },
    ];
    for (const { what, days, sweep } of kinds) {
      if (days === 0) continue;
      try {
        const n = await sweep(this.#deps.db, new Date(Date.now() - days * 86_400_000));
        if (n > 0) this.#deps.logger.info({ deleted: n, retentionDays: days }, `${what} past their retention deleted`);
        if (n > 0 && what === 'voicemails') this.board.storedChanged();
      } catch (err) {
        if (!this.#closed) this.#deps.logger.warn({ err }, `${what} retention sweep failed`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#mediaWatch);
    clearInterval(this.#queueFeed);
    clearInterval(this.#recordingSweep);
    this.board.close();
    this.callbacks.close();
    this.#deps.sip.off('bindingAdded', this.#onBindingAdded);
    this.#deps.sip.off('bindingRemoved', this.#onBindingRemoved);
    this.#deps.sip.off('bindingReachability', this.#onBindingReachability);
    await Promise.allSettled([...this.#calls.values()].map((c) => c.shutdown()));
    for (const o of this.#outbound.values()) o.hangUp();
    this.acd.close();
    await this.log.flush();
    await this.webhooks.close(); // (after the calls' last events: what is not delivered waits in the outbox)
  }
}

/** What an agent is shown of a call's past: the notes on it so far, and the customer's earlier calls with their notes. */
export interface CallHistory {
  notes: CallNote[];
  previousCalls: Array<EarlierCall & { notes: string[] }>;
}

/** Known-agent routing looks this far back for the agent who served a returning customer. */
export const KNOWN_AGENT_DAYS = 30;

/** The customer's earlier calls an agent is shown. */
export const EARLIER_CALLS_SHOWN = 5;

export type RatingOutcome =
  | { outcome: 'rated'; score: number }
  | { outcome: 'unknown-call' }
  | { outcome: 'not-answered' }
  | { outcome: 'not-asked'; queue: string | null }
  | { outcome: 'rated-already' };

export type DispositionOutcome =
  | { outcome: 'set'; queue: string }
  | { outcome: 'unknown-call' }
  | { outcome: 'not-yours' }
  | { outcome: 'not-a-disposition'; queue: string | null; choices: string[] };

/** What a customer call keeps of its queue. */
function queueRef(q: Queue): QueueRef {
  return {
    id: q.id,
    name: q.name,
    language: q.language,
    openingHours: q.openingHours,
    closedUntil: q.closedUntil,
    pageRules: q.pageRules,
    announcements: q.announcements,
    wrapUpSeconds: q.wrapUpSeconds,
    ringTimeoutSeconds: q.ringTimeoutSeconds,
    dispositions: q.dispositions,
    dispositionRequired: q.dispositionRequired && q.dispositions.length > 0,
    recordCalls: q.recordCalls,
    survey: q.survey,
    voicemailKey: q.voicemailKey,
    knownAgentSeconds: q.knownAgentSeconds,
  };
}
