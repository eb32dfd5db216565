import { openDatabase } from '../db/connect.ts';
import type { AppContext } from './app-context.ts';
import { buildApp } from './app.ts';
import { ensureAdmin, loadTokenSigner } from './bootstrap.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

export interface RunningServer {
  readonly ctx: AppContext;
  /** The HTTP address actually bound (port 0 in tests picks a free one). */
  readonly httpUrl: string;
  close(): Promise<void>;
}

/** The composition root: database, HTTP API (and, as they land, SIP, media and the ACD), started in order. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onIdleError: (err) => logger.warn({ err }, 'idle database connection failed'),
  });
  logger.info({ db: database.kind }, 'database ready');
  try {
    await ensureAdmin(database.db, config.adminPassword, logger);
    const tokens = await loadTokenSigner(database.db);
    const ctx: AppContext = { config, logger, database, tokens };
    const app = await buildApp(ctx);
    const httpUrl = await app.listen({ host: config.httpHost, port: config.httpPort });
    logger.info({ httpUrl, docs: `${httpUrl}/docs` }, 'HTTP API listening');
    let closed: Promise<void> | null = null;
    return {
      ctx,
      httpUrl,
      close: () => {
        closed ??= (async () => {
          await app.close();
          await database.close();
        })();
        return closed;
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
