import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrate.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; null for embedded PGlite. */
  databaseUrl: string | null;
  /** PGlite: a folder for the data files, or 'memory://' for a throw-away database. */
  dataDir: string;
  /** Run migrations to latest (default true). */
  migrate?: boolean;
  /** Told about errors of idle pooled connections (a PostgreSQL restart), which must not crash the process. */
  onIdleError?: (err: Error) => void;
}

// node-postgres returns int8 (count(*), sum of ints) as strings; our counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  let handle: DatabaseHandle;
  if (options.databaseUrl !== null) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    pool.on('error', (err) => options.onIdleError?.(err));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    handle = { db, kind: 'postgres', close: () => db.destroy() };
  } else {
    let location = options.dataDir;
    if (!location.startsWith('memory://')) {
      location = path.resolve(options.dataDir, 'pglite');
      mkdirSync(location, { recursive: true });
    }
    const pglite = await PGlite.create(location);
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    handle = { db, kind: 'pglite', close: () => db.destroy() };
  }
  try {
    if (options.migrate !== false) await migrateToLatest(handle.db);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}
