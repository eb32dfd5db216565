import type { Kysely } from 'kysely';
import { DuplicateError, isUniqueViolation } from '../errors.ts';
import type { Database, SipCredential } from '../schema.ts';

export interface SipCredentialInput {
  userId: number;
  username: string;
  realm: string;
  ha1Md5: string;
  ha1Sha256: string;
}

/** Sets (or replaces) the digest credentials of an agent's device. */
export async function upsertSipCredential(db: Kysely<Database>, input: SipCredentialInput): Promise<SipCredential> {
  const values = {
    user_id: input.userId,
    username: input.username,
    realm: input.realm,
    ha1_md5: input.ha1Md5,
    ha1_sha256: input.ha1Sha256,
  };
  try {
    return await db
      .insertInto('sip_credentials')
      .values(values)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...values, updated_at: new Date() }))
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError('SIP credential', 'username', input.username);
    throw err;
  }
}

export async function findSipCredential(db: Kysely<Database>, username: string): Promise<SipCredential | undefined> {
  return db.selectFrom('sip_credentials').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function deleteSipCredential(db: Kysely<Database>, userId: number): Promise<boolean> {
  const res = await db.deleteFrom('sip_credentials').where('user_id', '=', userId).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
