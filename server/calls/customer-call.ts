import { randomUUID } from 'node:crypto';
import type { CallOptions, CancelReason, OverflowTarget } from '../../acd/types.ts';
import type { Announcements, OpeningHours, PageRule } from '../../db/schema.ts';
import { type CallRecording, type LegKind, type MediaEngine, type MediaSession, answerReinvite } from '../../media/index.ts';
import { ANSWERED_ELSEWHERE, type Binding, type OutgoingCall, type SipStack } from '../../sip/index.ts';
import type { Logger } from '../logger.ts';
import { type AcdRuntime, consultContext } from './acd-runtime.ts';
import { type CallLogWriter, customerKey, newCallRecord } from './call-log-writer.ts';
import { CustomerCallState, customerCallTransitionAllowed } from './customer-call-state.ts';
import type { CustomerLeg } from './customer-leg.ts';
import { type IvrIo, type IvrMenuSpec, walkIvr } from './ivr.ts';
import { closedNow } from './opening-hours.ts';
import { pageRouting } from './page-routing.ts';
import { numberOfUri } from './phone-numbers.ts';

/** Languages the shipped prompts speak; a call in another language hears English. */
export const PROMPT_LANGUAGES = new Set(['en', 'et', 'ru', 'hu', 'fi', 'de']);

/** What the customer's browser is told as the call moves (the /ws/customer protocol). */
export type CustomerEvent =
  | { type: 'queued'; position: number; ewtSeconds: number | null }
  | { type: 'position'; position: number; ewtSeconds: number | null }
  | { type: 'ringing' }
  | { type: 'connected'; agentName: string }
  /** the agent sent a link for the customer to open (an absolute http(s) URL; title null: show its host) */
  | { type: 'link'; url: string; title: string | null }
  /** the agent put the call on hold (held) or took it back: the widget plays music on hold meanwhile */
  | { type: 'hold'; held: boolean }
  /** nobody could take the call: the customer may leave a message after the tone, then hang up */
  | { type: 'voicemail' }
  | { type: 'ended'; reason: string };

/** What the agent's desktop is told (part of the /ws/agent protocol). */
export type AgentCallEvent =
  | { type: 'offer'; callId: string; context: OfferContext }
  | { type: 'offer-cancelled'; callId: string; reason: string }
  /**
   * answered; device: which kind of the agent's devices took it (a softphone that did not shows the caller still).
   * replaces: the agent's consult call that became this call (the consulting agent handed the caller over): the
   * device keeps its call, which carries the caller now.
   */
  | { type: 'connected'; callId: string; context: OfferContext; device: 'desk-phone' | 'softphone'; recorded: boolean; replaces?: string }
  /** the agent's consult about their call: ringing the other agent (the agent hears silence), talking with them, or over */
  | { type: 'consult'; callId: string; consultId: string; state: 'ringing' | 'talking' | 'ended'; target: string; reason?: string }
  /** the call's recording was paused (what is said meanwhile is not kept) or goes on again */
  | { type: 'recording'; callId: string; paused: boolean }
  | { type: 'call-ended'; callId: string };

export interface OfferContext {
  queue: string;
  language: string | null;
  page: Record<string, unknown> | null;
  history: unknown[];
  customerId: string | null;
  caller: string;
  /** a call back to the customer (caller is the number dialled), not a call from them */
  callback: boolean;
  /** a personal callback: the name of the agent who arranged it */
  arrangedBy?: string;
  /** the IVR menus the caller passed, in order (empty: dialled the queue, or came from the browser) */
  ivr: string[];
  waitedSeconds: number;
  /** the queue's dispositions (wrap-up codes) the agent picks one of for the call; empty: none asked */
  dispositions: string[];
  /** a consult: another agent (from) calls about their call with this customer (callId), whose details these are */
  consult?: { from: string; callId: string };
}

/** The call layer's collaborators, passed in by the call center. */
export interface CallEnvironment {
  readonly acd: AcdRuntime;
  readonly media: MediaEngine;
  readonly sip: SipStack;
  readonly log: CallLog;
  readonly logger: Logger;
  /** Our SIP domain (the digest realm). */
  readonly realm: string;
  /** The devices to ring for an agent (every reachable registration, the most recent first); empty when none. */
  devicesOf(agentId: string): Binding[];
  agentName(agentId: string): string;
  /** A queue by its name (the target of a transfer), or undefined when there is none. */
  queueNamed(name: string): Promise<QueueRef | undefined>;
  /** A queue by id (an IVR option's), or undefined when there is none. */
  queueById(id: number): Promise<QueueRef | undefined>;
  /** An IVR menu by id (the next menu of an option), or undefined when there is none. */
  ivrMenu(id: number): Promise<IvrMenuSpec | undefined>;
  /** An agent by login or desk-phone SIP username (the target of a transfer), or undefined when there is none. */
  agentNamed(name: string): Promise<AgentRef | undefined>;
  /** The agent's ACD state now. */
  agentState(agentId: string): string;
  toAgent(agentId: string, event: AgentCallEvent): void;
  toCustomer(callId: string, event: CustomerEvent): void;
  ended(call: CustomerCall): void;
  /** Callbacks can be offered now (a trunk is set). */
  callbacksOffered(): boolean;
  /**
   * A waiting phone caller pressed the callback key (or their queue overflowed to callback: the ACD holds their place
   * as a callback already, inLine): called back on `number`, keeping their place.
   */
  requestCallback(call: CustomerCall, number: string, inLine?: boolean): void;
  /** The queue's voicemail can take another message (VOICEMAIL_MAX_PER_QUEUE new ones at most). */
  voicemailRoom(queueId: number): Promise<boolean>;
  /** Stores a call's recording (a queue that records its calls). */
  saveRecording(r: { callId: string; queueId: number; agentId: number; startedAt: Date; seconds: number; wav: Buffer }): Promise<void>;
  /** Stores a message the caller left (voicemail) and writes VOICEMAIL to the queue log. */
  saveVoicemail(v: { callId: string; queueId: number; caller: string; customerId: string | null; language: string | null; seconds: number; wav: Buffer }): Promise<void>;
  /**
   * The agent who served this customer last (their latest earlier call with an agent, within KNOWN_AGENT_DAYS), for
   * known-agent routing; null when there is none or the customer is not known (no number, no customer id).
   */
  knownAgentOf(callId: string, customerKey: string | null): Promise<string | null>;
  /** Keeps the caller's rating of the call (post-call survey, 1–5) and writes SURVEY to the queue log. */
  rateCall(callId: string, score: number): Promise<void>;
  /** The agent took the call (its dispositions and notes are theirs to file; wrap-up of its queue). */
  callTaken(agentId: string, callId: string, queue: QueueRef): void;
}

/** What a call writes to its record and the queue log. */
export type CallLog = Pick<CallLogWriter, 'insertCall' | 'updateCall' | 'event' | 'insertCallback' | 'updateCallback'>;

/** A consult call writes nothing: it is part of the customer's call, whose record tells the transfer. */
export const NO_CALL_LOG: CallLog = { insertCall() {}, updateCall() {}, event() {}, insertCallback() {}, updateCallback() {} };

/** The queue a call is in (it changes when an agent transfers the call). */
export interface QueueRef {
  id: number;
  name: string;
  /** the language the queue routes by when the caller chose none */
  language: string | null;
  /** null: always open */
  openingHours: OpeningHours | null;
  /** closed by a supervisor until then, whatever the hours say */
  closedUntil: Date | null;
  /** routing on a browser caller's page */
  pageRules: PageRule[];
  announcements: Announcements;
  wrapUpSeconds: number;
  ringTimeoutSeconds: number;
  dispositions: string[];
  dispositionRequired: boolean;
  /** its calls are recorded (both parties), from the agent's answer to the end; the greeting says so */
  recordCalls: boolean;
  /** after the agent hangs up, the caller is asked to rate the call 1–5 (a phone here, a browser in the widget) */
  survey: boolean;
  /** a waiting phone caller may press 2 to leave a message instead of waiting */
  voicemailKey: boolean;
  /** a returning customer waits this long for the agent who served them last (0: no known-agent routing) */
  knownAgentSeconds: number;
}

/** An agent a call can be transferred to. */
export interface AgentRef {
  id: string;
  login: string;
}

export type TransferOutcome = 'transferred' | 'not-found' | 'not-connected' | 'same-agent' | 'logged-out' | 'consult';

/**
 * Completing a consult: 'no-consult' (none, or not the one a REFER's Replaces names), 'not-answered' (nobody took it
 * yet), 'failed' (the consulted agent's device refused the caller's media: the call goes on as it was).
 */
export type ConsultOutcome = 'transferred' | 'not-connected' | 'no-consult' | 'not-answered' | 'failed';

/** A transfer's outcome as the status of the REFER's final NOTIFY. */
const TRANSFER_SIP_STATUS: Record<TransferOutcome, [number, string]> = {
  transferred: [200, 'OK'],
  'not-found': [404, 'Not Found'],
  'not-connected': [481, 'Call/Transaction Does Not Exist'],
  'same-agent': [403, 'Forbidden'],
  'logged-out': [480, 'Temporarily Unavailable'],
  consult: [403, 'Forbidden'],
};

const CONSULT_SIP_STATUS: Record<ConsultOutcome, [number, string]> = {
  transferred: [200, 'OK'],
  'not-connected': [481, 'Call/Transaction Does Not Exist'],
  'no-consult': [481, 'Call/Transaction Does Not Exist'],
  'not-answered': [487, 'Request Terminated'],
  failed: [488, 'Not Acceptable Here'],
};

/** Keys an IVR caller may type ahead of the menus that take them. */
const MAX_KEYS_AHEAD = 16;
/** At shutdown, how long the BYEs of the calls in progress are given to be answered. */
const SHUTDOWN_BYE_WAIT_MS = 2000;

/** The longest call recording (both parties, stereo): a longer call is recorded up to this. */
export const RECORDING_MAX_SECONDS = 1800;

/** The longest voicemail a caller may leave, and the shortest one kept (a caller who hung up at the tone left none). */
export const VOICEMAIL_MAX_SECONDS = 120;
const MIN_MESSAGE_SECONDS = 1;

/** Post-call survey: how long the caller has to press a key after the question, and how often it is asked. */
export const SURVEY_KEY_SECONDS = 8;
const SURVEY_ATTEMPTS = 2;

/** How long a call transferred to an agent waits for that agent only before anyone in the queue may take it. */
export const TRANSFER_TO_AGENT_SECONDS = 30;

/** A consult call goes ahead of the customers waiting in its queue (its customer waits on hold meanwhile). */
const CONSULT_PRIORITY = 100;

