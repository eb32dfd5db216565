import { randomUUID } from 'node:crypto';
import type { CallOptions } from '../../acd/types.ts';
import type { Kysely } from 'kysely';
import { listOpenCallbacks, setCallbackState } from '../../db/repositories/callbacks.ts';
import { type Queue, getQueue } from '../../db/repositories/queues.ts';
import type { Database } from '../../db/schema.ts';
import type { OutgoingCall } from '../../sip/index.ts';
import { type CallEnvironment, type CustomerCall, type QueueRef, offerContext, routingOptions } from './customer-call.ts';
import { CalledBackLeg } from './customer-leg.ts';
import { newCallRecord } from './call-log-writer.ts';
import { dialUri, maskNumber } from './phone-numbers.ts';
import type { CallbackSettings } from './callback-settings.ts';

export type CallbackOutcome =
  | { outcome: 'requested'; callId: string; number: string; scheduledFor: Date | null }
  | { outcome: 'unknown-call' }
  | { outcome: 'not-waiting' }
  | { outcome: 'no-trunk' }
  | { outcome: 'duplicate' }
  | { outcome: 'too-many' };

/** Open callbacks (in line, due later, being dialled) at most: beyond it, new requests without a call are refused. */
export const MAX_OPEN_CALLBACKS = 10_000;

/** A callback the ACD holds (in line, or due later), or one being dialled. */
interface OpenCallback {
  callId: string;
  queue: QueueRef;
  number: string;
  language: string | null;
  customerId: string | null;
  page: Record<string, unknown> | null;
  history: unknown[];
  /** attempts made so far */
  attempts: number;
  dialing: OutgoingCall | null;
  /** it has been in the queue (ENTERQUEUE logged): a callback asked for without a call enters at its first attempt */
  entered: boolean;
  /** the agent who arranged it (a personal callback): offered to them first for PERSONAL_CALLBACK_SECONDS; null: anyone */
  owner: string | null;
}

/** How long a personal callback, once due, waits for the agent who arranged it (if logged in) before anyone may take it. */
export const PERSONAL_CALLBACK_SECONDS = 900;

/** How the ACD routes a callback: as its customer's call, and a personal one to its agent first. */
function callbackRouting(cb: OpenCallback): CallOptions {
  const o = routingOptions(cb, cb.queue);
  return cb.owner === null ? o : { ...o, knownAgentId: cb.owner, knownAgentSeconds: PERSONAL_CALLBACK_SECONDS };
}

export interface CallbacksDeps {
  db: Kysely<Database>;
  env: CallEnvironment;
  settings: CallbackSettings;
  queueRef(q: Queue): QueueRef;
  /** The customer answered: the call goes on as a customer call, the assigned agent is rung next. */
  answered(callback: Readonly<OpenCallback>, leg: CalledBackLeg, agentId: string): void;
}

/**
 * Callbacks (virtual hold): a waiting caller leaves a phone number and hangs up; the ACD keeps the call in line as a
 * callback (its place, or a time the customer chose). When the ACD gives it an agent, the agent is assigned at once
 * and the customer is dialled through the trunk, without an SDP offer (the customer's phone offers, as a caller's
 * does); when they answer, the call goes on as any customer call: the agent is rung, and if they do not answer the
 * customer waits in line. A customer who does not answer is tried again `retrySeconds` later, `attempts` times
 * in all. Open callbacks are kept in the database and come back into the ACD when the server starts.
 */
export class Callbacks {
  readonly #open = new Map<string, OpenCallback>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  #settings: CallbackSettings;

  constructor(private readonly deps: CallbacksDeps) {
    this.#settings = deps.settings;
  }

  get enabled(): boolean {
    return this.#settings.trunk !== null;
  }

  get settings(): Readonly<CallbackSettings> {
    return this.#settings;
  }

  /** New settings (an admin changed them): the next attempt dials with them. */
  configure(settings: CallbackSettings): void {
    this.#settings = settings;
  }

  has(callId: string): boolean {
    return this.#open.has(callId);
  }

  queueOf(callId: string): QueueRef | undefined {
    return this.#open.get(callId)?.queue;
  }

