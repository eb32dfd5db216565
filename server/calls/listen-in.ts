import type { Logger } from 'pino';
import { CustomerCallState } from './customer-call-state.ts';
import type { CustomerCall } from './customer-call.ts';
import type { CallLogWriter } from './call-log-writer.ts';

/**
 * Silent monitoring: a supervisor (or an admin) listens to a call in progress from their browser. The media engine
 * offers the listener's browser two receive-only streams, the customer and the agent; neither party hears the
 * listener or is told. POST /api/calls/{callId}/listen gives the offer, PUT …/listen/{listenId} takes the browser's
 * answer, DELETE …/listen/{listenId} ends it; the call's end ends it too. Each listen that starts is written to the
 * queue log as LISTEN (who listened), so monitoring can be audited.
 */

/** At most this many listeners on one call at once. */
export const MAX_LISTENERS_PER_CALL = 3;

/** The media a listen or a coaching needs from the call (CustomerCall has it). */
export type ListenedCall = Pick<CustomerCall, 'id' | 'state' | 'agentId' | 'agentDevice' | 'queue' | 'listenOffer' | 'listenAnswer' | 'stopListening' | 'coachPublish' | 'coachOffer'>;

/** What the agent's page is told of coaching (on its /ws/agent socket). */
export type CoachEvent =
  | { type: 'coach'; callId: string; coachId: string; sdp: string; coach: string }
  | { type: 'coach-ended'; callId: string; coachId: string }
  /** the coach joins the call (barge: the page mixes their voice into what it sends the caller) or only whispers again */
  | { type: 'coach-barge'; callId: string; coachId: string; barge: boolean };

/** A supervisor talking to the agent of a call (whisper): only the agent hears them, on the agent's page. */
export interface Coaching {
  /** the coach's own stream in the call (what the coach's browser sends) */
  id: string;
  /** the agent page's stream of it */
  agentStream: string;
  call: ListenedCall;
  agentId: string;
  userId: number;
  login: string;
  answered: boolean;
  /** barge-in: the caller hears the coach too */
  barge: boolean;
}

export type CoachStart =
  | { outcome: 'answer'; coachId: string; sdp: string }
  | Exclude<ListenStart, { outcome: 'offer' }>
  /** the agent's page is not open: nowhere to be heard */
  | { outcome: 'no-page' };

export interface Listener {
  id: string;
  call: ListenedCall;
  userId: number;
  login: string;
  /** the listener's browser answered: their streams flow */
  answered: boolean;
  startedAt: Date;
}

export type ListenStart =
  | { outcome: 'offer'; listenId: string; sdp: string }
  /** no such call in progress */
  | { outcome: 'unknown-call' }
  /** in an IVR menu, waiting in line or ringing an agent: nobody talks with the customer yet */
  | { outcome: 'not-connected'; state: CustomerCallState }
  | { outcome: 'too-many'; max: number };

export type ListenChange = { outcome: 'done' } | { outcome: 'unknown-listen' } | { outcome: 'not-yours' } | { outcome: 'refused'; reason: string };

/** A coach may join the call only when the agent talks on their browser softphone: it mixes the coach in. */
export type BargeChange = ListenChange | { outcome: 'desk-phone' };

export class ListenIns {
  readonly #byId = new Map<string, Listener>();
  readonly #coaching = new Map<string, Coaching>();
  /** calls whose coaching is being set up now */
  readonly #coachStarting = new Set<string>();

  constructor(
    private readonly log: CallLogWriter,
    private readonly logger: Logger,
    /** the agents' pages (their /ws/agent sockets) */
    private readonly pages: { send(agentId: string, event: CoachEvent): number; hasPage(agentId: string): boolean },
  ) {}

  /** The listens of a call now. */
  of(callId: string): Listener[] {
    return [...this.#byId.values()].filter((l) => l.call.id === callId);
  }

  /** Why nobody may listen to or coach in `call` now, or null. */
  #refusal(call: ListenedCall | undefined): Exclude<ListenStart, { outcome: 'offer' | 'too-many' }> | null {
    if (call === undefined || call.state === CustomerCallState.Ended) return { outcome: 'unknown-call' };
    if (call.state !== CustomerCallState.Connected || call.agentId === null) return { outcome: 'not-connected', state: call.state };
    return null;
  }