/** How long a consult to an agent rings before it ends unanswered. */
export const CONSULT_WAIT_SECONDS = 45;

/** How long the consulted agent's softphone has to take the caller's call when the consult is completed. */
const CONSULT_TAKEOVER_SECONDS = 10;

/**
 * A consult call: the agent connected on `of` dialled another agent or a queue from their device to talk about the
 * call before handing the caller over (attended transfer). It is routed like a call (the other agent must be free
 * for it) but writes no record of its own.
 */
export interface ConsultInit {
  of: CustomerCall;
  /** the consulting agent */
  agentId: string;
  /** the agent dialled, who alone may take it (null: anyone in the queue dialled) */
  toAgentId: string | null;
  /** whom the consulting agent sees they are consulting: the agent's name or the queue's */
  target: string;
}

/**
 * What an agent is offered a customer's call with (the desk's card): the same for a call, and for a callback from
 * when the agent is rung. `callbackFor`: undefined, no callback; else the agent who arranged it (null: anyone's).
 */
export function offerContext(
  c: Pick<CustomerCallInit, 'language' | 'page' | 'history' | 'customerId' | 'caller'> & { queue: QueueRef; ivr: string[]; waitedSeconds: number },
  callbackFor: string | null | undefined,
  agentName: (agentId: string) => string,
): OfferContext {
  return {
    queue: c.queue.name,
    language: c.language,
    page: c.page,
    history: c.history,
    customerId: c.customerId,
    caller: c.caller,
    callback: callbackFor !== undefined,
    ...(callbackFor ? { arrangedBy: agentName(callbackFor) } : {}),
    ivr: c.ivr,
    waitedSeconds: c.waitedSeconds,
    dispositions: c.queue.dispositions,
  };
}

export interface CustomerCallInit {
  id?: string;
  /** null for a call that dialled an IVR menu: its menu picks the queue */
  queue: QueueRef | null;
  /** the IVR menu the caller dialled (queue null) */
  menu?: IvrMenuSpec;
  language: string | null;
  channel: 'webrtc' | 'sip';
  caller: string;
  customerId: string | null;
  page: Record<string, unknown> | null;
  history: unknown[];
  /** the IVR menus a browser caller chose their way through on the page (the widget's visual menu), in order */
  menus?: string[];
  /**
   * A callback the customer answered: the call record exists (the customer's first call), the ACD has the call
   * assigned to this agent already, and the agent is rung next; if they do not answer, the customer waits in line.
   */
  calledBackFor?: { agentId: string; attempt: number; arrangedBy: string | null };
  /** a consult call (queue: the consult's, with no announcements, recording or survey) */
  consult?: ConsultInit;
}

/**
 * What the ACD routes a call by besides its queue: the caller's language, what the queue's page rules make of the
 * browser caller's page (skills for a while, priority), and the page (context).
 */
export function routingOptions(c: Pick<CustomerCallInit, 'language' | 'page' | 'customerId'>, queue: Pick<QueueRef, 'pageRules'>): CallOptions {
  return { ...(c.language ? { language: c.language } : {}), ...pageRouting(queue.pageRules, c.page), context: { page: c.page, customerId: c.customerId } };
}

/** One device ringing for an offer. */
interface AgentLeg {
  agentId: string;
  leg: OutgoingCall;
  kind: LegKind;
  device: Binding;
  /** We cancelled it (engine withdrew the offer, another device or agent answered): its failure is not a miss. */
  withdrawn: boolean;
}

/**
 * An offer to one agent: every device of theirs rings (RFC 3261 forking: a desk phone and the softphone together).
 * It fails when the last device fails, or at once when one declines with a 6xx (the agent said no).
 */
interface AgentOffer {
  agentId: string;
  legs: AgentLeg[];
  /** every device that failed so far did not answer in time (408): the ACD counts a timeout, not a rejection */
  timedOut: boolean;
}

/**
 * One customer's call from its INVITE to its end: answered into the waiting room (prompts, music on hold, place
 * in line), offered to the agents the ACD picks, bridged to the one who answers, torn down when either side hangs
 * up. Signalling (sip), media (rtpengine) and routing (acd) each do their part; this object sequences them and
 * writes what happened to the call record and the queue event log.
 */
export class CustomerCall {
  readonly id: string;
  state: CustomerCallState = CustomerCallState.Answering;
  readonly #env: CallEnvironment;
  readonly #init: CustomerCallInit;
  readonly #incoming: CustomerLeg;
  readonly #media: MediaSession;
  #log: Logger;
  /** Offers ringing, by agent. */
  readonly #offers = new Map<string, AgentOffer>();
  #agentId: string | null = null;
  #agentLeg: OutgoingCall | null = null;
  /** The kind of device the connected agent talks on. */
  #agentKind: LegKind | null = null;
  /** The connected agent's device (its registration). */
  #agentDevice: Binding | null = null;
  /** The queue the call is in now (a transfer moves it); set when an IVR menu picked it, for a call that dialled one. */
  #queue!: QueueRef;
  readonly #createdAt = Date.now();
  #queuedAt = 0;
  #answeredAt = 0;
  /** The first agent's answer (the call record's answered_at: service level counts the first answer). */
  #firstAnsweredAt = 0;
  /** Wait and talk of the segments before the last transfer: the call record holds the call's totals. */
  #waitedBefore = 0;
  #talkedBefore = 0;
  #lastAnnouncedAt = 0;
  #announcing = false;
  #hangingUp = false;
  #held = false;
  /** The caller put the call on hold (its re-INVITE offered sendonly or inactive): it may send no RTP meanwhile. */
  #callerHolds = false;
  #checkingMedia = false;
  #mediaGone = false;
  #customerRemoteSdp: string | undefined;
  #position: { position: number; ewtSeconds: number | null } | null = null;
  /** A callback's agent, assigned by the ACD before the customer was dialled, while being rung (no ACD offer). */
  #assignedAgent: string | null = null;
  #assignedRingTimer: NodeJS.Timeout | undefined;
  #leftForCallback = false;
  #leavingByKey = false;
  /** We are hanging up on the caller (overflow, an IVR menu's end). */
  #endingCaller = false;
  /** In IVR menus: the one the caller is in now, and since when they are in the menus. */
  #menuNow: string | null = null;
  #menusSince = 0;
  /** The menus the caller passed (for the agent, and the call record's context). */
  #ivrPath: string[] = [];
  /** In an IVR menu: keys pressed and not taken yet, and the menu waiting for one. */
  readonly #menuKeys: string[] = [];
  #keyWaiter: (() => void) | null = null;
  /** The call's recording (its queue records calls): from the first agent's answer to the end. */
  #recording: { rec: Promise<CallRecording | null>; agentId: number; queueId: number; startedAt: Date; saved: boolean } | null = null;
  #pausedRecording = false;
  /** Told they will be called back (their queue overflowed to callback): the number, kept if they hang up meanwhile. */
  #calledBackOnHangUp: string | null = null;
  /** Leaving a voicemail: ends the recording (the caller hung up or pressed #). */
  #messageDone: (() => void) | null = null;
  /** The consult the connected agent is in about this call (one at a time). */
  #consult: CustomerCall | null = null;
  /** The call ended while its agent talked in a consult about it: the call is theirs in the ACD until the consult ends. */
  #endsWithConsult = false;
  /** A consult is being completed: the consulted agent's device is moving onto this call. */
  #completing = false;
  /** A consult to an agent who is not offered it or does not take it in time ends (its caller, the consulting agent, waits in silence). */
  #consultTimer: NodeJS.Timeout | undefined;

  constructor(env: CallEnvironment, incoming: CustomerLeg, init: CustomerCallInit) {
    this.id = init.id ?? randomUUID();
    this.#env = env;
    this.#init = { ...init };
    this.#incoming = incoming;
    if (init.queue !== null) this.#queue = init.queue;
    this.#ivrPath = init.menus ?? [];
    this.#log = env.logger.child(init.queue !== null ? { callId: this.id, queueId: init.queue.id } : { callId: this.id, menu: init.menu?.name });
    // (a called-back customer's media is a session of its own: the first call's may still be closing)
    this.#media = env.media.createSession(init.calledBackFor ? `${this.id}~callback-${init.calledBackFor.attempt}` : this.id);
  }

  get language(): string | null {
    return this.#init.language;
  }

  /** Who is calling and from where (language, customer id, page, history). */
  get details(): Readonly<CustomerCallInit> {
    return this.#init;
  }

  /** The queue the call is in (or was connected from): after a transfer, the new one; undefined while in an IVR menu. */
  get queue(): QueueRef | undefined {
    return this.#queue as QueueRef | undefined;
  }

  /** The IVR menu the caller is in now and since when (ms) they are in the menus; null when not in one. */
  get inMenu(): { menu: string; since: number } | null {
    return this.state === CustomerCallState.Menu && this.#menuNow !== null ? { menu: this.#menuNow, since: this.#menusSince } : null;
  }

  /** The agent is being offered the call (or rung for it as a callback's agent) or talks with the caller. */
  involves(agentId: string): boolean {
    return this.#agentId === agentId || this.#offers.has(agentId) || this.#assignedAgent === agentId;
  }

  get agentId(): string | null {
    return this.#agentId;
  }

  /** What the connected agent talks on: a browser (WebRTC over the server's WebSocket) or a desk phone; null: no agent. */
  get agentDevice(): 'softphone' | 'desk-phone' | null {
    return this.#agentKind === null ? null : this.#agentKind === 'webrtc' ? 'softphone' : 'desk-phone';
  }

  /** Silent monitoring (listen-in.ts): an offer of the customer's and the agent's streams for a listener's browser. */
  listenOffer(): Promise<{ id: string; sdp: string }> {
    return this.#media.listenOffer();
  }

  listenAnswer(id: string, sdp: string): Promise<void> {
    return this.#media.listenAnswer(id, sdp);
  }

  stopListening(id: string): Promise<void> {
    return this.#media.stopListening(id);
  }

  /** Coaching (listen-in.ts): the coach's microphone into the call, heard by nobody in it, and the agent page's offer of it. */
  coachPublish(offerSdp: string): Promise<{ id: string; sdp: string }> {
    return this.#media.coachPublish(offerSdp);
  }

  coachOffer(coachId: string): Promise<{ id: string; sdp: string }> {
    return this.#media.coachOffer(coachId);
  }

  /** The latest place in line, for a customer socket that connects late. */
  get position(): { position: number; ewtSeconds: number | null } | null {
    return this.#position;
  }