  /** Puts the open callbacks of the database back into the ACD: in line at their place, or due at their time. */
  async load(): Promise<void> {
    const { db, env } = this.deps;
    for (const row of await listOpenCallbacks(db)) {
      const queue = await getQueue(db, row.queue_id);
      if (queue === undefined || row.call_id === null) {
        await setCallbackState(db, row.id, 'cancelled'); // (its queue was deleted: nobody to call back for)
        continue;
      }
      const context = row.context as { page?: Record<string, unknown> | null; history?: unknown[]; entered?: boolean; owner?: unknown };
      const cb: OpenCallback = {
        callId: row.call_id,
        queue: this.deps.queueRef(queue),
        number: row.target,
        language: row.language,
        customerId: row.customer_id,
        page: context.page ?? null,
        history: context.history ?? [],
        attempts: row.attempts,
        dialing: null,
        entered: context.entered === true || row.attempts > 0,
        owner: typeof context.owner === 'string' ? context.owner : null,
      };
      this.#open.set(cb.callId, cb);
      const dueAt = row.state === 'scheduled' && row.scheduled_for !== null ? row.scheduled_for : row.requested_at;
      if (row.state === 'dialing') env.log.updateCallback(cb.callId, { state: 'waiting' });
      env.acd.run((e, now) => e.callbackScheduled(now, cb.callId, String(queue.id), dueAt.getTime(), callbackRouting(cb)));
    }
  }

  /**
   * A waiting caller asks to be called back on `number`: now, keeping their place in line (at = null), or at a time
   * they chose (at: they join the line then).
   */
  request(call: CustomerCall | undefined, number: string, at: Date | null, inLine = false): CallbackOutcome {
    if (!this.enabled) return { outcome: 'no-trunk' };
    if (call === undefined) return { outcome: 'unknown-call' };
    const left = call.leaveForCallback();
    if (left === null) return { outcome: 'not-waiting' };
    const { env } = this.deps;
    const d = call.details;
    const cb: OpenCallback = {
      callId: call.id,
      queue: call.queue!, // (a call that left for a callback was waiting in a queue)
      number,
      language: d.language,
      customerId: d.customerId,
      page: d.page,
      history: d.history,
      attempts: 0,
      dialing: null,
      entered: true,
      owner: null,
    };
    this.#keep(cb, new Date(left.enteredAt), at);
    const queueId = String(cb.queue.id);
    env.acd.run((e, now) => {
      if (inLine) return; // (the ACD made the call a callback itself: its queue overflowed to callback)
      if (at === null) {
        e.callbackRequested(now, cb.callId);
        return;
      }
      e.callerAbandoned(now, cb.callId); // out of the line now; back at the chosen time
      e.callbackScheduled(now, cb.callId, queueId, at.getTime(), callbackRouting(cb));
    });
    env.logger.info({ callId: cb.callId, number: maskNumber(number), at }, 'callback requested');
    return { outcome: 'requested', callId: cb.callId, number, scheduledFor: at };
  }

  /**
   * A callback asked for without a call (the widget when the queue is closed): the customer is called at `at`,
   * joining the line then. One open callback per number and queue.
   */
  schedule(input: { queue: QueueRef; number: string; at: Date; language: string | null; customerId: string | null; page: Record<string, unknown> | null; history: unknown[]; owner?: string }): CallbackOutcome {
    if (!this.enabled) return { outcome: 'no-trunk' };
    const open = [...this.#open.values()];
    if (open.some((o) => o.number === input.number && o.queue.id === input.queue.id)) return { outcome: 'duplicate' };
    if (open.length >= MAX_OPEN_CALLBACKS) return { outcome: 'too-many' };
    const { env } = this.deps;
    const cb: OpenCallback = { callId: randomUUID(), ...input, attempts: 0, dialing: null, entered: false, owner: input.owner ?? null };
    env.log.insertCall(newCallRecord({
      id: cb.callId,
      queue_id: cb.queue.id,
      direction: 'callback',
      channel: 'sip',
      caller: cb.number,
      customer_id: cb.customerId,
      language: cb.language,
      context: JSON.stringify({ page: cb.page, history: cb.history }),
      sip_call_id: null,
      state: 'callback',
      queued_at: null,
    }));
    this.#keep(cb, input.at, input.at);
    env.log.event({
      event: 'CALLBACKREQUESTED', callId: cb.callId, queueId: cb.queue.id, ...(cb.owner === null ? {} : { agentId: Number(cb.owner) }),
      data: { scheduledFor: input.at.toISOString(), withoutCall: true, ...(cb.owner === null ? {} : { personal: true }) },
    });
    env.acd.run((e, now) => e.callbackScheduled(now, cb.callId, String(cb.queue.id), input.at.getTime(), callbackRouting(cb)));
    env.logger.info({ callId: cb.callId, number: maskNumber(cb.number), at: input.at }, 'callback scheduled');
    return { outcome: 'requested', callId: cb.callId, number: cb.number, scheduledFor: input.at };
  }

  /** Holds `cb` open and writes its row (after its call record, which the row refers to). */
  #keep(cb: OpenCallback, requestedAt: Date, scheduledFor: Date | null): void {
    this.#open.set(cb.callId, cb);
    this.deps.env.log.insertCallback({
      callId: cb.callId,
      queueId: cb.queue.id,
      target: cb.number,
      customerId: cb.customerId,
      language: cb.language,
      context: { page: cb.page, history: cb.history, entered: cb.entered, ...(cb.owner === null ? {} : { owner: cb.owner }) },
      requestedAt,
      scheduledFor,
    });
  }

