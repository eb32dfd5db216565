import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// Blocked callers: a customer (by phone number or web customer id, as calls.customer_key) whose calls are refused.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('blocked_callers')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('customer_key', 'text', (c) => c.notNull().unique())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('blocked_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('blocked_callers').execute();
}
