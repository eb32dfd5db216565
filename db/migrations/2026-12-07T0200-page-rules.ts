import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// A queue's page rules: a browser caller's page (category, URL) adds skills (for a while) and priority to the call.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').addColumn('page_rules', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').dropColumn('page_rules').execute();
}
