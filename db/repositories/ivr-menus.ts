import { type Insertable, type Kysely, type Transaction, type Updateable, sql } from 'kysely';
import { DuplicateError, InUseError, InvalidValueError, UnknownReferenceError, isUniqueViolation } from '../errors.ts';
import type { Database, IvrAction, IvrMenuRow, IvrMenusTable, IvrOption, OpeningHours } from '../schema.ts';
import { checkDialNameFree, lockDialPlan } from './dial-plan.ts';
import type { Page, PageRequest } from './page.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** An IVR menu as the API and the call flow see it. */
export interface IvrMenu {
  id: number;
  /** dialled as sip:<name>@<realm>; never the name of a queue */
  name: string;
  /** the prompt language when the caller chose none */
  language: string;
  /** text to speak, per language; holds `language` */
  prompt: Record<string, string>;
  /** at most one per digit */
  options: IvrOption[];
  timeoutSeconds: number;
  /** how many times the prompt plays in all before defaultAction */
  maxAttempts: number;
  /** null: hang up */
  defaultAction: IvrAction | null;
  /** null: always open */
  openingHours: OpeningHours | null;
  /** spoken when closed ({}: nothing) */
  closedPrompt: Record<string, string>;
  /** null: hang up */
  closedAction: IvrAction | null;
  createdAt: Date;
  updatedAt: Date;
}

type IvrMenuFields = Omit<IvrMenu, 'id' | 'createdAt' | 'updatedAt'>;
export type IvrMenuInput = Partial<IvrMenuFields> & Pick<IvrMenuFields, 'name' | 'prompt'>;

/** What a new menu has for a field it is not given. */
export const IVR_MENU_DEFAULTS: Readonly<Omit<IvrMenuFields, 'name' | 'prompt'>> = Object.freeze({
  language: 'en',
  options: [],
  timeoutSeconds: 5,
  maxAttempts: 3,
  defaultAction: null,
  openingHours: null,
  closedPrompt: {},
  closedAction: null,
});

function toRow(input: Partial<IvrMenuFields>): Updateable<IvrMenusTable> {
  const row: Updateable<IvrMenusTable> = {};
  if (input.name !== undefined) row.name = input.name;
  if (input.language !== undefined) row.language = input.language;
  if (input.prompt !== undefined) row.prompt = JSON.stringify(input.prompt);
  if (input.options !== undefined) row.options = JSON.stringify(input.options);
  if (input.timeoutSeconds !== undefined) row.timeout_seconds = input.timeoutSeconds;
  if (input.maxAttempts !== undefined) row.max_attempts = input.maxAttempts;
  if (input.defaultAction !== undefined) row.default_action = JSON.stringify(input.defaultAction);
  if (input.openingHours !== undefined) row.opening_hours = JSON.stringify(input.openingHours);
  if (input.closedPrompt !== undefined) row.closed_prompt = JSON.stringify(input.closedPrompt);
  if (input.closedAction !== undefined) row.closed_action = JSON.stringify(input.closedAction);
  return row;
}