  get #ended(): boolean {
    return this.state === CustomerCallState.Ended;
  }

  #transition(to: CustomerCallState): boolean {
    if (this.state === to) return true;
    if (!customerCallTransitionAllowed(this.state, to)) {
      this.#log.warn({ from: this.state, to }, 'call state move refused');
      return false;
    }
    this.#log.debug({ from: this.state, to }, 'call state');
    this.state = to;
    return true;
  }

  /** Answers the caller into the waiting room and puts the call in its queue. */
  async start(): Promise<void> {
    const incoming = this.#incoming;
    incoming.on('bye', () => this.#callerHungUp('bye'));
    incoming.on('cancel', () => this.#callerHungUp('cancel'));
    incoming.on('close', (reason) => {
      if (!this.#ended) this.#callerHungUp(reason);
    });
    incoming.on('dtmf', (digit) => this.#onDigit(digit, 'INFO'));
    this.#media.on('dtmf', (e) => {
      if (e.leg === 'customer') this.#onDigit(e.digit, 'RFC 4733');
    });
    // rtpengine died and was restarted: this call's media is gone, so the call ends on both sides.
    this.#media.on('mediaLost', () => this.#mediaLost());
    // The caller's re-INVITE (hold, or a refresh): same media, direction mirrored; the caller's hold plays nothing.
    incoming.setReinviteHandler((offer) => {
      this.#callerHolds = /^a=(sendonly|inactive)\s*$/m.test(offer);
      return answerReinvite(incoming.localSdp ?? '', this.#customerRemoteSdp, offer).sdp;
    });
    const calledBack = this.#init.calledBackFor;
    if (calledBack !== undefined) this.#env.log.updateCall(this.id, { state: 'ringing', sip_call_id: incoming.callId });
    else this.#env.log.insertCall(newCallRecord({
      id: this.id,
      queue_id: this.#init.queue?.id ?? null,
      direction: 'inbound',
      channel: this.#init.channel,
      caller: this.#init.caller,
      customer_id: this.#init.customerId,
      language: this.#init.language,
      context: JSON.stringify({ page: this.#init.page, history: this.#init.history, ...(this.#ivrPath.length > 0 ? { ivr: this.#ivrPath } : {}) }),
      sip_call_id: incoming.callId,
      ...(this.#init.menu !== undefined ? { state: 'ivr' as const } : { state: 'queued' as const, queued_at: new Date() }),
    }));
    const offer = incoming.remoteSdp;
    this.#customerRemoteSdp = offer;
    if (offer === undefined) {
      incoming.reject(488, 'Not Acceptable Here: the INVITE has no SDP offer');
      this.#finish('no-sdp');
      return;
    }
    let answer: string;
    try {
      answer = await this.#media.answerCustomer(offer);
    } catch (err) {
      this.#log.warn({ err }, 'media could not answer the caller');
      if (!this.#ended) incoming.reject(488, 'Not Acceptable Here: no usable audio in the offer');
      this.#finish('media-failed');
      return;
    }
    if (this.#ended) return; // cancelled while media was set up
    await incoming.answer(answer).catch((err: unknown) => {
      // (a call that closed meanwhile, by CANCEL, a closed WebSocket or shutdown, rejects this too: not a lost ACK)
      if ((err as { code?: string }).code === 'SIP_ERR_TIMEOUT') this.#log.warn({ err }, 'the caller never acknowledged our answer');
      else this.#log.debug({ err }, 'the call closed before the caller acknowledged our answer');
    });
    if (this.#ended) return;
    if (this.#init.menu !== undefined && !(await this.#walkMenus(this.#init.menu))) return;
    this.#queuedAt = Date.now();
    this.#transition(CustomerCallState.Waiting);
    if (calledBack !== undefined) {
      // The agent the ACD assigned (told on their desktop) is rung at once. No music meanwhile: a few seconds of
      // silence, so the agent's voice is the first audio the customer's phone gets (rtpengine relays the agent's
      // stream with its own SSRC and sequence numbers; a phone whose jitter buffer keeps the music's sequence
      // numbers would drop the agent's as late: media/README.md, known limits).
      this.#assignedAgent = calledBack.agentId;
      this.offer([calledBack.agentId]);
      return;
    }
    const consult = this.#init.consult;
    if (consult !== undefined) {
      this.#env.acd.run((e, now) => e.callArrived(now, this.id, String(this.#queue.id), this.#consultRouting(consult)));
      this.#tellConsultant('ringing');
      if (consult.toAgentId !== null) this.#consultTimer = setTimeout(() => this.#endConsult('no-answer', true), CONSULT_WAIT_SECONDS * 1000);
      await this.#inLine(false);
      return;
    }
    // (a returning customer: the agent who served them last first, for the queue's knownAgentSeconds)
    const known = this.#queue.knownAgentSeconds > 0
      ? await this.#env.knownAgentOf(this.id, customerKey(this.#init.customerId, this.#init.caller)).catch(() => null)
      : null;
    if (this.#ended) return;
    if (known !== null) this.#log.info({ knownAgentId: known }, 'a returning customer: their last agent first');
    this.#env.log.event({ event: 'ENTERQUEUE', callId: this.id, queueId: this.#queue.id, data: { language: this.#init.language, channel: this.#init.channel, ...(known !== null ? { knownAgentId: Number(known) } : {}) } });
    const options = known === null ? this.#routingOptions() : { ...this.#routingOptions(), knownAgentId: known };
    this.#env.acd.run((e, now) => e.callArrived(now, this.id, String(this.#queue.id), options));
    await this.#inLine(true);
  }

  #routingOptions(): CallOptions {
    return routingOptions(this.#init, this.#queue);
  }

  /** A consult goes ahead of the queue's callers, in the customer's language; to the agent dialled alone when one was. */
  #consultRouting(c: ConsultInit): CallOptions {
    const known = c.toAgentId === null ? {} : { knownAgentId: c.toAgentId, knownAgentSeconds: CONSULT_WAIT_SECONDS + 60 };
    return { ...this.#routingOptions(), priority: CONSULT_PRIORITY, context: consultContext(c.of.id), ...known };
  }

  /**
   * The caller walks the IVR menus from the one they dialled and picks a queue (and maybe a language): true when
   * the call goes on into that queue, false when it ended in the menus (hang-up option, no choice, closed, left).
   */
  async #walkMenus(first: IvrMenuSpec): Promise<boolean> {
    this.#transition(CustomerCallState.Menu);
    this.#menusSince = Date.now();
    const io: IvrIo = {
      entered: (menu) => {
        this.#menuNow = menu.name;
      },
      say: async (text, language) => {
        // (a text "@welcome-sales" plays the admin's recording of that name: media/prompts.ts)
        await this.#media.playPrompts([{ text }], language).catch((err: unknown) => {
          if (!this.#ended) this.#log.warn({ err, menu: first.name }, 'IVR prompt failed');
        });
      },
      hasKey: () => this.#menuKeys.length > 0,
      key: (ms) => this.#nextKey(ms),
      menu: (id) => this.#env.ivrMenu(id),
      now: () => new Date(),
      ended: () => this.#ended,
    };
    const out = await walkIvr(first, io, this.#init.language);
    if (this.#ended) return false;
    const queue = out.kind === 'hangup' ? undefined : await this.#env.queueById(out.queueId);
    if (this.#ended) return false;
    // (a closed queue takes no calls, but messages: a voicemail option is for when nobody can answer)
    const closed = out.kind === 'queue' && queue !== undefined && closedNow(queue, new Date()) !== null;
    const reason = out.kind === 'hangup' ? `ivr-${out.reason}` : queue === undefined ? 'ivr-queue-missing' : closed ? 'ivr-queue-closed' : null;
    this.#log.info({ path: out.path, queueId: queue?.id, language: out.language, reason }, 'IVR walked');
    if (reason !== null || queue === undefined) {
      this.#endCaller(reason ?? 'ivr-queue-missing');
      return false;
    }
    this.#queue = queue;
    this.#ivrPath = out.path;
    this.#init.language = out.language ?? queue.language;
    this.#log = this.#log.child({ queueId: queue.id });
    const context = JSON.stringify({ page: this.#init.page, history: this.#init.history, ivr: out.path });
    if (out.kind === 'voicemail') {
      this.#env.log.updateCall(this.id, { queue_id: queue.id, language: this.#init.language, context });
      void this.#voicemail(false);
      return false;
    }
    this.#env.log.updateCall(this.id, { queue_id: queue.id, language: this.#init.language, context, state: 'queued', queued_at: new Date() });
    return true;
  }

  /** The next key the caller presses in an IVR menu (or one pressed already); null after `ms` or when the call ends. */
  #nextKey(ms: number): Promise<string | null> {
    if (this.#menuKeys.length > 0) return Promise.resolve(this.#menuKeys.shift()!);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#keyWaiter?.(), ms);
      this.#keyWaiter = () => {
        clearTimeout(timer);
        this.#keyWaiter = null;
        resolve(this.#menuKeys.shift() ?? null);
      };
    });
  }

  /** The caller is in line (new, or transferred): the widget learns the place; music and the announcement play. */
  async #inLine(greeting: boolean): Promise<void> {
    const inLine = (): boolean => this.state === CustomerCallState.Waiting || this.state === CustomerCallState.Offering;
    if (!inLine()) return;
    const pos = this.#env.acd.engine.position(this.id);
    if (pos !== null) this.#position = pos;
    this.#env.toCustomer(this.id, { type: 'queued', position: pos?.position ?? 0, ewtSeconds: pos?.ewtSeconds ?? null });
    // (no music for a consult: a desk phone whose jitter buffer kept the music's sequence numbers would drop the
    // consulted agent's voice, see media/README.md; the consulting agent's page says it rings)
    if (inLine() && this.#init.consult === undefined) await this.#media.startMusicOnHold().catch((err: unknown) => this.#log.warn({ err }, 'music on hold failed'));
    if (inLine()) await this.#announce(greeting);
  }

  /** A phone caller whose number we can call back (their SIP URI names a phone number), or null. */
  #callbackNumber(): string | null {
    if (this.#init.channel !== 'sip' || this.#init.calledBackFor !== undefined || !this.#env.callbacksOffered()) return null;
    return numberOfUri(this.#init.caller);
  }

  /** A waiting phone caller may press 2 for voicemail (their queue lets them). */
  #voicemailByKey(): boolean {
    return this.#queue.voicemailKey && this.#init.channel === 'sip';
  }

  /** A key the caller pressed: 1 while waiting asks for a callback, 2 for voicemail (the waiting room offers them to phone callers). */
  #onDigit(digit: string, how: string): void {
    this.#log.info({ digit, how }, 'DTMF from the caller');
    if (this.state === CustomerCallState.Menu || this.state === CustomerCallState.Survey) {
      // a key stops the prompt speaking (the menu takes it at once) and wakes a menu waiting for one
      // (keys typed ahead are kept, up to a few menus' worth: a flood of DTMF from one call holds no memory)
      if (this.#menuKeys.length < MAX_KEYS_AHEAD) this.#menuKeys.push(digit);
      void this.#media.stopPlayback().catch(() => {});
      this.#keyWaiter?.();
      return;
    }
    if (this.state === CustomerCallState.Voicemail) {
      if (digit === '#') this.#messageDone?.();
      return;
    }
    if (digit === '2' && this.state === CustomerCallState.Waiting && this.#voicemailByKey() && !this.#leavingByKey) {
      // (out of the line by their choice: not an abandon; the message, when left, counts as a voicemail)
      const waited = (Date.now() - this.#queuedAt) / 1000;
      this.#env.log.event({ event: 'EXITWITHKEY', callId: this.id, queueId: this.#queue.id, data: { key: digit, to: 'voicemail', waited } });
      this.#env.log.updateCall(this.id, { wait_seconds: this.#waitedBefore + waited });
      this.#env.acd.run((e, now) => e.callerAbandoned(now, this.id));
      void this.#voicemail(false);
      return;
    }
    const number = digit === '1' && this.state === CustomerCallState.Waiting ? this.#callbackNumber() : null;
    if (number === null || this.#leavingByKey) return;
    this.#leavingByKey = true;
    void (async () => {
      await this.#media.playPrompts(['callback-confirmed'], this.#promptLanguage()).catch(() => {});
      // (an agent may have been offered the call meanwhile: then it goes on as it is)
      if (this.state === CustomerCallState.Waiting) this.#env.requestCallback(this, number);
      this.#leavingByKey = false;
    })();
  }

  #promptLanguage(): string {
    const lang = this.#init.language?.slice(0, 2) ?? 'en';
    return PROMPT_LANGUAGES.has(lang) ? lang : 'en';
  }

  /** "All agents are busy. You are number N in line. Estimated wait M minutes." Music on hold resumes after it. */
  async #announce(greeting: boolean): Promise<void> {
    const a = this.#queue.announcements;
    // (nor while a caller who pressed the callback key hears the confirmation)
    if (this.#announcing || this.#leavingByKey || this.state === CustomerCallState.Connected || this.#ended) return;
    // (a queue that records its calls says so first: callers are told before anyone talks with them)
    const names: string[] = greeting ? [...(this.#queue.recordCalls ? ['call-recorded'] : []), ...a.greeting] : [];
    const pos = this.#position;
    if (a.position && pos !== null && pos.position >= 1 && pos.position <= 20) names.push('you-are-number', `n/${pos.position}`, 'in-line');
    if (a.estimatedWait && pos?.ewtSeconds != null && pos.ewtSeconds >= 60) {
      names.push('estimated-wait', `n/${Math.min(20, Math.max(1, Math.round(pos.ewtSeconds / 60)))}`, 'minutes');
    }
    if (names.length > 0 && this.#callbackNumber() !== null) names.push('callback-offer');
    if (names.length > 0 && this.#voicemailByKey()) names.push('voicemail-offer');
    if (names.length === 0) return;
    this.#announcing = true;
    this.#lastAnnouncedAt = Date.now();
    try {
      await this.#media.playPrompts(names, this.#promptLanguage());
    } catch (err) {
      if (!this.#ended) this.#log.warn({ err, names }, 'prompt failed');
    } finally {
      this.#announcing = false;
    }
  }

  /** The ACD moved the call in its queue. */
  positionChanged(position: number, ewtSeconds: number | null): void {
    this.#position = { position, ewtSeconds };
    this.#env.toCustomer(this.id, { type: 'position', position, ewtSeconds });
    const every = this.#queue.announcements.periodicSeconds;
    if (every > 0 && Date.now() - this.#lastAnnouncedAt >= every * 1000) void this.#announce(false);
  }

  /** The ACD reserved these agents for the call: ring their devices. */
  offer(agentIds: readonly string[]): void {
    if (this.#ended || this.state === CustomerCallState.Connected) return;
    const ids = [...agentIds];
    void this.#ring(ids).catch((err: unknown) => {
      this.#log.error({ err }, 'offer failed');
      for (const agentId of ids) if (!this.#offers.has(agentId)) this.#agentMissed(agentId, false);
    });
  }

  async #ring(agentIds: string[]): Promise<void> {
    const targets: Array<{ agentId: string; devices: Binding[] }> = [];
    for (const agentId of agentIds) {
      const devices = this.#env.devicesOf(agentId);
      if (devices.length > 0) {
        targets.push({ agentId, devices });
        continue;
      }
      this.#log.info({ agentId }, 'cannot ring agent: no registered device');
      this.#agentMissed(agentId, false);
    }
    if (targets.length === 0) return;
    this.#transition(CustomerCallState.Offering);
    // One media offer per kind of device serves every device of that kind (an agent's phones, a ring-all's agents).
    const offers = new Map<LegKind, string>();
    try {
      for (const kind of new Set(targets.flatMap((t) => t.devices.map(deviceKind)))) offers.set(kind, await this.#media.offerToAgent({ kind }));
    } catch (err) {
      this.#transition(CustomerCallState.Waiting);
      await this.#media.cancelAgentOffer().catch(() => {});
      throw err;
    }
    if (this.state !== CustomerCallState.Offering) {
      await this.#media.cancelAgentOffer().catch(() => {});
      return;
    }
    const context = this.#offerContext();
    let toldRinging = false;
    for (const { agentId, devices } of targets) {
      const offer: AgentOffer = { agentId, legs: [], timedOut: true };
      this.#offers.set(agentId, offer);
      for (const device of devices) {
        const kind = deviceKind(device);
        const leg = this.#env.sip.placeCall({
          target: device,
          from: `"${escapeQuoted(this.#callerDisplay())}" <sip:${encodeURIComponent(this.#queue.name)}@${this.#env.realm}>`,
          sdp: offers.get(kind)!,
          headers: { 'X-Callflow-Call-Id': this.id, 'X-Callflow-Queue': this.#queue.name },
        });
        const entry: AgentLeg = { agentId, leg, kind, device, withdrawn: false };
        offer.legs.push(entry);
        leg.on('provisional', (status: number, _sdp: string | undefined) => {
          if ((status === 180 || status === 183) && !toldRinging) {
            toldRinging = true; // (once per round of offers, not once per ringing device)
            this.#env.toCustomer(this.id, { type: 'ringing' });
          }
        });
        leg.on('answered', (answerSdp) => void this.#agentAnswered(entry, answerSdp));
        leg.on('failed', (status, reason) => this.#deviceFailed(entry, status, reason));
      }
      this.#env.toAgent(agentId, { type: 'offer', callId: this.id, context });
      this.#env.log.event({ event: 'OFFER', callId: this.id, queueId: this.#queue.id, agentId: Number(agentId), data: { devices: devices.map((d) => d.contact) } });
      if (agentId === this.#assignedAgent) {
        // no ACD ring timer for an assigned call: ours, of the queue's length
        this.#assignedRingTimer = setTimeout(() => this.cancelOffer(agentId, 'timeout'), this.#queue.ringTimeoutSeconds * 1000);
      }
    }
  }

  /**
   * An agent did not take the call (declined, no answer, no device, media failed): the ACD counts the miss and
   * offers the call again. A callback's assigned agent had no ACD offer: the customer, who is on the line now,
   * goes into the queue like any caller (the agent is released).
   */
  #agentMissed(agentId: string, timedOut: boolean): void {
    if (agentId !== this.#assignedAgent) {
      this.#env.acd.run((e, now) => (timedOut ? e.offerTimedOut(now, this.id, agentId) : e.offerRejected(now, this.id, agentId)));
      // (the agent a consult dialled did not take it: it is over)
      if (this.#init.consult?.toAgentId === agentId) this.#endConsult(timedOut ? 'no-answer' : 'declined', true);
      return;
    }
    this.#assignedAgent = null;
    clearTimeout(this.#assignedRingTimer);
    if (this.#ended) return;
    this.#env.log.event({ event: 'ENTERQUEUE', callId: this.id, queueId: this.#queue.id, data: { language: this.#init.language, channel: 'callback' } });
    this.#env.acd.run((e, now) => e.transferToQueue(now, this.id, String(this.#queue.id), this.#routingOptions()));
    void this.#inLine(false);
  }

  #callerDisplay(): string {
    const consult = this.#init.consult;
    if (consult !== undefined) return `Consult: ${this.#env.agentName(consult.agentId)}`.slice(0, 60);
    const page = this.#init.page as { title?: unknown } | null;
    const title = typeof page?.title === 'string' ? page.title : '';
    return (title ? `${this.#queue.name}: ${title}` : this.#queue.name).slice(0, 60);
  }

  #offerContext(): OfferContext {
    const consult = this.#init.consult;
    // (the consulted agent sees whom they may be handed: the customer's details)
    if (consult !== undefined) return { ...consult.of.#offerContext(), consult: { from: this.#env.agentName(consult.agentId), callId: consult.of.id } };
    return offerContext(
      { ...this.#init, queue: this.#queue, ivr: this.#ivrPath, waitedSeconds: Math.round((Date.now() - (this.#queuedAt || this.#createdAt)) / 1000) },
      this.#init.calledBackFor === undefined ? undefined : this.#init.calledBackFor.arrangedBy,
      this.#env.agentName,
    );
  }

  async #agentAnswered(entry: AgentLeg, answerSdp: string): Promise<void> {
    const offer = this.#offers.get(entry.agentId);
    if (entry.withdrawn || this.state !== CustomerCallState.Offering || offer === undefined) {
      // Too late (another device or agent won, or the caller left): hang this one up.
      await entry.leg.bye().catch(() => {});
      return;
    }
    this.#offers.delete(entry.agentId);
    for (const other of offer.legs) if (other !== entry) this.#cancelLeg(other, ANSWERED_ELSEWHERE);
    this.#withdrawAll('answered-elsewhere');
    try {
      await this.#media.answerFromAgent(answerSdp, entry.kind);
    } catch (err) {
      await entry.leg.bye().catch(() => {});
      if (this.#ended) return; // the call ended meanwhile (the caller left, media lost): nothing to bridge or route
      this.#log.warn({ err, agentId: entry.agentId }, 'media could not bridge the agent');
      this.#agentMissed(entry.agentId, false);
      return;
    }
    if (this.state !== CustomerCallState.Offering) {
      await entry.leg.bye().catch(() => {});
      return;
    }
    this.#transition(CustomerCallState.Connected);
    this.#agentId = entry.agentId;
    this.#agentLeg = entry.leg;
    this.#agentKind = entry.kind;
    this.#agentDevice = entry.device;
    this.#answeredAt = Date.now();
    if (this.#firstAnsweredAt === 0) this.#firstAnsweredAt = this.#answeredAt;
    const waited = (this.#answeredAt - this.#queuedAt) / 1000;
    const assigned = this.#assignedAgent === entry.agentId;
    this.#assignedAgent = null;
    clearTimeout(this.#assignedRingTimer);
    this.#env.acd.run((e, now) => {
      if (!assigned) e.offerAccepted(now, this.id, entry.agentId);
      e.callConnected(now, this.id);
    });
    this.#attachAgentLeg(entry.leg, answerSdp);
    if (this.#init.consult !== undefined) {
      clearTimeout(this.#consultTimer);
      this.#tellConsultant('talking');
    }
    this.#env.toAgent(entry.agentId, this.#connectedEvent());
    const agentName = this.#env.agentName(entry.agentId);
    this.#env.toCustomer(this.id, { type: 'connected', agentName });
    this.#env.log.event({ event: 'CONNECT', callId: this.id, queueId: this.#queue.id, agentId: Number(entry.agentId), data: { waited } });
    if (this.#queue.recordCalls && this.#recording === null) void this.#startRecording(Number(entry.agentId));
    this.#env.log.updateCall(this.id, {
      state: 'connected',
      agent_id: Number(entry.agentId),
      answered_at: new Date(this.#firstAnsweredAt),
      wait_seconds: this.#waitedBefore + waited,
    });
  }

  /** The connected agent's desktop is told whom they talk with, on which device, and whether it is recorded. */
  #connectedEvent(): Extract<AgentCallEvent, { type: 'connected' }> {
    return { type: 'connected', callId: this.id, context: this.#offerContext(), device: this.agentDevice!, recorded: this.#queue.recordCalls || this.#recording !== null };
  }

  /**
   * What a desktop of the connected agent that connects now (a page reloaded during a call on the desk phone) is told
   * of the call: the caller's details as when it was answered, and a paused recording.
   */
  agentView(): AgentCallEvent[] {
    if (this.state !== CustomerCallState.Connected || this.#agentId === null || this.#hangingUp) return [];
    return [this.#connectedEvent(), ...(this.#pausedRecording ? [{ type: 'recording' as const, callId: this.id, paused: true }] : [])];
  }

  /** The connected agent's device: hold/resume, hang-up and transfer come from it. */
  #attachAgentLeg(leg: OutgoingCall, agentAnswerSdp: string): void {
    // The agent's hold / resume (a re-INVITE from the phone or the softphone): music on hold to the caller.
    leg.setReinviteHandler(async (offer) => {
      const answer = answerReinvite(leg.localSdp ?? '', agentAnswerSdp, offer);
      if (answer.hold !== this.#held) await this.#setHeld(answer.hold);
      return answer.sdp;
    });
    // (after a transfer this leg is no longer the call's: its end ends nothing)
    leg.on('bye', () => {
      if (this.#agentLeg === leg) this.#hangUp('agent');
    });
    leg.on('close', (reason) => {
      if (this.#agentLeg === leg && this.state === CustomerCallState.Connected) this.#hangUp('agent', reason);
    });
    // Blind transfer (RFC 3515 REFER from the desk phone or the softphone): Refer-To names a queue or an agent;
    // with Replaces (RFC 3891) it names the agent's consult call: attended transfer.
    leg.on('refer', (target, _referredBy) => {
      if (this.#agentLeg === leg) void this.#referred(leg, target);
    });
  }

  /** The agent holds the call (the caller hears music) or takes it back. */
  async #setHeld(hold: boolean): Promise<void> {
    this.#held = hold;
    this.#env.log.event({ event: hold ? 'HOLD' : 'UNHOLD', callId: this.id, queueId: this.#queue.id, agentId: Number(this.#agentId) });
    // Music on hold from rtpengine into a browser caller's call would leave its audio track dead after resume
    // (Chrome ignores the agent's returning SSRC; see media/README.md): the widget plays it, told here.
    const browser = this.#media.customerIsBrowser;
    await (hold ? this.#media.hold({ music: !browser }) : this.#media.resume());
    if (browser) this.#env.toCustomer(this.id, { type: 'hold', held: hold });
  }

  /** The agent's device sent REFER (RFC 3515): transferTo, its outcome reported in the NOTIFY. */
  async #referred(leg: OutgoingCall, target: string): Promise<void> {
    let outcome: TransferOutcome;
    try {
      const replaces = replacedCallId(target);
      if (replaces !== undefined) {
        const done = await this.completeConsult(leg, replaces);
        if (done !== 'transferred') leg.notifyRefer(...CONSULT_SIP_STATUS[done]);
        return;
      }
      outcome = await this.transferTo(target, leg);
    } catch (err) {
      // (the database gone under a late REFER, say: the NOTIFY says so, unless its 200 went out already)
      this.#log.error({ err, target }, 'transfer failed');
      leg.notifyRefer(500, 'Server Internal Error');
      return;
    }
    if (outcome === 'transferred') return; // (its 200 went out before the BYE)
    this.#log.info({ target, outcome }, 'transfer refused');
    leg.notifyRefer(...TRANSFER_SIP_STATUS[outcome]);
  }

  /**
   * Blind transfer by the connected agent (REFER from their device, or their desktop: from = undefined) to what
   * `target` names: a SIP URI's user part or a plain name, a queue's name or else an agent's login or desk-phone SIP
   * username. When it is refused the call goes on as it was.
   */
  async transferTo(target: string, from?: OutgoingCall): Promise<TransferOutcome> {
    const user = /^sips?:([^@;?]+)@/i.exec(target)?.[1] ?? (/^[^:@;?]+$/.test(target) ? target : undefined);
    let name = '';
    try {
      name = user ? decodeURIComponent(user) : '';
    } catch {
      /* a malformed escape: names nothing */
    }
    if (this.#init.consult !== undefined) return 'consult';
    const queue = name ? await this.#env.queueNamed(name) : undefined;
    const agent = name && queue === undefined ? await this.#env.agentNamed(name) : undefined;
    if (queue === undefined && agent === undefined) return 'not-found';
    if (this.state !== CustomerCallState.Connected || this.#hangingUp || (from !== undefined && this.#agentLeg !== from)) return 'not-connected';
    if (agent !== undefined && agent.id === this.#agentId) return 'same-agent';
    if (agent !== undefined && this.#env.agentState(agent.id) === 'logged-out') return 'logged-out';
    if (from !== undefined) from.notifyRefer(200, 'OK'); // before the BYE that #transfer sends
    await this.#transfer(queue ?? this.#queue, agent);
    return 'transferred';
  }

  /** The consult the connected agent is in about this call, if any. */
  get consult(): CustomerCall | null {
    return this.#consult;
  }

  /** The consult this call is in, for the wall-board: its agent consulting (the target's name), or consulted (by whom). */
  get consultView(): { role: 'consulting' | 'consulted'; with: string } | null {
    if (this.#consult !== null) return this.#consult.consultantView;
    const c = this.#init.consult;
    return c === undefined ? null : { role: 'consulted', with: this.#env.agentName(c.agentId) };
  }

  /** A consult call as its consulting agent's, for the wall-board: whom they consult; null: it is no consult. */
  get consultantView(): { role: 'consulting'; with: string } | null {
    const c = this.#init.consult;
    return c === undefined ? null : { role: 'consulting', with: c.target };
  }

  /** This is a consult call (about another call, by its agent). */
  get isConsult(): boolean {
    return this.#init.consult !== undefined;
  }

  /** The agent who dialled this consult call; null: it is no consult. */
  get consultingAgentId(): string | null {
    return this.#init.consult?.agentId ?? null;
  }

  /** The connected agent dialled a consult about this call (call-center.ts created it; it starts next). */
  consultStarted(k: CustomerCall): void {
    this.#consult = k;
  }

  /**
   * Attended transfer: the agent who took the connected agent's consult takes the caller. Their device gets the
   * caller's media (#moveDevice), the ACD makes the call theirs (the first agent wraps up), and the first agent's two
   * calls are hung up. From the agent's desktop, or a REFER with Replaces naming the consult
   * (`replaces`: its Call-ID) from their device (`from`: the REFER's leg, told the outcome). On 'failed' the call and
   * the consult go on as they were.
   */
  async completeConsult(from?: OutgoingCall, replaces?: string): Promise<ConsultOutcome> {
    const k = this.#consult;
    if (this.state !== CustomerCallState.Connected || this.#hangingUp || this.#completing || (from !== undefined && this.#agentLeg !== from)) return 'not-connected';
    if (k === null || (replaces !== undefined && k.#incoming.callId !== replaces)) return 'no-consult';
    const takes = k.#consultee();
    if (takes === null) return 'not-answered';
    this.#completing = true;
    try {
      let moved: { leg: OutgoingCall; answer: string };
      try {
        moved = await this.#moveDevice(k, takes, await this.#media.offerToAgent({ kind: takes.kind }));
      } catch (err) {
        this.#log.warn({ err, agentId: takes.agentId }, "the consulted agent's device did not take the caller's media");
        await this.#media.cancelAgentOffer().catch(() => {});
        return 'failed';
      }
      const { leg, answer } = moved;
      // (the caller, or the consulted agent, hung up meanwhile: nothing to hand over)
      if (this.state !== CustomerCallState.Connected || this.#hangingUp || k.#consultee()?.leg !== takes.leg) {
        if (leg !== takes.leg) void leg.bye().catch(() => {});
        await this.#media.cancelAgentOffer().catch(() => {});
        return this.state === CustomerCallState.Connected ? 'not-answered' : 'not-connected';
      }
      from?.notifyRefer(200, 'OK'); // (before the BYE)
      this.#handOverTo(k, { ...takes, leg }, answer);
      if (leg !== takes.leg) void takes.leg.bye().catch(() => {}); // (the page took the caller on its new call)
      await this.#media.answerFromAgent(answer, takes.kind).catch((err: unknown) => {
        this.#log.error({ err }, "media could not bridge the consulted agent: the call ends");
        this.#hangUp('agent', 'media-lost');
      });
      return 'transferred';
    } finally {
      this.#completing = false;
    }
  }

  /** The connected agent ends their consult from the desktop (its devices are hung up); false: there is none. */
  cancelConsult(): boolean {
    return this.#consult !== null && this.#consult.#cancel();
  }

  /** A consult call its consulting agent ends from the desktop once their customer hung up (it went on); false: none. */
  cancelAsConsult(): boolean {
    return this.#init.consult !== undefined && this.#cancel();
  }

  /** This consult call ends at its consulting agent's word, both its sides hung up; false: it is over already. */
  #cancel(): boolean {
    if (this.#ended) return false;
    if (this.state === CustomerCallState.Connected) {
      this.#endingCaller = true;
      void this.#incoming.bye().catch(() => {});
      this.#hangUp('caller', 'cancelled');
    } else this.#endConsult('cancelled', true);
    return true;
  }

  /**
   * Puts the consulted agent's device on this call's media (`offer`): a desk phone keeps its call and gets a re-INVITE;
   * the browser softphone gets a new call that it answers at once (X-Callflow-Replaces names its consult): a browser's
   * DTLS does not start again when a re-INVITE moves its media to another rtpengine call, so its audio would stop.
   */
  async #moveDevice(k: CustomerCall, takes: { leg: OutgoingCall; kind: LegKind }, offer: string): Promise<{ leg: OutgoingCall; answer: string }> {
    if (takes.kind === 'rtp' || k.#agentDevice === null) return { leg: takes.leg, answer: await takes.leg.reinvite(offer) };
    const leg = this.#env.sip.placeCall({
      target: k.#agentDevice,
      from: `"${escapeQuoted(this.#callerDisplay())}" <sip:${encodeURIComponent(this.#queue.name)}@${this.#env.realm}>`,
      sdp: offer,
      headers: { 'X-Callflow-Call-Id': this.id, 'X-Callflow-Queue': this.#queue.name, 'X-Callflow-Replaces': k.id },
    });
    const answer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        leg.cancel();
        reject(new Error(`the softphone did not take the call in ${CONSULT_TAKEOVER_SECONDS} s`));
      }, CONSULT_TAKEOVER_SECONDS * 1000);
      leg.on('answered', (sdp) => {
        clearTimeout(timer);
        resolve(sdp);
      });
      leg.on('failed', (status, reason) => {
        clearTimeout(timer);
        reject(new Error(`the softphone refused the call: ${status} ${reason}`));
      });
    });
    return { leg, answer };
  }

  /** The consult's agent leg, when its agent took it and it goes on. */
  #consultee(): { agentId: string; leg: OutgoingCall; kind: LegKind } | null {
    if (this.state !== CustomerCallState.Connected || this.#hangingUp || this.#agentLeg === null) return null;
    return { agentId: this.#agentId!, leg: this.#agentLeg, kind: this.#agentKind! };
  }

  /** The consulted agent's device (now on this call's media) takes the caller from the connected agent. */
  #handOverTo(k: CustomerCall, takes: { agentId: string; leg: OutgoingCall; kind: LegKind }, answerSdp: string): void {
    const first = this.#agentId!;
    const firstLeg = this.#agentLeg!;
    const talk = (Date.now() - this.#answeredAt) / 1000;
    this.#talkedBefore += talk;
    this.#waitedBefore += (this.#answeredAt - this.#queuedAt) / 1000;
    // The consult call ends without its agent (their device is this call's now), and without a BYE to them.
    k.#agentLeg = null;
    k.#agentId = null;
    k.#agentKind = null;
    k.#consultOver('completed');
    this.#env.acd.run((e, now) => e.consultCompleted(now, this.id, k.id));
    this.#agentId = takes.agentId;
    this.#agentLeg = takes.leg;
    this.#agentKind = takes.kind;
    this.#agentDevice = k.#agentDevice;
    this.#answeredAt = Date.now();
    this.#queuedAt = this.#answeredAt;
    this.#attachAgentLeg(takes.leg, answerSdp);
    if (this.#held) {
      // (the media bridge took the caller off hold with the new agent's answer)
      this.#held = false;
      if (this.#media.customerIsBrowser) this.#env.toCustomer(this.id, { type: 'hold', held: false });
    }
    void this.#resumeRecording(first);
    const to = this.#env.agentName(takes.agentId);
    this.#env.log.event({ event: 'TRANSFER', callId: this.id, queueId: this.#queue.id, agentId: Number(first), data: { to, toAgentId: Number(takes.agentId), consult: true, talk } });
    this.#env.log.event({ event: 'CONNECT', callId: this.id, queueId: this.#queue.id, agentId: Number(takes.agentId), data: { waited: 0, consult: true } });
    this.#env.log.updateCall(this.id, { agent_id: Number(takes.agentId), talk_seconds: this.#talkedBefore });
    this.#env.callTaken(takes.agentId, this.id, this.#queue);
    this.#env.toAgent(first, { type: 'call-ended', callId: this.id });
    this.#env.toAgent(takes.agentId, { ...this.#connectedEvent(), replaces: k.id });
    this.#env.toCustomer(this.id, { type: 'connected', agentName: to });
    void firstLeg.bye().catch(() => {});
  }

  /** This call's consult is over: the call's agent is free of it (to wrap up, when the call ended meanwhile). */
  #consultGone(): void {
    this.#consult = null;
    if (!this.#endsWithConsult) return;
    this.#endsWithConsult = false;
    this.#env.acd.run((e, now) => e.callEnded(now, this.id));
  }

  /** Ends a consult call (the consulting agent hears why on their desktop); inAcd: it is still the ACD's to let go of. */
  #endConsult(reason: string, inAcd: boolean): void {
    // (a consult its agent took ends as calls do: by a hang-up)
    if (this.#ended || this.state === CustomerCallState.Connected) return;
    this.#withdrawAll('call-ended');
    if (inAcd) this.#env.acd.run((e, now) => e.callerAbandoned(now, this.id));
    this.#consultOver(reason);
  }

  /** A consult call is over: its caller (the consulting agent's device) is hung up, the call ends. */
  #consultOver(reason: string): void {
    this.#endingCaller = true;
    void this.#incoming.bye().catch(() => {});
    this.#finish(`consult-${reason}`);
  }

  #tellConsultant(state: 'ringing' | 'talking' | 'ended', reason?: string): void {
    const c = this.#init.consult!;
    this.#env.toAgent(c.agentId, { type: 'consult', callId: c.of.id, consultId: this.id, state, target: c.target, ...(reason === undefined ? {} : { reason }) });
  }

  /** The agent hangs up from their desktop (a call on their desk phone): as if the device had sent BYE. */
  hangUpByAgent(): boolean {
    if (this.state !== CustomerCallState.Connected || this.#hangingUp) return false;
    this.#hangUp('agent', 'desktop');
    return true;
  }

  /**
   * Blind transfer of the connected call to a queue: the agent is released (to wrap-up; the device is hung up), the
   * caller goes back to the waiting room (music, place in line in the widget) and into the queue as a new entry.
   * To an agent: into the same queue, waiting for that agent only for TRANSFER_TO_AGENT_SECONDS, then for anyone.
   */
  async #transfer(queue: QueueRef, toAgent?: AgentRef): Promise<void> {
    const agentId = this.#agentId!;
    const leg = this.#agentLeg!;
    const talk = (Date.now() - this.#answeredAt) / 1000;
    this.#waitedBefore += (this.#answeredAt - this.#queuedAt) / 1000;
    this.#talkedBefore += talk;
    const from = this.#queue.id;
    this.#transition(CustomerCallState.Waiting);
    this.#agentId = null;
    this.#agentLeg = null;
    this.#agentKind = null;
    this.#held = false;
    void this.#resumeRecording(agentId);
    this.#queue = queue;
    this.#queuedAt = Date.now();
    // Queued on the session ahead of any offer the ACD makes for the new queue.
    const back = this.#media.returnToWaitingRoom();
    const to = toAgent === undefined ? { to: queue.name, toQueueId: queue.id } : { to: toAgent.login, toAgentId: Number(toAgent.id) };
    this.#env.log.event({ event: 'TRANSFER', callId: this.id, queueId: from, agentId: Number(agentId), data: { ...to, talk } });
    this.#env.log.event({ event: 'ENTERQUEUE', callId: this.id, queueId: queue.id, data: { transferredFrom: from } });
    // The record shows the call back in line (no agent) with the totals so far; the queue log keeps each segment.
    this.#env.log.updateCall(this.id, { queue_id: queue.id, state: 'queued', agent_id: null, talk_seconds: this.#talkedBefore });
    this.#env.toAgent(agentId, { type: 'call-ended', callId: this.id });
    void leg.bye().catch(() => {});
    // (routed by the new queue's page rules: this.#queue is the new queue now)
    const options = toAgent ? { ...this.#routingOptions(), knownAgentId: toAgent.id, knownAgentSeconds: TRANSFER_TO_AGENT_SECONDS } : this.#routingOptions();
    this.#env.acd.run((e, now) => e.transferToQueue(now, this.id, String(queue.id), options));
    try {
      await back;
    } catch (err) {
      this.#log.warn({ err }, 'media could not take the caller back to the waiting room');
    }
    await this.#inLine(false);
  }

  /** One of the devices ringing for an agent failed; the agent's offer fails with the last of them, or with a 6xx. */
  #deviceFailed(entry: AgentLeg, status: number, reason: string): void {
    const offer = this.#offers.get(entry.agentId);
    const i = offer?.legs.indexOf(entry) ?? -1;
    if (offer === undefined || i < 0) return;
    offer.legs.splice(i, 1);
    if (entry.withdrawn) return;
    if (status !== 408) offer.timedOut = false;
    if (offer.legs.length > 0) {
      this.#log.info({ agentId: entry.agentId, status, reason }, "one of the agent's devices did not take the call");
      // RFC 3261 16.7: a 6xx (the agent declined) ends the other branches too.
      if (status < 600) return;
      for (const other of offer.legs) this.#cancelLeg(other);
    }
    this.#offers.delete(entry.agentId);
    this.#log.info({ agentId: entry.agentId, status, reason }, 'agent did not take the call');
    this.#env.log.event({ event: 'RINGNOANSWER', callId: this.id, queueId: this.#queue.id, agentId: Number(entry.agentId), data: { status, reason } });
    this.#env.toAgent(entry.agentId, { type: 'offer-cancelled', callId: this.id, reason: `${status} ${reason}` });
    this.#afterLegGone();
    this.#agentMissed(entry.agentId, offer.timedOut);
  }

  /** The ACD withdrew an offer (ring-no-answer timeout, the agent went away...). */
  cancelOffer(agentId: string, reason: CancelReason): void {
    const offer = this.#offers.get(agentId);
    if (offer === undefined) return;
    if (reason === 'timeout') {
      this.#env.log.event({ event: 'RINGNOANSWER', callId: this.id, queueId: this.#queue.id, agentId: Number(agentId), data: { reason } });
    }
    this.#withdraw(offer, reason);
    this.#afterLegGone();
    if (agentId === this.#assignedAgent) this.#agentMissed(agentId, true);
  }

  /** Stops ringing an agent's devices and tells the agent's desktop why. */
  #withdraw(offer: AgentOffer, reason: string): void {
    this.#offers.delete(offer.agentId);
    for (const entry of offer.legs) this.#cancelLeg(entry, reason === 'answered-elsewhere' ? ANSWERED_ELSEWHERE : undefined);
    this.#env.toAgent(offer.agentId, { type: 'offer-cancelled', callId: this.id, reason });
  }

  #withdrawAll(reason: string): void {
    for (const offer of [...this.#offers.values()]) this.#withdraw(offer, reason);
  }

  #cancelLeg(entry: AgentLeg, sipReason?: string): void {
    entry.withdrawn = true;
    try {
      entry.leg.cancel(sipReason);
    } catch {
      void entry.leg.bye().catch(() => {});
    }
  }

  /** No agent leg left ringing: back to the waiting room. */
  #afterLegGone(): void {
    if (this.#offers.size > 0 || this.state !== CustomerCallState.Offering) return;
    this.#transition(CustomerCallState.Waiting);
    void this.#media.cancelAgentOffer().catch((err: unknown) => this.#log.warn({ err }, 'media could not return the caller to the waiting room'));
  }

  /** The ACD moved the call out of its queue. */
  overflow(target: OverflowTarget): void {
    if (this.#init.consult !== undefined) {
      // (nobody took the consult in the queue's time: over; an overflow to another queue leaves it in the ACD)
      this.#endConsult('no-answer', 'queue' in target);
      return;
    }
    if ('queue' in target) {
      this.#env.log.event({ event: 'OVERFLOW', callId: this.id, queueId: this.#queue.id, data: { to: target.queue } });
      const n = Number(target.queue);
      if (Number.isInteger(n)) this.#queue = { ...this.#queue, id: n };
      return;
    }
    this.#env.log.event({ event: 'EXITWITHTIMEOUT', callId: this.id, queueId: this.#queue.id, data: { action: target.action } });
    if (target.action === 'voicemail') void this.#voicemail(true);
    else if (target.action === 'callback') void this.#overflowToCallback();
    else void this.#overflowHangup(target.action);
  }

  /**
   * Overflow to callback: the ACD keeps the caller's place in line as a callback. A phone caller we can call back
   * hears that they will be called back and is let go (Callbacks dials them when an agent is theirs; an agent free
   * while they still listen takes the call at once). Anyone else (a browser caller, no trunk for callbacks) hears
   * that all agents are busy, and the ACD lets go of the place.
   */
  async #overflowToCallback(): Promise<void> {
    this.#withdrawAll('overflow');
    const number = this.#callbackNumber();
    if (number === null) {
      this.#env.acd.run((e, now) => e.callerAbandoned(now, this.id));
      await this.#overflowHangup('callback');
      return;
    }
    this.#leavingByKey = true; // (no announcement over the confirmation)
    this.#calledBackOnHangUp = number; // (a caller who hangs up during it is called back all the same)
    await this.#media.stopMusicOnHold().catch(() => {});
    await this.#media.playPrompts(['callback-confirmed'], this.#promptLanguage()).catch(() => {});
    this.#leavingByKey = false;
    this.#calledBackOnHangUp = null;
    if (this.state === CustomerCallState.Waiting) this.#env.requestCallback(this, number, true);
  }

  /**
   * Voicemail (a queue's overflow, or an IVR menu's way to the queue's voicemail): "[all our agents are busy;] please
   * leave your message after the tone…", the tone, then what the caller says is recorded until they hang up, press #
   * or VOICEMAIL_MAX_SECONDS pass. A message of at least MIN_MESSAGE_SECONDS is stored for the queue's supervisors; a
   * caller still on the line hears it was saved.
   */
  async #voicemail(overflowed: boolean): Promise<void> {
    this.#withdrawAll('overflow');
    const room = await this.#env.voicemailRoom(this.#queue.id).catch(() => true);
    if (this.#ended) return;
    if (!room) {
      // (a full mailbox: callers of a queue that nobody answers for long cannot fill the database)
      this.#log.warn({ queueId: this.#queue.id }, "the queue's voicemail is full: the caller is told all agents are busy");
      await this.#media.playPrompts(['all-agents-busy'], this.#promptLanguage()).catch(() => {});
      if (!this.#ended) this.#endCaller('voicemail-full');
      return;
    }
    if (!this.#transition(CustomerCallState.Voicemail)) return;
    this.#env.toCustomer(this.id, { type: 'voicemail' });
    const lang = this.#promptLanguage();
    await this.#media.stopMusicOnHold().catch(() => {});
    await this.#media.playPrompts([...(overflowed ? ['all-agents-busy'] : []), 'leave-message', 'beep'], lang).catch(() => {});
    if (this.#ended) return;
    let rec: CallRecording;
    try {
      rec = await this.#media.recordCustomer(VOICEMAIL_MAX_SECONDS);
    } catch (err) {
      this.#log.warn({ err }, 'voicemail could not record');
      if (!this.#ended) this.#endCaller('overflow-voicemail-failed');
      return;
    }
    await new Promise<void>((resolve) => {
      this.#messageDone = resolve;
      rec.once('full', resolve);
      if (this.#ended) resolve(); // (the caller hung up while the recording started)
    });
    this.#messageDone = null;
    const { wav, seconds } = await rec.stop();
    if (seconds >= MIN_MESSAGE_SECONDS) {
      const i = this.#init;
      await this.#env
        .saveVoicemail({ callId: this.id, queueId: this.#queue.id, caller: i.caller, customerId: i.customerId, language: i.language, seconds, wav })
        .catch((err: unknown) => this.#log.error({ err, seconds }, 'voicemail could not be stored'));
    }
    if (this.#ended) return;
    await this.#media.playPrompts(['message-saved'], lang).catch(() => {});
    if (!this.#ended) this.#endCaller('voicemail');
  }

  async #overflowHangup(action: string): Promise<void> {
    this.#withdrawAll('overflow');
    await this.#media.playPrompts(['all-agents-busy'], this.#promptLanguage()).catch(() => {});
    this.#endCaller(`overflow-${action}`);
  }

  /** We hang up on the caller (so their leg closing is not them hanging up: not an abandon). */
  #endCaller(reason: string): void {
    this.#endingCaller = true;
    void this.#incoming.bye().catch(() => {});
    this.#finish(reason);
  }

  #callerHungUp(how: string): void {
    if (this.#ended || this.#leftForCallback || this.#endingCaller || (this.#mediaGone && this.state !== CustomerCallState.Connected)) return;
    if (this.state === CustomerCallState.Connected) {
      this.#hangUp('caller', how);
      return;
    }
    if (this.state === CustomerCallState.Voicemail) {
      // hanging up ends the message (the ACD let go of the call when it overflowed: not an abandon)
      this.#finish('voicemail');
      return;
    }
    if (this.state === CustomerCallState.Survey) {
      // (the agent hung up first: a caller who does not stay for the question has not abandoned)
      this.#finish('agent-hangup');
      return;
    }
    if (this.#calledBackOnHangUp !== null && this.state === CustomerCallState.Waiting) {
      this.#env.requestCallback(this, this.#calledBackOnHangUp, true);
      return;
    }
    // RFC-free but field-standard: a caller who leaves before an agent answers has abandoned.
    const waited = this.#queuedAt ? (Date.now() - this.#queuedAt) / 1000 : 0;
    this.#withdrawAll('caller-hangup');
    if (this.#queuedAt) {
      this.#env.log.event({ event: 'ABANDON', callId: this.id, queueId: this.#queue.id, data: { waited, position: this.#position?.position ?? null } });
      this.#env.acd.run((e, now) => e.callerAbandoned(now, this.id));
    }
    this.#env.log.updateCall(this.id, { wait_seconds: this.#waitedBefore + waited });
    // (a caller who leaves an IVR menu has not abandoned a queue: the reports' abandonment counts queues)
    this.#finish(this.state === CustomerCallState.Menu ? 'ivr-caller-left' : 'abandon');
  }

  #mediaLost(): void {
    if (this.#ended) return;
    this.#log.warn('media lost (rtpengine restarted): ending the call');
    this.#mediaGone = true;
    if (this.state === CustomerCallState.Connected) {
      this.#hangUp('caller', 'media-lost');
      return;
    }
    this.#withdrawAll('media-lost');
    // (in line; not in a voicemail or a survey, which the ACD let go of)
    if (this.#queuedAt && (this.state === CustomerCallState.Waiting || this.state === CustomerCallState.Offering)) this.#env.acd.run((e, now) => e.callerAbandoned(now, this.id));
    void this.#incoming.bye().catch(() => {});
    this.#finish('media-lost');
  }

  /**
   * Media inactivity (MEDIA_TIMEOUT_SECONDS): a connected call in which one side has sent no RTP for `timeoutSeconds`
   * is hung up on both sides ('media-timeout'): a desk phone that lost power or its network, or a browser whose
   * network went away, sends no BYE, and its agent would stay busy. Not while either side holds the call.
   */
  async checkMedia(timeoutSeconds: number): Promise<void> {
    if (this.state !== CustomerCallState.Connected || this.#held || this.#callerHolds || this.#checkingMedia) return;
    this.#checkingMedia = true;
    try {
      const silent = await this.#media.silentSeconds();
      if (this.state !== CustomerCallState.Connected || this.#held || this.#callerHolds) return;
      const dead = (silent.customer ?? 0) >= timeoutSeconds ? 'caller' : (silent.agent ?? 0) >= timeoutSeconds ? 'agent' : null;
      if (dead === null) return;
      this.#log.warn({ silentSeconds: silent, timeoutSeconds }, `no media from the ${dead} for ${timeoutSeconds} s: ending the call`);
      this.#hangUp(dead, 'media-timeout');
    } catch (err) {
      this.#log.debug({ err }, 'media query failed');
    } finally {
      this.#checkingMedia = false;
    }
  }

  /** Either side of a connected call hung up: end the other side, the agent goes to wrap-up. */
  #hangUp(by: 'caller' | 'agent', how = 'bye'): void {
    // Hanging up one leg makes the other close too: the first side to go is the one that hung up.
    if (this.state !== CustomerCallState.Connected || this.#hangingUp) return;
    this.#hangingUp = true;
    const agentId = this.#agentId!;
    const talk = (Date.now() - this.#answeredAt) / 1000;
    // Media lost or silent: neither side hung up, both are told.
    const both = how === 'media-lost' || how === 'media-timeout';
    // A phone caller whose queue asks for ratings stays on the line for the question (a browser's widget asks).
    const survey = by === 'agent' && !both && this.#queue.survey && this.#init.channel === 'sip';
    // (an agent who hangs up from the desktop: their device is told too)
    if (by === 'caller' || both || how === 'desktop') void this.#agentLeg?.bye().catch(() => {});
    if ((by === 'agent' && !survey) || both) void this.#incoming.bye().catch(() => {});
    // The agent's consult about this call: still ringing or waiting, it has nothing left to be about; talking, the two
    // agents may finish, and the agent's work on this call (then its wrap-up) ends with it.
    if (this.#consult !== null && this.#consult.state !== CustomerCallState.Connected) this.#consult.#endConsult('call-ended', true);
    if (this.#consult !== null) this.#endsWithConsult = true;
    else
      this.#env.acd.run((e, now) => {
        e.callEnded(now, this.id);
        // (a consult that ended is no call of the agent's to wrap up)
        if (this.#init.consult !== undefined) e.wrapUpEnded(now, agentId);
      });
    this.#env.log.event({
      event: by === 'caller' ? 'COMPLETECALLER' : 'COMPLETEAGENT',
      callId: this.id,
      queueId: this.#queue.id,
      agentId: Number(agentId),
      data: { talk, how },
    });
    this.#env.toAgent(agentId, { type: 'call-ended', callId: this.id });
    this.#env.log.updateCall(this.id, { talk_seconds: this.#talkedBefore + talk });
    if (survey) void this.#survey();
    else this.#finish(both ? how : by === 'caller' ? 'caller-hangup' : 'agent-hangup');
  }

  /**
   * Post-call survey of a phone caller (the agent hung up, the queue asks): "How satisfied were you with this call?
   * Press a key from 1 to 5", asked up to SURVEY_ATTEMPTS times while no key 1–5 comes within SURVEY_KEY_SECONDS;
   * the rating is kept for the agent, "Thank you for your feedback", and we hang up. The agent is in wrap-up meanwhile.
   */
  async #survey(): Promise<void> {
    this.#transition(CustomerCallState.Survey);
    // (the agent is done with the call: their next one is theirs, callOfAgent)
    const leg = this.#agentLeg;
    this.#agentLeg = null;
    this.#agentId = null;
    this.#agentKind = null;
    leg?.close();
    await this.#saveRecording(); // (the conversation only)
    try {
      if (!this.#ended) await this.#media.returnToWaitingRoom();
    } catch (err) {
      this.#log.warn({ err }, 'media could not take the caller to the survey');
      if (!this.#ended) this.#endCaller('agent-hangup');
      return;
    }
    const lang = this.#promptLanguage();
    let score: number | null = null;
    for (let attempt = 0; attempt < SURVEY_ATTEMPTS && score === null && !this.#ended; attempt++) {
      // (a key pressed during the question stops it and is taken: #onDigit)
      await this.#media.playPrompts(['survey-question'], lang).catch((err: unknown) => {
        if (!this.#ended) this.#log.warn({ err }, 'survey prompt failed');
      });
      const key = await this.#nextKey(SURVEY_KEY_SECONDS * 1000);
      if (key !== null && /^[1-5]$/.test(key)) score = Number(key);
    }
    this.#log.info({ score }, 'survey answered');
    if (score !== null) await this.#env.rateCall(this.id, score).catch((err: unknown) => this.#log.error({ err, score }, 'the rating could not be stored'));
    if (this.#ended) return;
    if (score !== null) await this.#media.playPrompts(['survey-thanks'], lang).catch(() => {});
    if (!this.#ended) this.#endCaller('agent-hangup');
  }

  /**
   * The waiting caller asked to be called back: they hang up and the ACD keeps the call in line as a callback
   * (the call layer's Callbacks dials them when an agent is theirs). Only while waiting, not while an agent is
   * being rung. Returns when the caller joined the line (the callback's place), or null.
   */
  leaveForCallback(): { enteredAt: number; waitedSeconds: number } | null {
    if (this.state !== CustomerCallState.Waiting || this.#assignedAgent !== null) return null;
    const waited = (Date.now() - this.#queuedAt) / 1000;
    this.#env.log.event({ event: 'CALLBACKREQUESTED', callId: this.id, queueId: this.#queue.id, data: { waited, position: this.#position?.position ?? null } });
    this.#env.log.updateCall(this.id, { direction: 'callback', wait_seconds: this.#waitedBefore + waited });
    this.#leftForCallback = true; // (our BYE closes the leg: not an abandon)
    void this.#incoming.bye().catch(() => {});
    this.#finish('callback');
    return { enteredAt: this.#queuedAt, waitedSeconds: this.#waitedBefore + waited };
  }

  /** Records both parties from now to the end of the call (RECORDING_MAX_SECONDS at most). */
  async #startRecording(agentId: number): Promise<void> {
    const rec = this.#media.recordCall(RECORDING_MAX_SECONDS).catch((err: unknown) => {
      if (!this.#ended) this.#log.warn({ err }, 'the call could not be recorded');
      return null;
    });
    this.#recording = { rec, agentId, queueId: this.#queue.id, startedAt: new Date(), saved: false };
    if ((await rec) !== null && this.#ended) await this.#saveRecording(); // (the call ended while it started)
  }

  /**
   * The connected agent pauses (true) or resumes (false) the call's recording, as while the customer reads out a card
   * number: what either party says meanwhile is not kept. 'not-recorded': the call's queue does not record.
   */
  async setRecordingPaused(agentId: string, paused: boolean): Promise<'done' | 'not-connected' | 'not-recorded'> {
    if (this.state !== CustomerCallState.Connected || this.#agentId !== agentId) return 'not-connected';
    const rec = await this.#recording?.rec;
    if (rec === undefined || rec === null) return 'not-recorded';
    if (this.#agentId !== agentId) return 'not-connected'; // (transferred while the recording started)
    if (rec.setPaused(paused)) this.#recordingPaused(agentId, this.#queue.id, paused, 'agent');
    return 'done';
  }

  /** The call leaves the agent who paused its recording (transfer): it goes on for whoever takes the call next. */
  async #resumeRecording(agentId: string): Promise<void> {
    const queueId = this.#queue.id;
    const rec = await this.#recording?.rec;
    if (rec?.setPaused(false) === true) this.#recordingPaused(agentId, queueId, false, 'transfer');
  }

  #recordingPaused(agentId: string, queueId: number, paused: boolean, by: 'agent' | 'transfer'): void {
    this.#pausedRecording = paused;
    this.#env.log.event({ event: paused ? 'RECORDPAUSE' : 'RECORDRESUME', callId: this.id, queueId, agentId: Number(agentId), data: { by } });
    if (this.#agentId === agentId) this.#env.toAgent(agentId, { type: 'recording', callId: this.id, paused });
  }

  /** Whether the call's recording is paused now (the wall-board shows it). */
  get recordingPaused(): boolean {
    return this.#pausedRecording;
  }

  /** The call ended: its recording, if any, is stored (once). */
  async #saveRecording(): Promise<void> {
    const r = this.#recording;
    if (r === null || r.saved) return;
    r.saved = true;
    const rec = await r.rec;
    if (rec === null) return;
    const { wav, seconds } = await rec.stop();
    if (seconds <= 0) return;
    await this.#env
      .saveRecording({ callId: this.id, queueId: r.queueId, agentId: r.agentId, startedAt: r.startedAt, seconds, wav })
      .catch((err: unknown) => this.#log.error({ err, seconds }, 'the call recording could not be stored'));
  }

  /** Ends everything still open; safe to call twice. 'callback': the call goes on as a callback (record state 'callback'). */
  #finish(reason: string): void {
    if (this.#ended) return;
    this.state = CustomerCallState.Ended;
    clearTimeout(this.#assignedRingTimer);
    clearTimeout(this.#consultTimer);
    const consult = this.#init.consult;
    if (consult !== undefined) {
      if (consult.of.#consult === this) consult.of.#consultGone();
      this.#tellConsultant('ended', reason.replace(/^consult-/, ''));
    }
    this.#keyWaiter?.();
    this.#messageDone?.();
    this.#withdrawAll('call-ended');
    this.#env.toCustomer(this.id, { type: 'ended', reason });
    this.#env.log.updateCall(this.id, reason === 'callback' ? { state: 'callback' } : { state: 'ended', end_reason: reason, ended_at: new Date() });
    void this.#saveRecording(); // (its sockets close at once, before the media does)
    void this.#media.close().catch((err: unknown) => this.#log.warn({ err }, 'media close failed'));
    this.#incoming.close();
    this.#agentLeg?.close();
    this.#env.ended(this);
  }

  /**
   * Server shutdown: hang up both sides. The BYEs' answers are awaited SHUTDOWN_BYE_WAIT_MS at most: a phone gone away
   * would hold the shutdown for its BYE's whole transaction timeout (32 s), and one whose 200 is not acknowledged yet
   * gets no BYE before its ACK comes or its transaction times out (RFC 3261 15).
   */
  async shutdown(): Promise<void> {
    if (this.#ended) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([this.#incoming.bye(), this.#agentLeg?.bye()]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_BYE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    this.#finish('shutdown');
  }
}

/**
 * The Call-ID of the dialog a REFER's Refer-To replaces (RFC 3891 Replaces header in the URI: attended transfer),
 * or undefined when it has none.
 */
export function replacedCallId(referTo: string): string | undefined {
  const headers = referTo.split('?')[1];
  if (headers === undefined) return undefined;
  for (const h of headers.split('&')) {
    const eq = h.indexOf('=');
    if (eq < 0 || h.slice(0, eq).toLowerCase() !== 'replaces') continue;
    try {
      const value = decodeURIComponent(h.slice(eq + 1));
      const callId = value.split(';')[0]!.trim();
      return callId === '' ? undefined : callId;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Browsers (the softphone) register over WebSocket and speak WebRTC; everything else gets plain RTP. */
function deviceKind(b: Binding): LegKind {
  return b.transport === 'ws' || b.transport === 'wss' ? 'webrtc' : 'rtp';
}

function escapeQuoted(s: string): string {
  return s.replace(/[\\"]/g, '').replace(/[\r\n]/g, ' ');
}
