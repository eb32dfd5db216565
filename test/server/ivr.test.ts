import { describe, expect, it } from 'vitest';
import { IVR_MENU_DEFAULTS } from '../../db/repositories/ivr-menus.ts';
import type { IvrAction } from '../../db/schema.ts';
import { type IvrIo, type IvrMenuSpec, MAX_MENUS, textFor, walkIvr } from '../../server/calls/ivr.ts';

/**
 * The menu walk's logic with a scripted caller: what they press after each prompt (the real media, DTMF and
 * prompts are in test/e2e/ivr.test.ts, with sipp as the phone).
 */
function caller(script: Array<string | null>, menus: IvrMenuSpec[], now = new Date('2026-12-07T10:00:00Z')) {
  const said: string[] = [];
  const waits: number[] = [];
  const typedAhead: string[] = [];
  let hungUp = false;
  const io: IvrIo = {
    entered: () => {},
    say: async (text, language) => void said.push(`${language}: ${text}`),
    hasKey: () => typedAhead.length > 0,
    key: async (ms) => {
      waits.push(ms);
      if (typedAhead.length > 0) return typedAhead.shift()!;
      if (script.length === 0) return null;
      const k = script.shift()!;
      if (k === 'hangup') {
        hungUp = true;
        return null;
      }
      // "12": the caller pressed 1, then 2 at once (typed ahead, before the next prompt)
      if (k !== null && k.length > 1) typedAhead.push(...k.slice(1));
      return k === null ? null : k[0]!;
    },
    menu: async (id) => menus.find((m) => m.id === id),
    now: () => now,
    ended: () => hungUp,
  };
  return { io, said, waits };
}

const menu = (id: number, over: Partial<IvrMenuSpec> = {}): IvrMenuSpec => ({ ...IVR_MENU_DEFAULTS, id, name: `menu-${id}`, prompt: { en: `menu ${id}` }, ...over });
const option = (digit: string, action: IvrAction, language: string | null = null) => ({ digit, label: '', language, action });

const languageChoice = menu(1, {
  prompt: { en: 'For English press 1. Eesti keeles vajutage 2.' },
  options: [
    option('1', { type: 'menu', menuId: 2 }, 'en'),
    option('2', { type: 'menu', menuId: 2 }, 'et'),
  ],
});
const main = menu(2, {
  prompt: { en: 'Sales 1, support 2.', et: 'Müük 1, tugi 2.' },
  options: [
    option('1', { type: 'queue', queueId: 10 }),
    option('2', { type: 'queue', queueId: 11 }),
    option('9', { type: 'hangup' }),
    option('0', { type: 'menu', menuId: 1 }),
  ],
});

