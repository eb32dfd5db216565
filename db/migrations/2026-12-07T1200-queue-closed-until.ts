import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// A supervisor may close a queue at once until a time (an outage, a fire drill), whatever its opening hours say.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').addColumn('closed_until', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').dropColumn('closed_until').execute();
}
