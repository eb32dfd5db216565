import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// A queue may let its waiting phone callers press 2 to leave a message instead of waiting.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').addColumn('voicemail_key', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').dropColumn('voicemail_key').execute();
}
