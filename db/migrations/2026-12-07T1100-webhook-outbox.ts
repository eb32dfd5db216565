import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// The webhook's events not delivered yet, per server: a restart (or a receiver down for a while) loses none.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_outbox')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_outbox_node_seq').on('webhook_outbox').columns(['node', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_outbox').execute();
}