describe('IVR menu walk', () => {
  it('follows a language choice into a menu that speaks that language, and a key to a queue', async () => {
    const c = caller(['2', '1'], [languageChoice, main]);
    const out = await walkIvr(languageChoice, c.io, null);
    expect(out).toEqual({ kind: 'queue', queueId: 10, language: 'et', path: ['menu-1', 'menu-2'] });
    expect(c.said).toEqual(['en: For English press 1. Eesti keeles vajutage 2.', 'et: Müük 1, tugi 2.']);
    expect(c.waits).toEqual([5000, 5000]);
  });

  it('replays the prompt after no key or a wrong key, then takes the default action', async () => {
    const c = caller([null, '7', null], [main, menu(3, { options: [] })]);
    const out = await walkIvr({ ...main, defaultAction: { type: 'queue', queueId: 11 } }, c.io, null);
    expect(out).toEqual({ kind: 'queue', queueId: 11, language: null, path: ['menu-2'] });
    expect(c.said).toEqual(['en: Sales 1, support 2.', 'en: Sales 1, support 2.', 'en: Sales 1, support 2.']);
    const c2 = caller([null, null, null], [main]);
    expect(await walkIvr({ ...main, maxAttempts: 2 }, c2.io, 'de')).toEqual({ kind: 'hangup', reason: 'no-choice', language: 'de', path: ['menu-2'] });
    expect(c2.said).toEqual(['en: Sales 1, support 2.', 'en: Sales 1, support 2.']);
  });

  it('takes keys typed ahead without speaking the prompt they answer', async () => {
    const c = caller(['21'], [languageChoice, main]);
    const out = await walkIvr(languageChoice, c.io, null);
    expect(out).toMatchObject({ kind: 'queue', queueId: 10, language: 'et' });
    expect(c.said).toEqual(['en: For English press 1. Eesti keeles vajutage 2.']);
  });

  it('hangs up on a hang-up option, a caller who left, a deleted menu, and a loop of menus', async () => {
    expect(await walkIvr(main, caller(['9'], [main]).io, null)).toMatchObject({ kind: 'hangup', reason: 'option' });
    expect(await walkIvr(main, caller(['hangup'], [main]).io, null)).toMatchObject({ kind: 'hangup', reason: 'caller-left' });
    expect(await walkIvr(main, caller(['0'], [main]).io, null)).toMatchObject({ kind: 'hangup', reason: 'menu-missing', path: ['menu-2'] });
    const loop = caller(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? '0' : '1')), [languageChoice, main]);
    const out = await walkIvr(main, loop.io, null);
    expect(out).toMatchObject({ kind: 'hangup', reason: 'menu-loop' });
    expect(out.path).toHaveLength(MAX_MENUS);
  });

  it('outside its opening hours speaks the closed prompt and does the closed action, taking no key', async () => {
    // Saturday 2026-12-05 in Tallinn; open Monday to Friday only
    const hours = { timeZone: 'Europe/Tallinn', days: { mon: [{ from: '09:00', to: '17:00' }], fri: [{ from: '09:00', to: '17:00' }] } };
    const closed = menu(4, { openingHours: hours, closedPrompt: { en: 'We are closed.', et: 'Oleme suletud.' }, closedAction: { type: 'queue', queueId: 12 }, options: [option('1', { type: 'hangup' })] });
    const c = caller(['1'], [closed], new Date('2026-12-05T10:00:00Z'));
    expect(await walkIvr(closed, c.io, 'et')).toEqual({ kind: 'queue', queueId: 12, language: 'et', path: ['menu-4'] });
    expect(c.said).toEqual(['et: Oleme suletud.']);
    expect(c.waits).toEqual([]);
    const c2 = caller([], [closed], new Date('2026-12-05T10:00:00Z'));
    expect(await walkIvr({ ...closed, closedAction: null, closedPrompt: {} }, c2.io, null)).toMatchObject({ kind: 'hangup', reason: 'closed' });
    expect(c2.said).toEqual([]);
    // Friday 10:00 local: open, the menu runs
    const c3 = caller(['1'], [closed], new Date('2026-12-04T08:00:00Z'));
    expect(await walkIvr(closed, c3.io, null)).toMatchObject({ kind: 'hangup', reason: 'option' });
    // closed, with a way to the queue's voicemail
    const c4 = caller([], [closed], new Date('2026-12-05T10:00:00Z'));
    expect(await walkIvr({ ...closed, closedAction: { type: 'voicemail', queueId: 12 } }, c4.io, 'et')).toEqual({ kind: 'voicemail', queueId: 12, language: 'et', path: ['menu-4'] });
    // and an option leading there while open
    const c5 = caller(['1'], [closed], new Date('2026-12-04T08:00:00Z'));
    expect(await walkIvr({ ...closed, options: [option('1', { type: 'voicemail', queueId: 13 })] }, c5.io, null)).toMatchObject({ kind: 'voicemail', queueId: 13 });
  });

  it("speaks the caller's language when the menu has it, else the menu's own", () => {
    expect(textFor({ en: 'a', et: 'b' }, 'et', 'en')).toEqual({ text: 'b', language: 'et' });
    expect(textFor({ en: 'a' }, 'fi', 'en')).toEqual({ text: 'a', language: 'en' });
    expect(textFor({}, 'fi', 'en')).toBeNull();
  });
});
