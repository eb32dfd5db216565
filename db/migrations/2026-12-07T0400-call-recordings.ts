import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// Call recording: a queue may record its calls; each recording (both parties, stereo WAV) is kept in a row.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').addColumn('record_calls', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.schema
    .createTable('call_recordings')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'integer', (c) => c.references('queues.id').onDelete('set null'))
    .addColumn('agent_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seconds', 'real', (c) => c.notNull())
    .addColumn('audio', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('call_recordings_call_idx').on('call_recordings').column('call_id').execute();
  await db.schema.createIndex('call_recordings_created_idx').on('call_recordings').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('call_recordings').execute();
  await db.schema.alterTable('queues').dropColumn('record_calls').execute();
}