  async start(call: ListenedCall | undefined, user: { id: number; login: string }): Promise<ListenStart> {
    const refused = this.#refusal(call);
    if (refused !== null || call === undefined) return refused ?? { outcome: 'unknown-call' };
    if (this.of(call.id).length >= MAX_LISTENERS_PER_CALL) return { outcome: 'too-many', max: MAX_LISTENERS_PER_CALL };
    const offer = await call.listenOffer();
    this.#byId.set(offer.id, { id: offer.id, call, userId: user.id, login: user.login, answered: false, startedAt: new Date() });
    return { outcome: 'offer', listenId: offer.id, sdp: offer.sdp };
  }

  /**
   * The listener's browser answered. An answer the media engine refuses ends the listen (the browser starts again
   * with a new POST): rtpengine keeps a half-made subscription otherwise.
   */
  async answer(callId: string, listenId: string, user: { id: number; role: string }, sdp: string): Promise<ListenChange> {
    const l = this.#own(callId, listenId, user);
    if ('outcome' in l) return l;
    if (l.answered) return { outcome: 'refused', reason: 'this listen was answered already' };
    try {
      await l.call.listenAnswer(listenId, sdp);
    } catch (err) {
      this.#byId.delete(listenId);
      await l.call.stopListening(listenId).catch(() => undefined);
      return { outcome: 'refused', reason: err instanceof Error ? err.message : String(err) };
    }
    l.answered = true;
    this.log.event({ event: 'LISTEN', callId: l.call.id, queueId: l.call.queue?.id ?? null, agentId: l.call.agentId === null ? null : Number(l.call.agentId), data: { userId: l.userId, login: l.login } });
    return { outcome: 'done' };
  }

  async stop(callId: string, listenId: string, user: { id: number; role: string }): Promise<ListenChange> {
    const l = this.#own(callId, listenId, user);
    if ('outcome' in l) return l;
    this.#byId.delete(listenId);
    await l.call.stopListening(listenId).catch((err: unknown) => this.logger.debug({ err, callId, listenId }, 'stop listening'));
    return { outcome: 'done' };
  }