function fromRow(r: IvrMenuRow): IvrMenu {
  return {
    id: r.id,
    name: r.name,
    language: r.language,
    prompt: r.prompt,
    options: r.options,
    timeoutSeconds: r.timeout_seconds,
    maxAttempts: r.max_attempts,
    defaultAction: r.default_action ?? null,
    openingHours: r.opening_hours ?? null,
    closedPrompt: r.closed_prompt,
    closedAction: r.closed_action ?? null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** `base` with the fields `patch` gives (an undefined field keeps the base's). */
function merged(base: IvrMenuFields, patch: Partial<IvrMenuFields>): IvrMenuFields {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = v;
  return out as unknown as IvrMenuFields;
}

/** The rules that span fields, on the menu as it will be stored: one option per digit, a prompt in its language. */
function checkMenu(menu: IvrMenuFields): void {
  const seen = new Set<string>();
  for (const [i, option] of menu.options.entries()) {
    if (seen.has(option.digit)) throw new InvalidValueError(`options[${i}].digit`, `${option.digit} is used twice`);
    seen.add(option.digit);
  }
  if (!Object.hasOwn(menu.prompt, menu.language)) {
    throw new InvalidValueError('prompt', `must hold a text for the menu's language ${JSON.stringify(menu.language)}`);
  }
}

/** Every action the input sets, with the field that holds it. */
function actionsOf(input: Partial<IvrMenuFields>): Array<[string, IvrAction]> {
  const out: Array<[string, IvrAction]> = [];
  for (const [i, option] of (input.options ?? []).entries()) out.push([`options[${i}].action`, option.action]);
  if (input.defaultAction) out.push(['defaultAction', input.defaultAction]);
  if (input.closedAction) out.push(['closedAction', input.closedAction]);
  return out;
}

/** Every queue and menu the input's actions go to exists (a menu may go to itself: it exists when it is updated). */
async function checkTargets(tx: Transaction<Database>, input: Partial<IvrMenuFields>): Promise<void> {
  const actions = actionsOf(input);
  const queueIds = actions.flatMap(([, a]) => (a.type === 'queue' || a.type === 'voicemail' ? [a.queueId] : []));
  const menuIds = actions.flatMap(([, a]) => (a.type === 'menu' ? [a.menuId] : []));
  const [queues, menus] = await Promise.all([
    queueIds.length === 0 ? [] : tx.selectFrom('queues').select('id').where('id', 'in', queueIds).execute(),
    menuIds.length === 0 ? [] : tx.selectFrom('ivr_menus').select('id').where('id', 'in', menuIds).execute(),
  ]);
  const queueFound = new Set(queues.map((r) => r.id));
  const menuFound = new Set(menus.map((r) => r.id));
  for (const [field, a] of actions) {
    if ((a.type === 'queue' || a.type === 'voicemail') && !queueFound.has(a.queueId)) {
      throw new UnknownReferenceError(`${field}.queueId`, String(a.queueId), `no queue ${a.queueId}`);
    }
    if (a.type === 'menu' && !menuFound.has(a.menuId)) {
      throw new UnknownReferenceError(`${field}.menuId`, String(a.menuId), `no IVR menu ${a.menuId}`);
    }
  }
}

/** The menus with an action (an option's, the default or the closed one) that goes to the target. */
export async function menusGoingTo(db: Db, target: { queueId: number } | { menuId: number }): Promise<Array<{ id: number; name: string }>> {
  // (a queue is gone to by its own actions and by the voicemail ones that leave it a message)
  const actions: IvrAction[] = 'queueId' in target
    ? [{ type: 'queue', queueId: target.queueId }, { type: 'voicemail', queueId: target.queueId }]
    : [{ type: 'menu', menuId: target.menuId }];
  return db
    .selectFrom('ivr_menus')
    .select(['id', 'name'])
    .where((eb) => eb.or(actions.flatMap((action) => {
      const one = JSON.stringify(action);
      const inOptions = JSON.stringify([{ action }]);
      return [
        sql<boolean>`default_action @> ${one}::jsonb`,
        sql<boolean>`closed_action @> ${one}::jsonb`,
        sql<boolean>`options @> ${inOptions}::jsonb`,
      ];
    })))
    .orderBy('id')
    .execute();
}

export async function createIvrMenu(db: Kysely<Database>, input: IvrMenuInput): Promise<IvrMenu> {
  return db.transaction().execute(async (tx) => {
    await lockDialPlan(tx);
    const menu = merged({ ...IVR_MENU_DEFAULTS, name: input.name, prompt: input.prompt }, input);
    checkMenu(menu);
    await checkDialNameFree(tx, menu.name, 'IVR menu');
    await checkTargets(tx, menu);
    try {
      // every column is in the row: the menu was merged with the defaults
      const row = toRow(menu) as Insertable<IvrMenusTable>;
      return fromRow(await tx.insertInto('ivr_menus').values(row).returningAll().executeTakeFirstOrThrow());
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('IVR menu', 'name', menu.name);
      throw err;
    }
  });
}

export async function updateIvrMenu(db: Kysely<Database>, id: number, patch: Partial<IvrMenuFields>): Promise<IvrMenu | undefined> {
  return db.transaction().execute(async (tx) => {
    await lockDialPlan(tx);
    const row = await tx.selectFrom('ivr_menus').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    checkMenu(merged(fromRow(row), patch));
    if (patch.name !== undefined && patch.name !== row.name) await checkDialNameFree(tx, patch.name, 'IVR menu');
    await checkTargets(tx, patch);
    try {
      const updated = await tx
        .updateTable('ivr_menus')
        .set({ ...toRow(patch), updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return fromRow(updated);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('IVR menu', 'name', patch.name ?? '');
      throw err;
    }
  });
}

/** False when there is no such menu; InUseError naming the other menus that go to it. */
export async function deleteIvrMenu(db: Kysely<Database>, id: number): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await lockDialPlan(tx);
    const row = await tx.selectFrom('ivr_menus').select('name').where('id', '=', id).executeTakeFirst();
    if (row === undefined) return false;
    const users = (await menusGoingTo(tx, { menuId: id })).filter((m) => m.id !== id);
    if (users.length > 0) throw new InUseError(`IVR menu ${row.name} is a target of IVR menu ${users.map((u) => u.name).join(', ')}`);
    await tx.deleteFrom('ivr_menus').where('id', '=', id).execute();
    return true;
  });
}

export async function getIvrMenu(db: Db, id: number): Promise<IvrMenu | undefined> {
  const row = await db.selectFrom('ivr_menus').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

export async function getIvrMenuByName(db: Db, name: string): Promise<IvrMenu | undefined> {
  const row = await db.selectFrom('ivr_menus').selectAll().where('name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

export async function listIvrMenus(db: Db, page: PageRequest): Promise<Page<IvrMenu>> {
  const [rows, count] = await Promise.all([
    db.selectFrom('ivr_menus').selectAll().orderBy('id').limit(page.limit).offset(page.offset).execute(),
    db.selectFrom('ivr_menus').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(fromRow), total: Number(count.n), ...page };
}