  /** The ACD chose agents for a callback: the first is assigned, and the customer is dialled. */
  offered(callId: string, agentIds: readonly string[]): void {
    const { env } = this.deps;
    const settings = this.#settings;
    const cb = this.#open.get(callId);
    const agentId = agentIds[0];
    if (cb === undefined || agentId === undefined || cb.dialing !== null || settings.trunk === null) {
      env.logger.error({ callId, known: cb !== undefined }, 'the ACD offered a callback that cannot be dialled: dropped');
      env.acd.run((e, now) => e.callerAbandoned(now, callId));
      return;
    }
    const queue = cb.queue;
    if (!cb.entered) {
      // (a callback asked for without a call is offered to the queue now, for its traffic figures)
      cb.entered = true;
      env.log.event({ event: 'ENTERQUEUE', callId, queueId: queue.id, data: { language: cb.language, channel: 'callback' } });
      env.log.updateCall(callId, { queued_at: new Date() });
    }
    env.acd.run((e, now) => e.offerAccepted(now, callId, agentId));
    cb.attempts++;
    env.log.updateCallback(callId, { state: 'dialing', attempts: cb.attempts });
    env.toAgent(agentId, {
      type: 'offer',
      callId,
      context: offerContext({ ...cb, caller: cb.number, ivr: [], waitedSeconds: 0 }, cb.owner, env.agentName),
    });
    let leg: OutgoingCall;
    try {
      leg = env.sip.placeCall({
        target: dialUri(settings.trunk, cb.number),
        from: `"${queue.name.replace(/["\\\r\n]/g, '')}" <${settings.callerId}>`,
        headers: { 'X-Callflow-Call-Id': callId, 'X-Callflow-Queue': queue.name },
        ...(settings.auth ? { auth: settings.auth } : {}),
      });
    } catch (err) {
      env.logger.error({ err, callId }, 'callback could not be dialled');
      this.#attemptFailed(cb, agentId, 503, 'Service Unavailable');
      return;
    }
    cb.dialing = leg;
    const noAnswer = setTimeout(() => leg.cancel(), settings.dialSeconds * 1000);
    this.#timers.add(noAnswer);
    const done = (): void => {
      clearTimeout(noAnswer);
      this.#timers.delete(noAnswer);
      cb.dialing = null;
    };
    leg.on('answered', (offer) => {
      done();
      if (this.#closed) return;
      this.#open.delete(callId);
      env.log.event({ event: 'CALLBACKATTEMPT', callId, queueId: queue.id, agentId: Number(agentId), data: { attempt: cb.attempts, answered: true } });
      env.log.updateCallback(callId, { state: 'completed' });
      this.deps.answered(cb, new CalledBackLeg(leg, offer), agentId);
    });
    leg.on('failed', (status, reason) => {
      done();
      if (this.#closed) return;
      // our CANCEL after dialSeconds ends in 487: for the customer, that is no answer
      this.#attemptFailed(cb, agentId, status === 487 ? 408 : status, status === 487 ? 'No Answer' : reason);
    });
  }

  /** The customer did not answer (busy, no answer, unreachable): the agent is free again; tried again later, or given up. */
  #attemptFailed(cb: OpenCallback, agentId: string, status: number, reason: string): void {
    const { env } = this.deps;
    const settings = this.#settings;
    const callId = cb.callId;
    env.log.event({ event: 'CALLBACKATTEMPT', callId, queueId: cb.queue.id, agentId: Number(agentId), data: { attempt: cb.attempts, answered: false, status, reason } });
    env.toAgent(agentId, { type: 'offer-cancelled', callId, reason: `the customer did not answer (${status} ${reason})` });
    env.toAgent(agentId, { type: 'call-ended', callId });
    env.logger.info({ callId, number: maskNumber(cb.number), status, attempt: cb.attempts }, 'callback not answered');
    if (cb.attempts < settings.attempts) {
      const dueAt = new Date(Date.now() + settings.retrySeconds * 1000);
      env.log.updateCallback(callId, { state: 'scheduled', scheduledFor: dueAt });
      env.acd.run((e, now) => {
        e.callEnded(now, callId);
        e.callbackScheduled(now, callId, String(cb.queue.id), dueAt.getTime(), callbackRouting(cb));
      });
      return;
    }
    this.#open.delete(callId);
    env.log.event({ event: 'CALLBACKFAILED', callId, queueId: cb.queue.id, data: { attempts: cb.attempts } });
    env.log.updateCallback(callId, { state: 'failed' });
    env.log.updateCall(callId, { state: 'ended', end_reason: 'callback-failed', ended_at: new Date() });
    env.acd.run((e, now) => e.callEnded(now, callId));
  }

  /** The agent who arranged an open callback (null: anyone's), or undefined when no callback of that call is open. */
  ownerOf(callId: string): string | null | undefined {
    return this.#open.get(callId)?.owner;
  }

  /**
   * A supervisor, or the agent who arranged it, cancels an open callback (the customer phoned to say so, say): out of
   * the line, never dialled. Not while it is being dialled.
   */
  cancel(callId: string, by: string): 'cancelled' | 'unknown' | 'dialing' {
    const cb = this.#open.get(callId);
    if (cb === undefined) return 'unknown';
    if (cb.dialing !== null) return 'dialing';
    const { env } = this.deps;
    this.#open.delete(callId);
    env.acd.run((e, now) => e.callerAbandoned(now, callId));
    env.log.event({ event: 'CALLBACKCANCELLED', callId, queueId: cb.queue.id, data: { by, attempts: cb.attempts } });
    env.log.updateCallback(callId, { state: 'cancelled' });
    env.log.updateCall(callId, { state: 'ended', end_reason: 'callback-cancelled', ended_at: new Date() });
    return 'cancelled';
  }

  /**
   * Changes an open callback (a supervisor, or the agent who arranged it): `at`, another time — it joins the line then,
   * at that place, like a callback arranged for that time; `owner`, another agent it is offered to first (null:
   * anyone), keeping its time or place. Not while it is being dialled.
   */
  reschedule(
    callId: string,
    change: { at?: Date; owner?: string | null },
    by: string,
  ): { outcome: 'rescheduled'; number: string; scheduledFor: Date | null } | { outcome: 'unknown' } | { outcome: 'dialing' } {
    const cb = this.#open.get(callId);
    if (cb === undefined) return { outcome: 'unknown' };
    if (cb.dialing !== null) return { outcome: 'dialing' };
    const { env } = this.deps;
    const info = env.acd.engine.callInfo(callId);
    if (change.owner !== undefined) cb.owner = change.owner;
    // (its place in line, or its time, when only its agent changes)
    const dueAt = change.at?.getTime() ?? info?.claimAt ?? Date.now();
    env.acd.run((e, now) => {
      if (e.callInfo(callId) !== null) e.callerAbandoned(now, callId);
      e.callbackScheduled(now, callId, String(cb.queue.id), dueAt, callbackRouting(cb));
    });
    const later = dueAt > Date.now();
    env.log.event({
      event: 'CALLBACKRESCHEDULED', callId, queueId: cb.queue.id,
      data: { scheduledFor: later ? new Date(dueAt).toISOString() : null, ...(change.owner === undefined ? {} : { agentId: change.owner === null ? null : Number(change.owner) }), by },
    });
    env.log.updateCallback(callId, {
      state: later ? 'scheduled' : 'waiting', scheduledFor: later ? new Date(dueAt) : null, requestedAt: new Date(dueAt),
      ...(change.owner === undefined ? {} : { owner: change.owner }),
    });
    return { outcome: 'rescheduled', number: cb.number, scheduledFor: later ? new Date(dueAt) : null };
  }

  /** Open callbacks by queue id: in line now (or being dialled), and due at a later time. */
  summary(): Map<number, { inLine: number; later: number }> {
    const out = new Map<number, { inLine: number; later: number }>();
    const engine = this.deps.env.acd.engine;
    for (const cb of this.#open.values()) {
      const n = out.get(cb.queue.id) ?? { inLine: 0, later: 0 };
      if (engine.callInfo(cb.callId)?.state === 'scheduled') n.later++;
      else n.inLine++;
      out.set(cb.queue.id, n);
    }
    return out;
  }

  /** Server shutdown: calls being dialled are cancelled (they are dialled again after the restart). */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const cb of this.#open.values()) cb.dialing?.cancel();
  }
}
