import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { Page, PageRequest } from './page.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A bytea as read back: node-postgres gives a Buffer, PGlite a Uint8Array; both as a Buffer, without a copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A voicemail as listed: everything but its audio. */
export interface Voicemail {
  id: number;
  callId: string;
  queueId: number | null;
  caller: string;
  customerId: string | null;
  language: string | null;
  seconds: number;
  createdAt: Date;
  doneAt: Date | null;
  doneBy: number | null;
}

export type VoicemailInput = Pick<Voicemail, 'callId' | 'queueId' | 'caller' | 'customerId' | 'language' | 'seconds'> & {
  /** WAV file */
  audio: Buffer;
};

const COLUMNS = ['id', 'call_id', 'queue_id', 'caller', 'customer_id', 'language', 'seconds', 'created_at', 'done_at', 'done_by'] as const;

type Row = { id: number; call_id: string; queue_id: number | null; caller: string; customer_id: string | null; language: string | null; seconds: number; created_at: Date; done_at: Date | null; done_by: number | null };

function fromRow(r: Row): Voicemail {
  return {
    id: r.id, callId: r.call_id, queueId: r.queue_id, caller: r.caller, customerId: r.customer_id, language: r.language,
    seconds: Number(r.seconds), createdAt: r.created_at, doneAt: r.done_at, doneBy: r.done_by,
  };
}

export async function createVoicemail(db: Db, v: VoicemailInput): Promise<Voicemail> {
  const row = await db
    .insertInto('voicemails')
    .values({ call_id: v.callId, queue_id: v.queueId, caller: v.caller, customer_id: v.customerId, language: v.language, seconds: v.seconds, audio: v.audio })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

export type VoicemailFilter = { queueId?: number; state: 'new' | 'done' | 'all' };

/** Voicemails, the newest first: new ones (nobody dealt with them yet), done ones, or all. */
export async function listVoicemails(db: Db, f: VoicemailFilter, page: PageRequest): Promise<Page<Voicemail>> {
  let q = db.selectFrom('voicemails');
  if (f.queueId !== undefined) q = q.where('queue_id', '=', f.queueId);
  if (f.state === 'new') q = q.where('done_at', 'is', null);
  if (f.state === 'done') q = q.where('done_at', 'is not', null);
  const [rows, total] = await Promise.all([
    q.select(COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    q.select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(fromRow), total: Number(total.n), limit: page.limit, offset: page.offset };
}

export async function getVoicemail(db: Db, id: number): Promise<Voicemail | undefined> {
  const row = await db.selectFrom('voicemails').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && fromRow(row);
}

/** The message's WAV file, or undefined when there is no such voicemail. */
export async function voicemailAudio(db: Db, id: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('voicemails').select('audio').where('id', '=', id).executeTakeFirst();
  return row && asBuffer(row.audio);
}

/** Marks a voicemail dealt with (by `userId`), or new again; undefined when there is no such voicemail. */
export async function setVoicemailDone(db: Db, id: number, done: boolean, userId: number): Promise<Voicemail | undefined> {
  const row = await db
    .updateTable('voicemails')
    .set(done ? { done_at: new Date(), done_by: userId } : { done_at: null, done_by: null })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row && fromRow(row);
}

export async function deleteVoicemail(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('voicemails').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** New voicemails of one queue (its mailbox's fill). */
export async function countNewVoicemails(db: Db, queueId: number): Promise<number> {
  const r = await db
    .selectFrom('voicemails')
    .select((e) => e.fn.countAll<string>().as('n'))
    .where('queue_id', '=', queueId)
    .where('done_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Deletes the voicemails left before `cutoff` (retention); how many went. */
export async function deleteVoicemailsBefore(db: Db, cutoff: Date): Promise<number> {
  const r = await db.deleteFrom('voicemails').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** New voicemails by queue (for the wall-board). */
export async function newVoicemailCounts(db: Db): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('voicemails')
    .select(['queue_id', (e) => e.fn.countAll<string>().as('n')])
    .where('done_at', 'is', null)
    .where('queue_id', 'is not', null)
    .groupBy('queue_id')
    .execute();
  return new Map(rows.map((r) => [r.queue_id!, Number(r.n)]));
}
