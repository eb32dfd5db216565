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

/** The media a listen needs from the call (CustomerCall has it). */
export type ListenedCall = Pick<CustomerCall, 'id' | 'state' | 'agentId' | 'queue' | 'listenOffer' | 'listenAnswer' | 'stopListening'>;

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

export class ListenIns {
  readonly #byId = new Map<string, Listener>();

  constructor(
    private readonly log: CallLogWriter,
    private readonly logger: Logger,
  ) {}

  /** The listens of a call now. */
  of(callId: string): Listener[] {
    return [...this.#byId.values()].filter((l) => l.call.id === callId);
  }

  async start(call: ListenedCall | undefined, user: { id: number; login: string }): Promise<ListenStart> {
    if (call === undefined || call.state === CustomerCallState.Ended) return { outcome: 'unknown-call' };
    if (call.state !== CustomerCallState.Connected || call.agentId === null) return { outcome: 'not-connected', state: call.state };
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

  /** The call ended: its listens are gone with its media. */
  callEnded(callId: string): void {
    for (const l of this.of(callId)) this.#byId.delete(l.id);
  }

  /** The listen, if it is this user's (an admin may end or answer anyone's). */
  #own(callId: string, listenId: string, user: { id: number; role: string }): Listener | { outcome: 'unknown-listen' } | { outcome: 'not-yours' } {
    const l = this.#byId.get(listenId);
    if (l === undefined || l.call.id !== callId) return { outcome: 'unknown-listen' };
    if (l.userId !== user.id && user.role !== 'admin') return { outcome: 'not-yours' };
    return l;
  }
}
