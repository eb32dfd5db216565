import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export async function getSetting(db: Kysely<Database>, key: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

/** Stores `value` under `key` unless one is there already; returns the stored value either way. */
export async function getOrCreateSetting(db: Kysely<Database>, key: string, value: string): Promise<string> {
  await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await getSetting(db, key)) ?? value;
}

/** Stores `value` under `key`, replacing what was there. */
export async function putSetting(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}
