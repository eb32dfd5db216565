import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type DatabaseHandle, type DatabaseKind, openDatabase } from '../../db/connect.ts';

/**
 * The machine's PostgreSQL, reached over its unix socket so the same URL works inside the test network namespace
 * (where 127.0.0.1:5432 is the namespace's own, empty loopback). Override with TEST_DATABASE_URL.
 */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@%2Fvar%2Frun%2Fpostgresql:5432/test';

export const DATABASE_KINDS: readonly DatabaseKind[] = ['pglite', 'postgres'];

/** A fresh, empty database of the given kind: its URL (postgres) or folder (pglite), and how to remove it. */
export interface ScratchDatabase {
  kind: DatabaseKind;
  databaseUrl: string | null;
  dataDir: string;
  open(): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

export async function scratchDatabase(kind: DatabaseKind): Promise<ScratchDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'callflow-test-'));
  if (kind === 'pglite') {
    return {
      kind,
      databaseUrl: null,
      dataDir,
      open: () => openDatabase({ databaseUrl: null, dataDir }),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `callflow_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    kind,
    databaseUrl,
    dataDir,
    open: () => openDatabase({ databaseUrl, dataDir }),
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
