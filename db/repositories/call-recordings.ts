import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { asBuffer } from './voicemails.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A call's recording as listed: everything but its audio. */
export interface CallRecordingInfo {
  id: number;
  callId: string;
  queueId: number | null;
  /** the agent who took the call (the first, when it was transferred) */
  agentId: number | null;
  startedAt: Date;
  seconds: number;
}

export type CallRecordingInput = Omit<CallRecordingInfo, 'id'> & {
  /** stereo WAV: the customer left, the agent right */
  audio: Buffer;
};

const COLUMNS = ['id', 'call_id', 'queue_id', 'agent_id', 'started_at', 'seconds'] as const;

function fromRow(r: { id: number; call_id: string; queue_id: number | null; agent_id: number | null; started_at: Date; seconds: number }): CallRecordingInfo {
  return { id: r.id, callId: r.call_id, queueId: r.queue_id, agentId: r.agent_id, startedAt: r.started_at, seconds: Number(r.seconds) };
}

export async function createCallRecording(db: Db, r: CallRecordingInput): Promise<CallRecordingInfo> {
  const row = await db
    .insertInto('call_recordings')
    .values({ call_id: r.callId, queue_id: r.queueId, agent_id: r.agentId, started_at: r.startedAt, seconds: r.seconds, audio: r.audio })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

/** The recordings of a call, in the order they were made. */
export async function recordingsOfCall(db: Db, callId: string): Promise<CallRecordingInfo[]> {
  const rows = await db.selectFrom('call_recordings').select(COLUMNS).where('call_id', '=', callId).orderBy('started_at').orderBy('id').execute();
  return rows.map(fromRow);
}

/** The recording's WAV file, or undefined when there is no such recording. */
export async function callRecordingAudio(db: Db, id: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('call_recordings').select('audio').where('id', '=', id).executeTakeFirst();
  return row && asBuffer(row.audio);
}

export async function deleteCallRecording(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('call_recordings').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Deletes the recordings made before `cutoff` (retention); how many went. */
export async function deleteCallRecordingsBefore(db: Db, cutoff: Date): Promise<number> {
  const r = await db.deleteFrom('call_recordings').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(r.numDeletedRows);
}
