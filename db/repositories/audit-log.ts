import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { Page, PageRequest } from './page.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** One entry of the audit log (see AuditLogTable). */
export interface AuditEntry {
  id: number;
  at: Date;
  userId: number | null;
  login: string | null;
  role: string | null;
  ip: string;
  method: string;
  route: string;
  path: string;
  status: number;
  detail: unknown;
  error: string | null;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { at?: Date };

export interface AuditFilter {
  userId?: number;
  login?: string;
  from?: Date;
  to?: Date;
  /** entries whose path starts with this (e.g. /api/queues) */
  path?: string;
}

export async function appendAudit(db: Db, e: AuditInput): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      user_id: e.userId, login: e.login, role: e.role, ip: e.ip, method: e.method, route: e.route, path: e.path, status: e.status,
      detail: e.detail === undefined || e.detail === null ? null : JSON.stringify(e.detail), error: e.error, ...(e.at ? { at: e.at } : {}),
    })
    .execute();
}

/** The audit log, newest first. */
export async function listAudit(db: Db, page: PageRequest, f: AuditFilter = {}): Promise<Page<AuditEntry>> {
  let q = db.selectFrom('audit_log');
  if (f.userId !== undefined) q = q.where('user_id', '=', f.userId);
  if (f.login !== undefined) q = q.where('login', '=', f.login);
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.path !== undefined) q = q.where('path', 'like', `${f.path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    q.select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: Number(r.id), at: r.at, userId: r.user_id, login: r.login, role: r.role, ip: r.ip, method: r.method, route: r.route, path: r.path,
      status: r.status, detail: r.detail, error: r.error,
    })),
    total: Number(count.n),
    ...page,
  };
}

export async function deleteAuditBefore(db: Db, cutoff: Date): Promise<number> {
  const r = await db.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst();
  return Number(r.numDeletedRows);
}
