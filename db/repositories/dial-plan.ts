import { type Transaction, sql } from 'kysely';
import { DuplicateError } from '../errors.ts';
import type { Database } from '../schema.ts';

/**
 * Queues and IVR menus are dialled by name (sip:<name>@<realm>), so a name belongs to one of them at most, and menus
 * go to queues and to other menus by id. The checks of both (the name is not the other kind's, a target exists,
 * nothing goes to what is being deleted) read rows other transactions may be changing at the same moment; every
 * transaction that names, renames or deletes a queue or a menu, or writes a menu, takes this lock first, so they
 * run one at a time and each check still holds when its transaction commits. Released at commit or rollback.
 */
const DIAL_PLAN_LOCK = 7_205_001; // any number; only this application takes it

export async function lockDialPlan(tx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.lit(DIAL_PLAN_LOCK)})`.execute(tx);
}

/** Throws DuplicateError naming the other kind when a queue would take a menu's name or a menu a queue's. */
export async function checkDialNameFree(tx: Transaction<Database>, name: string, forKind: 'queue' | 'IVR menu'): Promise<void> {
  const other = forKind === 'queue'
    ? await tx.selectFrom('ivr_menus').select('id').where('name', '=', name).executeTakeFirst()
    : await tx.selectFrom('queues').select('id').where('name', '=', name).executeTakeFirst();
  if (other !== undefined) throw new DuplicateError(forKind === 'queue' ? 'IVR menu' : 'queue', 'name', name);
}
