import type { Kysely, Transaction } from 'kysely';
import { DuplicateError, isUniqueViolation } from '../errors.ts';
import type { Database, Role, User } from '../schema.ts';
import type { Page, PageRequest } from './page.ts';
import { resolveSkillIds } from './skills.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** An agent as the API and the ACD see it: levels 1–5 by skill name and by language code. */
export interface Agent {
  id: number;
  login: string;
  name: string;
  role: Role;
  skills: Record<string, number>;
  languages: Record<string, number>;
  sipUsername: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface AgentInput {
  login: string;
  name: string;
  passwordHash: string;
  role?: Role;
  skills?: Record<string, number>;
  languages?: Record<string, number>;
}

export interface AgentUpdate {
  login?: string;
  name?: string;
  passwordHash?: string;
  skills?: Record<string, number>;
  languages?: Record<string, number>;
  disabled?: boolean;
  /** the agent's tokens are refused from now on (a new password, disabled) */
  endSessions?: boolean;
}

export async function findUserByLogin(db: Db, login: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
}

export async function getUser(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The admin and supervisor accounts, oldest first. */
export async function listStaff(db: Db): Promise<User[]> {
  return db.selectFrom('users').selectAll().where('role', 'in', ['admin', 'supervisor']).orderBy('id').execute();
}

/** What decides whether a user's session token still stands; undefined when the user is gone. */
export async function sessionState(db: Db, id: number): Promise<{ version: number; disabled: boolean; role: Role } | undefined> {
  const r = await db.selectFrom('users').select(['session_version', 'disabled', 'role']).where('id', '=', id).executeTakeFirst();
  return r && { version: r.session_version, disabled: r.disabled, role: r.role };
}

/** Ends every session of the user (their tokens are refused from now on); the new version, undefined when the user is gone. */
export async function endSessions(db: Db, id: number): Promise<number | undefined> {
  const r = await db
    .updateTable('users')
    .set((e) => ({ session_version: e('session_version', '+', 1) }))
    .where('id', '=', id)
    .returning('session_version')
    .executeTakeFirst();
  return r?.session_version;
}

/**
 * Changes an admin or supervisor account (undefined: no such account); endSessions: their tokens are refused from now
 * on (a new password, another role, disabled).
 */
export async function updateStaff(
  db: Db,
  id: number,
  input: { name?: string; role?: 'admin' | 'supervisor'; passwordHash?: string; disabled?: boolean; endSessions?: boolean },
): Promise<User | undefined> {
  return db
    .updateTable('users')
    .set((e) => ({
      updated_at: new Date(),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.role !== undefined ? { role: input.role } : {}),
      ...(input.passwordHash !== undefined ? { password_hash: input.passwordHash } : {}),
      ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
      ...(input.endSessions === true ? { session_version: e('session_version', '+', 1) } : {}),
    }))
    .where('id', '=', id)
    .where('role', 'in', ['admin', 'supervisor'])
    .returningAll()
    .executeTakeFirst();
}

export async function deleteStaff(db: Db, id: number): Promise<boolean> {
  const res = await db.deleteFrom('users').where('id', '=', id).where('role', 'in', ['admin', 'supervisor']).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Sets a user's password (any role) and ends their sessions: the new session version, undefined when the user is gone. */
export async function setPassword(db: Db, id: number, passwordHash: string): Promise<number | undefined> {
  const r = await db
    .updateTable('users')
    .set((e) => ({ password_hash: passwordHash, updated_at: new Date(), session_version: e('session_version', '+', 1) }))
    .where('id', '=', id)
    .returning('session_version')
    .executeTakeFirst();
  return r?.session_version;
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db.selectFrom('users').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function createUser(
  db: Db,
  input: { login: string; name: string; role: Role; passwordHash: string },
): Promise<User> {
  try {
    return await db
      .insertInto('users')
      .values({ login: input.login, name: input.name, role: input.role, password_hash: input.passwordHash })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError('user', 'login', input.login);
    throw err;
  }
}

async function writeProfile(
  tx: Transaction<Database>,
  userId: number,
  skills: Record<string, number> | undefined,
  languages: Record<string, number> | undefined,
): Promise<void> {
  if (skills !== undefined) {
    const ids = await resolveSkillIds(tx, Object.keys(skills), 'skills');
    await tx.deleteFrom('agent_skills').where('user_id', '=', userId).execute();
    const rows = Object.entries(skills).map(([name, level]) => ({ user_id: userId, skill_id: ids.get(name)!, level }));
    if (rows.length > 0) await tx.insertInto('agent_skills').values(rows).execute();
  }
  if (languages !== undefined) {
    await tx.deleteFrom('agent_languages').where('user_id', '=', userId).execute();
    const rows = Object.entries(languages).map(([language, level]) => ({ user_id: userId, language, level }));
    if (rows.length > 0) await tx.insertInto('agent_languages').values(rows).execute();
  }
}

export async function createAgent(db: Kysely<Database>, input: AgentInput): Promise<Agent> {
  return db.transaction().execute(async (tx) => {
    const user = await createUser(tx, {
      login: input.login,
      name: input.name,
      role: input.role ?? 'agent',
      passwordHash: input.passwordHash,
    });
    await writeProfile(tx, user.id, input.skills ?? {}, input.languages ?? {});
    return (await loadAgents(tx, [user.id]))[0]!;
  });
}

export async function updateAgent(db: Kysely<Database>, id: number, input: AgentUpdate): Promise<Agent | undefined> {
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('users').select('id').where('id', '=', id).where('role', '=', 'agent').executeTakeFirst();
    if (existing === undefined) return undefined;
    const set: Record<string, unknown> = { updated_at: new Date() };
    if (input.login !== undefined) set.login = input.login;
    if (input.name !== undefined) set.name = input.name;
    if (input.passwordHash !== undefined) set.password_hash = input.passwordHash;
    if (input.disabled !== undefined) set.disabled = input.disabled;
    try {
      await tx
        .updateTable('users')
        .set((e) => ({ ...set, ...(input.endSessions === true ? { session_version: e('session_version', '+', 1) } : {}) }))
        .where('id', '=', id)
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('user', 'login', input.login ?? '');
      throw err;
    }
    await writeProfile(tx, id, input.skills, input.languages);
    return (await loadAgents(tx, [id]))[0];
  });
}

export async function deleteAgent(db: Kysely<Database>, id: number): Promise<boolean> {
  const res = await db.deleteFrom('users').where('id', '=', id).where('role', '=', 'agent').executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function getAgent(db: Db, id: number): Promise<Agent | undefined> {
  return (await loadAgents(db, [id]))[0];
}

export async function listAgents(db: Db, page: PageRequest): Promise<Page<Agent>> {
  const [rows, count] = await Promise.all([
    db.selectFrom('users').select('id').where('role', '=', 'agent').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    db.selectFrom('users').select((e) => e.fn.countAll<number>().as('n')).where('role', '=', 'agent').executeTakeFirstOrThrow(),
  ]);
  return { items: await loadAgents(db, rows.map((r) => r.id)), total: Number(count.n), ...page };
}

/** Every enabled agent with skills and languages, for loading the ACD at start. */
export async function listAllAgents(db: Db): Promise<Agent[]> {
  const rows = await db.selectFrom('users').select('id').where('role', '=', 'agent').orderBy('id').execute();
  return loadAgents(db, rows.map((r) => r.id));
}

async function loadAgents(db: Db, ids: number[]): Promise<Agent[]> {
  if (ids.length === 0) return [];
  const [users, skills, languages, sip] = await Promise.all([
    db.selectFrom('users').selectAll().where('id', 'in', ids).where('role', '=', 'agent').orderBy('id').execute(),
    db
      .selectFrom('agent_skills')
      .innerJoin('skills', 'skills.id', 'agent_skills.skill_id')
      .select(['agent_skills.user_id', 'skills.name', 'agent_skills.level'])
      .where('agent_skills.user_id', 'in', ids)
      .execute(),
    db.selectFrom('agent_languages').selectAll().where('user_id', 'in', ids).execute(),
    db.selectFrom('sip_credentials').select(['user_id', 'username']).where('user_id', 'in', ids).execute(),
  ]);
  return users.map((u) => ({
    id: u.id,
    login: u.login,
    name: u.name,
    role: u.role,
    skills: Object.fromEntries(skills.filter((s) => s.user_id === u.id).map((s) => [s.name, s.level])),
    languages: Object.fromEntries(languages.filter((l) => l.user_id === u.id).map((l) => [l.language, l.level])),
    sipUsername: sip.find((s) => s.user_id === u.id)?.username ?? null,
    disabled: u.disabled,
    createdAt: u.created_at,
    updatedAt: u.updated_at,
  }));
}
