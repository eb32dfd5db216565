import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as initial from './migrations/2026-11-23T1100-initial.ts';
import * as dispositions from './migrations/2026-12-06T0300-dispositions.ts';
import * as openingHours from './migrations/2026-12-06T0500-opening-hours.ts';
import * as ivrMenus from './migrations/2026-12-07T0100-ivr-menus.ts';
import * as pageRules from './migrations/2026-12-07T0200-page-rules.ts';
import * as voicemails from './migrations/2026-12-07T0300-voicemails.ts';
import * as callRecordings from './migrations/2026-12-07T0400-call-recordings.ts';
import * as survey from './migrations/2026-12-07T0500-survey.ts';
import * as callNotes from './migrations/2026-12-07T0600-call-notes.ts';
import * as auditLog from './migrations/2026-12-07T0700-audit-log.ts';
import * as blockedCallers from './migrations/2026-12-07T0800-blocked-callers.ts';
import * as voicemailKey from './migrations/2026-12-07T0900-voicemail-key.ts';
import * as sessionVersion from './migrations/2026-12-07T1000-session-version.ts';
import * as webhookOutbox from './migrations/2026-12-07T1100-webhook-outbox.ts';
import * as queueClosedUntil from './migrations/2026-12-07T1200-queue-closed-until.ts';

/** Every migration, by its timestamp name. Listed statically so the same code runs under tsx and in a bundle. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-23T1100-initial': initial,
  '2026-12-06T0300-dispositions': dispositions,
  '2026-12-06T0500-opening-hours': openingHours,
  '2026-12-07T0100-ivr-menus': ivrMenus,
  '2026-12-07T0200-page-rules': pageRules,
  '2026-12-07T0300-voicemails': voicemails,
  '2026-12-07T0400-call-recordings': callRecordings,
  '2026-12-07T0500-survey': survey,
  '2026-12-07T0600-call-notes': callNotes,
  '2026-12-07T0700-audit-log': auditLog,
  '2026-12-07T0800-blocked-callers': blockedCallers,
  '2026-12-07T0900-voicemail-key': voicemailKey,
  '2026-12-07T1000-session-version': sessionVersion,
  '2026-12-07T1100-webhook-outbox': webhookOutbox,
  '2026-12-07T1200-queue-closed-until': queueClosedUntil,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Brings the schema to the latest migration; throws naming the migration that failed. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return migrateTo(db, 'latest');
}

/** Brings the schema up or down to the named migration (or the latest); throws naming the migration that failed. */
export async function migrateTo(db: Kysely<any>, name: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = name === 'latest' ? await migrator.migrateToLatest() : await migrator.migrateTo(name);
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migration ${failed?.migrationName ?? '(setup)'} failed: ${cause}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
