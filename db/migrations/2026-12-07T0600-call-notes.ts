import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
// Call notes (one per agent per call) and the customer a call is from (customer_key), so an agent sees the notes of
// the agents before them on a call and the customer's earlier calls.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_notes')
    .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('call_notes_pk', ['call_id', 'agent_id'])
    .execute();
  await db.schema.alterTable('calls').addColumn('customer_key', 'text').execute();
  // the calls so far: as server/calls/call-log-writer.ts customerKey() (the web page's customer id, else the phone
  // number the caller's SIP URI names, or the number of a callback asked for on the page)
  await sql`
    update calls set customer_key = case
      when coalesce(customer_id, '') <> '' then 'id:' || customer_id
      else (select 'tel:' || n from (select regexp_replace(coalesce(substring(caller from '^[sS][iI][pP][sS]?:([^@;?]+)@'), caller), '[[:space:]().-]', '', 'g') as n) x
            where n ~ '^[+]?[0-9]{4,20}$')
    end`.execute(db);
  await db.schema.createIndex('calls_customer_idx').on('calls').columns(['customer_key', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('calls_customer_idx').execute();
  await db.schema.alterTable('calls').dropColumn('customer_key').execute();
  await db.schema.dropTable('call_notes').execute();
}