  /**
   * A supervisor talks to the agent of `call` (whisper): their browser's offer (its microphone) is answered here, and
   * the agent's page is sent a receive-only offer of it (`coach`), which it answers with answerCoach(). One coach a
   * call; the agent's page must be open (the agent hears the coach there, whichever device they talk on).
   */
  async startCoaching(call: ListenedCall | undefined, user: { id: number; login: string }, offerSdp: string): Promise<CoachStart> {
    const refused = this.#refusal(call);
    if (refused !== null || call === undefined) return refused ?? { outcome: 'unknown-call' };
    if (this.#coachStarting.has(call.id) || this.coachOf(call.id) !== undefined) return { outcome: 'too-many', max: 1 };
    const agentId = call.agentId!;
    if (!this.pages.hasPage(agentId)) return { outcome: 'no-page' };
    // (the call's one coach is taken while rtpengine answers: a second request meanwhile is refused too)
    this.#coachStarting.add(call.id);
    let published: { id: string; sdp: string };
    let stream: { id: string; sdp: string };
    try {
      published = await call.coachPublish(offerSdp);
      stream = await call.coachOffer(published.id);
    } finally {
      this.#coachStarting.delete(call.id);
    }
    if (call.state === CustomerCallState.Ended) return { outcome: 'unknown-call' }; // (it ended meanwhile, its media with it)
    const c: Coaching = { id: published.id, agentStream: stream.id, call, agentId, userId: user.id, login: user.login, answered: false, barge: false };
    this.#coaching.set(c.id, c);
    if (this.pages.send(agentId, { type: 'coach', callId: call.id, coachId: c.id, sdp: stream.sdp, coach: user.login }) === 0) {
      this.#coaching.delete(c.id);
      await call.stopListening(stream.id).catch(() => undefined);
      return { outcome: 'no-page' };
    }
    this.log.event({ event: 'COACH', callId: call.id, queueId: call.queue?.id ?? null, agentId: Number(agentId), data: { userId: user.id, login: user.login } });
    return { outcome: 'answer', coachId: c.id, sdp: published.sdp };
  }

  /** The agent's page answered the coach's stream (only the agent of that coaching). */
  async answerCoach(agentId: string, coachId: string, sdp: string): Promise<ListenChange> {
    const c = this.#coaching.get(coachId);
    if (c === undefined) return { outcome: 'unknown-listen' };
    if (c.agentId !== agentId) return { outcome: 'not-yours' };
    if (c.answered) return { outcome: 'refused', reason: 'this coaching was answered already' };
    try {
      await c.call.listenAnswer(c.agentStream, sdp);
    } catch (err) {
      await this.#endCoaching(c);
      return { outcome: 'refused', reason: err instanceof Error ? err.message : String(err) };
    }
    c.answered = true;
    return { outcome: 'done' };
  }

  /** The coach stops (or an admin stops them): the agent's page stops playing it. */
  async stopCoaching(callId: string, coachId: string, user: { id: number; role: string }): Promise<ListenChange> {
    const c = this.#ownCoaching(callId, coachId, user);
    if ('outcome' in c) return c;
    await this.#endCoaching(c);
    return { outcome: 'done' };
  }

  /**
   * Barge-in: the coach joins the call, heard by the caller as well as the agent (barge true), or goes back to
   * whispering to the agent only (false). rtpengine has no mixer, so the agent's browser softphone mixes the coach's
   * voice (which it plays already) into what it sends the caller: a desk-phone agent's call cannot be joined.
   */
  setBarge(callId: string, coachId: string, user: { id: number; role: string }, barge: boolean): BargeChange {
    const c = this.#ownCoaching(callId, coachId, user);
    if ('outcome' in c) return c;
    if (barge && c.call.agentDevice !== 'softphone') return { outcome: 'desk-phone' };
    if (c.barge === barge) return { outcome: 'done' };
    c.barge = barge;
    this.pages.send(c.agentId, { type: 'coach-barge', callId, coachId, barge });
    if (barge) this.log.event({ event: 'BARGE', callId, queueId: c.call.queue?.id ?? null, agentId: Number(c.agentId), data: { userId: c.userId, login: c.login } });
    return { outcome: 'done' };
  }

  #ownCoaching(callId: string, coachId: string, user: { id: number; role: string }): Coaching | { outcome: 'unknown-listen' } | { outcome: 'not-yours' } {
    const c = this.#coaching.get(coachId);
    if (c === undefined || c.call.id !== callId) return { outcome: 'unknown-listen' };
    if (c.userId !== user.id && user.role !== 'admin') return { outcome: 'not-yours' };
    return c;
  }

  async #endCoaching(c: Coaching): Promise<void> {
    this.#coaching.delete(c.id);
    this.pages.send(c.agentId, { type: 'coach-ended', callId: c.call.id, coachId: c.id });
    await c.call.stopListening(c.agentStream).catch((err: unknown) => this.logger.debug({ err, callId: c.call.id }, 'stop coaching'));
  }

  /** The coaching of a call now, if any. */
  coachOf(callId: string): Coaching | undefined {
    return [...this.#coaching.values()].find((c) => c.call.id === callId);
  }

  /** The call ended: its listens and its coaching are gone with its media (the agent's page is told of the coaching). */
  callEnded(callId: string): void {
    for (const l of this.of(callId)) this.#byId.delete(l.id);
    const c = this.coachOf(callId);
    if (c !== undefined) {
      this.#coaching.delete(c.id);
      this.pages.send(c.agentId, { type: 'coach-ended', callId, coachId: c.id });
    }
  }

  /** The listen, if it is this user's (an admin may end or answer anyone's). */
  #own(callId: string, listenId: string, user: { id: number; role: string }): Listener | { outcome: 'unknown-listen' } | { outcome: 'not-yours' } {
    const l = this.#byId.get(listenId);
    if (l === undefined || l.call.id !== callId) return { outcome: 'unknown-listen' };
    if (l.userId !== user.id && user.role !== 'admin') return { outcome: 'not-yours' };
    return l;
  }
}
