import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// A queue's opening hours (a week of time ranges in a time zone); null: always open.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').addColumn('opening_hours', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').dropColumn('opening_hours').execute();
}
