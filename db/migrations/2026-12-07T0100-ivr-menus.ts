import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// IVR menus, dialled by name like queues. The queues and menus their actions go to are ids inside the JSON
// (options[].action, default_action, closed_action); db/repositories/ivr-menus.ts checks them, and deleting a
// queue or menu still referred to is refused there.
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('ivr_menus')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('prompt', 'jsonb', (c) => c.notNull())
    .addColumn('options', 'jsonb', (c) => c.notNull())
    .addColumn('timeout_seconds', 'integer', (c) => c.notNull().check(sql`timeout_seconds between 1 and 60`))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().check(sql`max_attempts between 1 and 10`))
    .addColumn('default_action', 'jsonb')
    .addColumn('opening_hours', 'jsonb')
    .addColumn('closed_prompt', 'jsonb', (c) => c.notNull())
    .addColumn('closed_action', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('ivr_menus_name_idx').on('ivr_menus').column('name').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ivr_menus').execute();
}
