import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// Post-call survey: a queue may ask its callers to rate the call (1–5) after the agent hangs up; a call keeps its rating.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queues').addColumn('survey', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.schema.alterTable('calls').addColumn('survey_score', 'smallint', (c) => c.check(sql`survey_score between 1 and 5`)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('calls').dropColumn('survey_score').execute();
  await db.schema.alterTable('queues').dropColumn('survey').execute();
}
