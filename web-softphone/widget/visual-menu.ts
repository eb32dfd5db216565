/**
 * Visual IVR: with `data-menu`, the widget shows an IVR menu's options as buttons (GET /api/public/menus/{name}),
 * follows the customer's choices through further menus, and hands the queue they lead to, with the menus on the way,
 * to the call (which the agent then sees like a phone caller's IVR path). The same menus phone callers hear.
 */
import type { Logger } from '../shared/logger.ts';
import { userMessage } from '../shared/errors.ts';
import { type MenuChoice, type VisualMenu, fetchMenu } from './api-client.ts';

/** Closed menus passed on in a row at most (the server's limit of menus in one call). */
const MAX_HOPS = 20;

export interface MenuView {
  /** the menu shown now; null while the first one loads */
  menu: VisualMenu | null;
  /** menus deep (more than one: Back goes to the one before) */
  depth: number;
  /** a menu could not be read */
  error?: string;
}

/** Where the choices led: the queue to call, the menus on the way, and the language a choice set (null: none). */
export interface MenuRoute {
  queue: string;
  menus: string[];
  language: string | null;
}

export class MenuWalk {
  /** the menus shown so far, each with the names of the closed menus that passed the caller on to it (and its own) */
  #stack: Array<{ menu: VisualMenu; names: string[] }> = [];
  #language: string | null = null;
  #error: string | undefined;
  #busy = false;

  constructor(
    private readonly apiBase: string,
    private readonly first: string,
    private readonly onChange: (view: MenuView) => void,
    private readonly log: Logger,
  ) {}

  get view(): MenuView {
    return { menu: this.#stack[this.#stack.length - 1]?.menu ?? null, depth: this.#stack.length, ...(this.#error ? { error: this.#error } : {}) };
  }

  /** Back to the first menu (read again: its options or opening may have changed). */
  async reset(): Promise<void> {
    this.#stack = [];
    this.#language = null;
    await this.#enter(this.first);
  }

  back(): void {
    if (this.#stack.length <= 1) return;
    this.#stack.pop();
    this.onChange(this.view);
  }

  /**
   * The customer chose `choice` (or, in a closed menu, null: where the menu sends callers while closed): a queue
   * gives the route to call; a menu is shown next (undefined then).
   */
  async choose(choice: MenuChoice | null): Promise<MenuRoute | undefined> {
    const menu = this.#stack[this.#stack.length - 1]?.menu;
    const next = choice === null ? menu?.closedNext : choice.next;
    if (menu === undefined || next === undefined || next === null || this.#busy) return undefined;
    if (choice?.language) this.#language = choice.language;
    if ('queue' in next) return { queue: next.queue, menus: this.#stack.flatMap((m) => m.names), language: this.#language };
    await this.#enter(next.menu);
    return undefined;
  }

  async #enter(name: string): Promise<void> {
    this.#busy = true;
    try {
      let menu = await fetchMenu(this.apiBase, name);
      const names = [menu.name];
      // a closed menu that sends callers to another menu: there at once, as a phone caller goes after the closed prompt
      while (!menu.open && menu.closedNext !== null && 'menu' in menu.closedNext && names.length < MAX_HOPS) {
        menu = await fetchMenu(this.apiBase, menu.closedNext.menu);
        names.push(menu.name);
      }
      this.#stack.push({ menu, names });
      this.#error = undefined;
    } catch (err) {
      this.log.warn({ menu: name, err: String(err) }, 'menu unavailable');
      this.#error = userMessage(err);
    } finally {
      this.#busy = false;
    }
    this.onChange(this.view);
  }
}
