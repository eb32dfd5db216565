/**
 * The widget's visual IVR: a browser caller sees an IVR menu's options as buttons on the page instead of hearing
 * "press 1 for …" (GET /api/public/menus/{name}), picks their way to a queue, and calls it (POST /api/public/calls
 * with the menus passed, which the agent then sees as a phone caller's IVR path). The same menus as for phones.
 */
import { getIvrMenu, getIvrMenuByName, type IvrMenu } from '../../db/repositories/ivr-menus.ts';
import { getQueue, type Queue } from '../../db/repositories/queues.ts';
import type { Kysely } from 'kysely';
import type { Database, IvrAction } from '../../db/schema.ts';
import { MAX_MENUS } from './ivr.ts';
import { isOpenAt, nextOpening } from './opening-hours.ts';

type Db = Kysely<Database>;

/** Where a choice leads: a queue to call, or another menu (by name). */
export type VisualNext = { queue: string } | { menu: string };

export interface VisualChoice {
  /** the option's key (phone callers press it) */
  digit: string;
  /** the option's label; without one, the name of where it leads */
  label: string;
  /** the caller's language from here on (null: unchanged) */
  language: string | null;
  next: VisualNext;
}

export interface VisualMenu {
  name: string;
  /** the menu's own language */
  language: string;
  open: boolean;
  /** when closed: when it opens next (null: not within 7 days) */
  opensAt: string | null;
  /** the options that lead somewhere (those that hang up are left out); none while closed */
  choices: VisualChoice[];
  /** while closed, where a caller goes instead (the menu's closed action; null: nowhere) */
  closedNext: VisualNext | null;
}

/** Where an action leads, by name; null for a hang-up or a queue or menu that is gone. */
async function nextOf(db: Db, action: IvrAction | null): Promise<VisualNext | null> {
  // (a voicemail is left by phone: the widget offers no way to it)
  if (action === null || action.type === 'hangup' || action.type === 'voicemail') return null;
  if (action.type === 'queue') {
    const q = await getQueue(db, action.queueId);
    return q === undefined ? null : { queue: q.name };
  }
  const m = await getIvrMenu(db, action.menuId);
  return m === undefined ? null : { menu: m.name };
}

export async function visualMenu(db: Db, menu: IvrMenu, now: Date): Promise<VisualMenu> {
  const open = isOpenAt(menu.openingHours, now);
  const choices: VisualChoice[] = [];
  if (open) {
    for (const o of menu.options) {
      const next = await nextOf(db, o.action);
      if (next === null) continue;
      const label = o.label.trim() || ('queue' in next ? next.queue : next.menu);
      choices.push({ digit: o.digit, label, language: o.language, next });
    }
  }
  return {
    name: menu.name,
    language: menu.language,
    open,
    opensAt: open ? null : (nextOpening(menu.openingHours, now)?.toISOString() ?? null),
    choices,
    closedNext: open ? null : await nextOf(db, menu.closedAction),
  };
}

/**
 * Why `menus` (names, in the order the caller went) is not a way to `queue` now, or null when it is: the first must
 * exist, each next one must be where the one before leads (an option, or its closed action while closed), and the last
 * must lead to the queue. So the path an agent sees is one the menus offer.
 */
export async function menuPathProblem(db: Db, menus: readonly string[], queue: Queue, now: Date): Promise<string | null> {
  if (menus.length > MAX_MENUS) return `at most ${MAX_MENUS} menus`;
  let leadsTo: Array<IvrAction | null> | null = null;
  for (const name of menus) {
    const menu = await getIvrMenuByName(db, name);
    if (menu === undefined) return `there is no IVR menu ${JSON.stringify(name)}`;
    if (leadsTo !== null && !leadsTo.some((a) => a?.type === 'menu' && a.menuId === menu.id)) return `no option of the menu before leads to ${JSON.stringify(name)}`;
    leadsTo = isOpenAt(menu.openingHours, now) ? menu.options.map((o) => o.action) : [menu.closedAction];
  }
  if (leadsTo !== null && !leadsTo.some((a) => a?.type === 'queue' && a.queueId === queue.id)) return `no option of ${JSON.stringify(menus[menus.length - 1])} leads to queue ${JSON.stringify(queue.name)}`;
  return null;
}
