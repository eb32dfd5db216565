import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// Voicemail: messages callers left when their queue overflowed to voicemail, with the audio (WAV) kept in the row.
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('voicemails')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'integer', (c) => c.references('queues.id').onDelete('set null'))
    .addColumn('caller', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('language', 'text')
    .addColumn('seconds', 'real', (c) => c.notNull())
    .addColumn('audio', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('done_at', 'timestamptz')
    .addColumn('done_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('voicemails_created_idx').on('voicemails').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('voicemails').execute();
}
