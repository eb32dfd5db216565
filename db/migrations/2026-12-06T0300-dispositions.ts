import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// The dispositions (wrap-up codes) an agent picks from for a call of the queue, and whether the agent must pick one
// before ending wrap-up early; calls.disposition holds the choice.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('queues')
    .addColumn('dispositions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('disposition_required', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').dropColumn('dispositions').dropColumn('disposition_required').execute();
}
