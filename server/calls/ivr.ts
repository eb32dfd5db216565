/**
 * An IVR menu walk for one caller: speak a menu's prompt, take one key, follow its option (a queue, another menu,
 * a queue's voicemail, hang up; an option may also set the caller's language), with the retries, the default action and the opening
 * hours a menu has. The call (CustomerCall) supplies the media and the keys through IvrIo; this is the logic only.
 */
import type { IvrMenu } from '../../db/repositories/ivr-menus.ts';
import type { IvrAction } from '../../db/schema.ts';
import { isOpenAt } from './opening-hours.ts';

/** A menu as the walk reads it (timestamps aside). */
export type IvrMenuSpec = Omit<IvrMenu, 'createdAt' | 'updatedAt'>;

export interface IvrIo {
  /** The walk is in this menu now (the first, or one an option went to). */
  entered(menu: IvrMenuSpec): void;
  /** Speaks `text` in `language`; settles when it ended, or when the caller pressed a key (which stops it). */
  say(text: string, language: string): Promise<void>;
  /** A key pressed and not taken yet (one pressed during a prompt, or earlier: callers who know the menu type ahead). */
  hasKey(): boolean;
  /** The next key: one pressed already, else the first within `ms`; null when none came or the call ended. */
  key(ms: number): Promise<string | null>;
  menu(id: number): Promise<IvrMenuSpec | undefined>;
  now(): Date;
  /** The caller hung up (or the call ended otherwise). */
  ended(): boolean;
}

export type IvrOutcome =
  | { kind: 'queue'; queueId: number; language: string | null; path: string[] }
  /** the caller leaves a message for the queue */
  | { kind: 'voicemail'; queueId: number; language: string | null; path: string[] }
  | { kind: 'hangup'; reason: IvrHangup; language: string | null; path: string[] };

/**
 * Why the walk hung up: an option or the closed menu said so ('option', 'closed'); no valid key after the last
 * attempt and no default action ('no-choice'); a menu pointed to a deleted one ('menu-missing'); more than
 * MAX_MENUS menus in one call ('menu-loop'); the caller left ('caller-left').
 */
export type IvrHangup = 'option' | 'closed' | 'no-choice' | 'menu-missing' | 'menu-loop' | 'caller-left';

/** Menus one call may pass through: beyond it the configuration loops (a menu whose every way leads to menus). */
export const MAX_MENUS = 20;

/** The text of `texts` for the caller's language, else for the menu's own; null when it has neither. */
export function textFor(texts: Record<string, string>, callerLanguage: string | null, menuLanguage: string): { text: string; language: string } | null {
  if (callerLanguage !== null && texts[callerLanguage]) return { text: texts[callerLanguage], language: callerLanguage };
  if (texts[menuLanguage]) return { text: texts[menuLanguage], language: menuLanguage };
  return null;
}

/** Walks the menus from `first`; `language` is the caller's (null: none chosen yet). */
export async function walkIvr(first: IvrMenuSpec, io: IvrIo, language: string | null): Promise<IvrOutcome> {
  const path: string[] = [];
  let lang = language;
  let menu: IvrMenuSpec | undefined = first;
  const end = (reason: IvrHangup): IvrOutcome => ({ kind: 'hangup', reason, language: lang, path });
  for (;;) {
    if (io.ended()) return end('caller-left');
    if (path.length === MAX_MENUS) return end('menu-loop');
    path.push(menu.name);
    io.entered(menu);
    let action: IvrAction | null;
    let none: IvrHangup;
    if (isOpenAt(menu.openingHours, io.now())) {
      const chosen = await choose(menu, io, lang);
      if (chosen === 'ended') return end('caller-left');
      if (chosen !== null && chosen.language !== null) lang = chosen.language;
      action = chosen === null ? menu.defaultAction : chosen.action;
      none = chosen === null ? 'no-choice' : 'option';
    } else {
      const closed = textFor(menu.closedPrompt, lang, menu.language);
      if (closed !== null) await io.say(closed.text, closed.language);
      action = menu.closedAction;
      none = 'closed';
    }
    if (io.ended()) return end('caller-left');
    if (action === null || action.type === 'hangup') return end(none);
    if (action.type === 'queue' || action.type === 'voicemail') return { kind: action.type, queueId: action.queueId, language: lang, path };
    menu = await io.menu(action.menuId);
    if (menu === undefined) return end('menu-missing');
  }
}

/** The option the caller picked, null when no valid key came in maxAttempts tries, 'ended' when they left. */
async function choose(menu: IvrMenuSpec, io: IvrIo, lang: string | null): Promise<IvrMenuSpec['options'][number] | null | 'ended'> {
  const prompt = textFor(menu.prompt, lang, menu.language);
  for (let attempt = 0; attempt < menu.maxAttempts; attempt++) {
    if (prompt !== null && !io.hasKey()) await io.say(prompt.text, prompt.language);
    const key = await io.key(menu.timeoutSeconds * 1000);
    if (io.ended()) return 'ended';
    const option = key === null ? undefined : menu.options.find((o) => o.digit === key);
    if (option !== undefined) return option;
  }
  return null;
}
