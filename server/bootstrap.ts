import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { getOrCreateSetting } from '../db/repositories/settings.ts';
import { countUsers, createUser } from '../db/repositories/users.ts';
import type { Database } from '../db/schema.ts';
import { hashPassword, randomPassword } from './auth/password.ts';
import { TokenSigner } from './auth/tokens.ts';
import type { Logger } from './logger.ts';

/** The token key is generated once and kept in the database, so sessions survive a restart. */
export async function loadTokenSigner(db: Kysely<Database>): Promise<TokenSigner> {
  const key = await getOrCreateSetting(db, 'auth.token_key', randomBytes(32).toString('base64url'));
  return new TokenSigner(Buffer.from(key, 'base64url'));
}

/**
 * On an empty database, creates the user `admin` with ADMIN_PASSWORD, or with a random password that is printed
 * once to the log (the only time it is ever shown).
 */
export async function ensureAdmin(db: Kysely<Database>, adminPassword: string | null, logger: Logger): Promise<void> {
  if ((await countUsers(db)) > 0) return;
  const password = adminPassword ?? randomPassword();
  await createUser(db, { login: 'admin', name: 'Administrator', role: 'admin', passwordHash: await hashPassword(password) });
  if (adminPassword === null) {
    // Deliberately logged once, unredacted: it is the only way a newcomer learns the first password.
    logger.warn(`created user "admin" with the generated password ${password} — set ADMIN_PASSWORD or change it`);
  } else {
    logger.info('created user "admin" with ADMIN_PASSWORD');
  }
}
