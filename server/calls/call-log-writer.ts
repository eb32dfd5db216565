import type { Kysely, Updateable } from 'kysely';
import { type QueueEventInput, addCallWrapUp, appendQueueEvents, insertCall, updateCall } from '../../db/repositories/call-log.ts';
import { type CallbackInput, createCallback, updateCallbackOfCall } from '../../db/repositories/callbacks.ts';
import type { CallsTable, Database, NewCall } from '../../db/schema.ts';
import type { Logger } from '../logger.ts';
import { normalizeNumber, numberOfUri } from './phone-numbers.ts';

type Job = () => Promise<void>;

/**
 * Who the customer is across calls (a call record's customer_key): the customer id their web page gave, else the
 * phone number they call from (or are called back on, for a callback asked for without a call); null when neither is known.
 */
export function customerKey(customerId: string | null | undefined, caller: string): string | null {
  if (customerId) return `id:${customerId}`;
  const number = numberOfUri(caller) ?? normalizeNumber(caller); // (a SIP URI, or the number of a callback asked for on the page)
  return number === null ? null : `tel:${number}`;
}

/** A new call record: who calls, from where, into which queue; everything that happens later starts empty. */
export function newCallRecord(
  c: Pick<NewCall, 'id' | 'queue_id' | 'direction' | 'channel' | 'caller' | 'customer_id' | 'language' | 'context' | 'sip_call_id' | 'state' | 'queued_at'>,
): NewCall {
  return {
    ...c,
    customer_key: customerKey(c.customer_id, c.caller),
    agent_id: null,
    end_reason: null,
    disposition: null,
    answered_at: null,
    ended_at: null,
    wait_seconds: null,
    talk_seconds: null,
    hold_seconds: null,
    wrap_up_seconds: null,
  };
}

/**
 * Writes call records and the queue event log off the routing path: writes are queued and run one after another
 * in order, so a record is inserted before it is updated and the event log keeps the order things happened in.
 * A failed write is logged and the next one goes on. `flush()` waits for everything queued so far.
 */
export class CallLogWriter {
  #tail: Promise<void> = Promise.resolve();
  #pendingEvents: QueueEventInput[] = [];
  #eventsScheduled = false;
  #eventsWritten = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
  ) {}

  insertCall(call: NewCall): void {
    this.#enqueue(() => insertCall(this.db, call), { callId: call.id, op: 'insert call' });
  }

  updateCall(id: string, patch: Updateable<CallsTable>): void {
    this.#enqueue(() => updateCall(this.db, id, patch), { callId: id, op: 'update call' });
  }

  /** Adds an agent's after-call work to the call's record (a transferred call has one per agent). */
  addWrapUp(id: string, seconds: number): void {
    this.#enqueue(() => addCallWrapUp(this.db, id, seconds), { callId: id, op: 'add wrap-up' });
  }

  /** A call's callback, and later its state (attempts, next time in line), in order with the call's record and events. */
  insertCallback(input: CallbackInput & { callId: string }): void {
    this.#enqueue(async () => void (await createCallback(this.db, input)), { callId: input.callId, op: 'insert callback' });
  }

  updateCallback(callId: string, patch: Parameters<typeof updateCallbackOfCall>[2]): void {
    this.#enqueue(() => updateCallbackOfCall(this.db, callId, patch), { callId, op: 'update callback' });
  }

  /** Told of every queue event as it is logged (the webhook). */
  onEvent: (e: QueueEventInput) => void = () => {};

  /** Events are batched: every event queued in the same tick goes in one INSERT. */
  event(e: QueueEventInput): void {
    const stamped = { ...e, at: e.at ?? new Date() };
    this.#pendingEvents.push(stamped);
    this.onEvent(stamped);
    if (this.#eventsScheduled) return;
    this.#eventsScheduled = true;
    this.#enqueue(async () => {
      const batch = this.#pendingEvents;
      this.#pendingEvents = [];
      this.#eventsScheduled = false;
      await appendQueueEvents(this.db, batch);
      this.#eventsWritten += batch.length;
    }, { op: 'append queue events' });
  }

  /** Queue events written so far (readers of the log know from it whether it changed). */
  get eventsWritten(): number {
    return this.#eventsWritten;
  }

  flush(): Promise<void> {
    return this.#tail;
  }

  #enqueue(job: Job, what: object): void {
    this.#tail = this.#tail.then(job).catch((err: unknown) => this.logger.error({ err, ...what }, 'call log write failed'));
  }
}
