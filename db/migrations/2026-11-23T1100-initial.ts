import { type Kysely, sql } from 'kysely';

// Frozen once landed: change the schema with a new migration.
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('skills')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('login', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'supervisor', 'agent')`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('agent_skills')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('skill_id', 'integer', (c) => c.notNull().references('skills.id').onDelete('restrict'))
    .addColumn('level', 'integer', (c) => c.notNull().check(sql`level between 1 and 5`))
    .addPrimaryKeyConstraint('agent_skills_pk', ['user_id', 'skill_id'])
    .execute();
  await db.schema.createIndex('agent_skills_skill_idx').on('agent_skills').column('skill_id').execute();

  await db.schema
    .createTable('agent_languages')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull().check(sql`level between 1 and 5`))
    .addPrimaryKeyConstraint('agent_languages_pk', ['user_id', 'language'])
    .execute();

  await db.schema
    .createTable('sip_credentials')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (c) => c.notNull().unique().references('users.id').onDelete('cascade'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('realm', 'text', (c) => c.notNull())
    .addColumn('ha1_md5', 'text', (c) => c.notNull())
    .addColumn('ha1_sha256', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('sip_bindings')
    .addColumn('aor', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('sip_bindings_pk', ['aor', 'contact'])
    .execute();

  await db.schema
    .createTable('queues')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('language', 'text')
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sl_threshold_seconds', 'integer', (c) => c.notNull().defaultTo(20))
    .addColumn('sl_target', 'double precision', (c) => c.notNull().defaultTo(0.8))
    .addColumn('wrap_up_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ring_timeout_seconds', 'integer', (c) => c.notNull().defaultTo(20))
    .addColumn('max_wait_seconds', 'integer')
    .addColumn('max_length', 'integer')
    .addColumn('overflow', 'jsonb')
    .addColumn('steps', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('announcements', 'jsonb', (c) => c.notNull())
    .addColumn('known_agent_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('queue_skills')
    .addColumn('queue_id', 'integer', (c) => c.notNull().references('queues.id').onDelete('cascade'))
    .addColumn('skill_id', 'integer', (c) => c.notNull().references('skills.id').onDelete('restrict'))
    .addColumn('min_level', 'integer', (c) => c.notNull().check(sql`min_level between 1 and 5`))
    .addPrimaryKeyConstraint('queue_skills_pk', ['queue_id', 'skill_id'])
    .execute();
  await db.schema.createIndex('queue_skills_skill_idx').on('queue_skills').column('skill_id').execute();

  await db.schema
    .createTable('calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue_id', 'integer', (c) => c.references('queues.id').onDelete('set null'))
    .addColumn('agent_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('caller', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('language', 'text')
    .addColumn('context', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('sip_call_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('end_reason', 'text')
    .addColumn('disposition', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('queued_at', 'timestamptz')
    .addColumn('answered_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('wait_seconds', 'double precision')
    .addColumn('talk_seconds', 'double precision')
    .addColumn('hold_seconds', 'double precision')
    .addColumn('wrap_up_seconds', 'double precision')
    .execute();
  await db.schema.createIndex('calls_created_idx').on('calls').column('created_at').execute();
  await db.schema.createIndex('calls_queue_idx').on('calls').columns(['queue_id', 'created_at']).execute();

  await db.schema
    .createTable('queue_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('call_id', 'text')
    .addColumn('queue_id', 'integer')
    .addColumn('agent_id', 'integer')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('queue_events_at_idx').on('queue_events').column('at').execute();
  await db.schema.createIndex('queue_events_call_idx').on('queue_events').column('call_id').execute();

  await db.schema
    .createTable('callbacks')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('queue_id', 'integer', (c) => c.notNull().references('queues.id').onDelete('cascade'))
    .addColumn('call_id', 'text')
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('language', 'text')
    .addColumn('context', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('scheduled_for', 'timestamptz')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('callbacks_state_idx').on('callbacks').columns(['state', 'scheduled_for']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['callbacks', 'queue_events', 'calls', 'queue_skills', 'queues', 'sip_bindings', 'sip_credentials',
    'agent_languages', 'agent_skills', 'users', 'skills', 'settings']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
