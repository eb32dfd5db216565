import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { DatabaseHandle, DatabaseKind } from '../../db/connect.ts';
import { sessionState } from '../../db/repositories/users.ts';
import { buildApp } from '../../server/app.ts';
import { Sessions } from '../../server/auth/sessions.ts';
import { ensureAdmin, loadTokenSigner } from '../../server/bootstrap.ts';
import { loadConfig } from '../../server/config.ts';
import { type ScratchDatabase, scratchDatabase } from './databases.ts';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  /** DATA_DIR of the app (prompts, caches). */
  dataDir: string;
  /** Bearer token header for a login. */
  auth(username: string, password: string): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/** The real HTTP app on a fresh database of the given kind, driven with app.inject(). */
export async function testApp(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const scratch: ScratchDatabase = await scratchDatabase(kind);
  const database = await scratch.open();
  const logger = pino({ level: 'silent' });
  const config = loadConfig({ ADMIN_PASSWORD, LOG_LEVEL: 'silent', DATA_DIR: scratch.dataDir, SIP_REALM: 'test.realm', ...env });
  await ensureAdmin(database.db, config.adminPassword, logger);
  const tokens = await loadTokenSigner(database.db);
  const sessions = new Sessions((id) => sessionState(database.db, id));
  const app = await buildApp({ config, logger, database, tokens, sessions });
  return {
    app,
    database,
    dataDir: config.dataDir,
    async auth(username, password) {
      const res = await app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.body}`);
      return { authorization: `Bearer ${res.json().token}` };
    },
    async close() {
      await app.close();
      await database.close();
      await scratch.drop();
    },
  };
}
