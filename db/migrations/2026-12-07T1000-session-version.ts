import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// A user's sessions end when their password or role changes or they are disabled: tokens carry the version they
// were issued under, and the server refuses one older than the user's.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('session_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('session_version').execute();
}
