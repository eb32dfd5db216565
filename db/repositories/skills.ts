import type { Kysely, Transaction } from 'kysely';
import { DuplicateError, InUseError, UnknownReferenceError, isForeignKeyViolation, isUniqueViolation } from '../errors.ts';
import type { Database, Skill } from '../schema.ts';
import type { Page, PageRequest } from './page.ts';

export async function listSkills(db: Kysely<Database>, page: PageRequest): Promise<Page<Skill>> {
  const [items, count] = await Promise.all([
    db.selectFrom('skills').selectAll().orderBy('id').limit(page.limit).offset(page.offset).execute(),
    db.selectFrom('skills').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n), ...page };
}

export async function getSkill(db: Kysely<Database>, id: number): Promise<Skill | undefined> {
  return db.selectFrom('skills').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function createSkill(db: Kysely<Database>, input: { name: string; description?: string }): Promise<Skill> {
  try {
    return await db
      .insertInto('skills')
      .values({ name: input.name, description: input.description ?? '' })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError('skill', 'name', input.name);
    throw err;
  }
}

export async function updateSkill(
  db: Kysely<Database>,
  id: number,
  input: { name?: string; description?: string },
): Promise<Skill | undefined> {
  try {
    return await db.updateTable('skills').set(input).where('id', '=', id).returningAll().executeTakeFirst();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError('skill', 'name', input.name ?? '');
    throw err;
  }
}

export async function deleteSkill(db: Kysely<Database>, id: number): Promise<boolean> {
  try {
    const res = await db.deleteFrom('skills').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new InUseError(`skill ${id} is still required by an agent or a queue`);
    throw err;
  }
}

/** Maps skill names to ids; throws UnknownReferenceError naming `field` and the first unknown name. */
export async function resolveSkillIds(
  tx: Kysely<Database> | Transaction<Database>,
  names: readonly string[],
  field: string,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (names.length === 0) return ids;
  const rows = await tx.selectFrom('skills').select(['id', 'name']).where('name', 'in', [...names]).execute();
  for (const r of rows) ids.set(r.name, r.id);
  for (const n of names) if (!ids.has(n)) throw new UnknownReferenceError(`${field}.${n}`, n);
  return ids;
}
