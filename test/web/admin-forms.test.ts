import { describe, expect, it } from 'vitest';
import {
  type IvrTargets,
  formatAction,
  formatPageRules,
  formatHours,
  formatLevels,
  formatOptions,
  formatPrompts,
  formatSteps,
  parseAction,
  parsePageRules,
  parseCount,
  parseHours,
  parseLevels,
  parseList,
  parseOptions,
  parsePrompts,
  parseSteps,
} from '../../web-softphone/admin/forms.ts';

describe('admin console form fields', () => {
  it('reads levels as name:level lists and writes them back the same way', () => {
    expect(parseLevels('billing:4, tech 2 ,', 'skills')).toEqual({ billing: 4, tech: 2 });
    expect(parseLevels('  ', 'skills')).toEqual({});
    expect(formatLevels({ billing: 4, tech: 2 })).toBe('billing:4, tech:2');
    expect(parseLevels(formatLevels({ en: 5, et: 3 }), 'languages')).toEqual({ en: 5, et: 3 });
  });

  it('names the field and the part it cannot read', () => {
    expect(() => parseLevels('billing', 'skills')).toThrow('skills: "billing" is not name:level (a level from 1 to 5)');
    expect(() => parseLevels('billing:7', 'skills')).toThrow(/skills: "billing:7"/);
    expect(() => parseLevels('en:5, en:3', 'languages')).toThrow('languages: en is named twice');
  });

  it('reads lists and whole numbers', () => {
    expect(parseList('Resolved, Sale ,, Complaint ')).toEqual(['Resolved', 'Sale', 'Complaint']);
    expect(parseCount(' 30 ', 'wrap-up')).toBe(30);
    expect(parseCount('', 'max wait')).toBeNull();
    expect(() => parseCount('3.5', 'wrap-up')).toThrow('wrap-up: "3.5" is not a whole number');
    expect(() => parseCount('-1', 'wrap-up')).toThrow(/wrap-up/);
  });
});

describe('relaxation steps in the admin console', () => {
  it('reads one step a line and writes them back the same way', () => {
    const text = '30s skills=billing:1\n\n90s language=any\n120s skills=billing:1, tech:2 language=en';
    const steps = parseSteps(text);
    expect(steps).toEqual([
      { afterSeconds: 30, skills: { billing: 1 } },
      { afterSeconds: 90, language: null },
      { afterSeconds: 120, skills: { billing: 1, tech: 2 }, language: 'en' },
    ]);
    expect(parseSteps(formatSteps(steps))).toEqual(steps);
    expect(formatSteps(steps)).toBe('30s skills=billing:1\n90s language=any\n120s skills=billing:1, tech:2 language=en');
    expect(parseSteps('')).toEqual([]);
  });

  it('names the line and what is wrong with it', () => {
    expect(() => parseSteps('skills=billing:1')).toThrow('steps, line 1: start with the wait, e.g. "30s skills=billing:1"');
    expect(() => parseSteps('30s\n')).toThrow('steps, line 1: give skills=… or language=… (or both)');
    expect(() => parseSteps('30s skills=billing:1\n60s level=2')).toThrow('steps, line 2: "level=2" is neither skills=… nor language=…');
    expect(() => parseSteps('30s skills=billing:8')).toThrow(/steps, line 1: skills: "billing:8"/);
  });
});

describe('page rules in the admin console', () => {
  it('reads one rule a line and writes them back the same way', () => {
    const text = 'category=laptops skills=laptops:3 for=30s\nurl=/checkout priority=5\ncategory=tents url=/outlet/ skills=outdoor:2,camping:1';
    const rules = parsePageRules(`${text}\n\n`);
    expect(rules).toEqual([
      { when: { category: 'laptops' }, skills: { laptops: 3 }, forSeconds: 30 },
      { when: { urlContains: '/checkout' }, priority: 5 },
      { when: { category: 'tents', urlContains: '/outlet/' }, skills: { outdoor: 2, camping: 1 } },
    ]);
    expect(formatPageRules(rules)).toBe(text);
    expect(parsePageRules('url=/x priority=+2')).toEqual([{ when: { urlContains: '/x' }, priority: 2 }]);
    expect(parsePageRules('')).toEqual([]);
  });

  it('names the line and what is wrong with it', () => {
    expect(() => parsePageRules('category=a priority=1\nsize=big priority=1')).toThrow('page rules, line 2: "size=big" is none of category=, url=, skills=, for=, priority=');
    expect(() => parsePageRules('skills=a:1')).toThrow('page rules, line 1: say which pages: category=… or url=… (or both)');
    expect(() => parsePageRules('category=a')).toThrow('page rules, line 1: say what such a call gets: skills=… or priority=… (or both)');
    expect(() => parsePageRules('category=a priority=1 for=10s')).toThrow('page rules, line 1: for= says how long skills= apply: give skills=… too');
    expect(() => parsePageRules('category=a skills=a:1 for=soon')).toThrow('page rules, line 1: for=soon is not a number of seconds like for=30s');
    expect(() => parsePageRules('category=a priority=high')).toThrow('page rules, line 1: priority=high is not a whole number like priority=5');
  });
});

describe('opening hours in the admin console', () => {
  it('reads rules of days and ranges, and writes them back joined', () => {
    const h = parseHours('mon-fri 09:00-17:00\nsat,sun 10:00-14:00; tue 18:00-20:00', 'Europe/Tallinn');
    expect(h).toEqual({
      timeZone: 'Europe/Tallinn',
      days: {
        mon: [{ from: '09:00', to: '17:00' }], tue: [{ from: '09:00', to: '17:00' }, { from: '18:00', to: '20:00' }], wed: [{ from: '09:00', to: '17:00' }],
        thu: [{ from: '09:00', to: '17:00' }], fri: [{ from: '09:00', to: '17:00' }], sat: [{ from: '10:00', to: '14:00' }], sun: [{ from: '10:00', to: '14:00' }],
      },
    });
    expect(formatHours(h)).toBe('mon 09:00-17:00\ntue 09:00-17:00 18:00-20:00\nwed-fri 09:00-17:00\nsat-sun 10:00-14:00');
    expect(parseHours(formatHours(h), 'Europe/Tallinn')).toEqual(h);
    expect(parseHours('  ', '')).toBeNull();
    const holidays = parseHours('mon-fri 09:00-17:00\nclosed 2026-12-24, 2026-12-25', 'UTC');
    expect(holidays?.closedDates).toEqual(['2026-12-24', '2026-12-25']);
    expect(formatHours(holidays)).toBe('mon-fri 09:00-17:00\nclosed 2026-12-24, 2026-12-25');
    expect(() => parseHours('closed 24.12.2026', 'UTC')).toThrow('opening hours, rule 1: "24.12.2026" is not a date YYYY-MM-DD');
    expect(formatHours(null)).toBe('');
  });

  it('names the rule and what is wrong with it', () => {
    expect(() => parseHours('mon-fri 09:00-17:00', '')).toThrow('opening hours: give their time zone (e.g. Europe/Tallinn)');
    expect(() => parseHours('mon-fri 09:00-17:00\nfunday 10:00-12:00', 'UTC')).toThrow('opening hours, rule 2: "funday" is not a day or days (mon … sun, mon-fri)');
    expect(() => parseHours('fri-mon 09:00-17:00', 'UTC')).toThrow(/"fri-mon" is not a day/);
    expect(() => parseHours('mon', 'UTC')).toThrow('opening hours, rule 1: give the hours, e.g. 09:00-17:00');
    expect(() => parseHours('mon 9-17', 'UTC')).toThrow('opening hours, rule 1: "9-17" is not a range HH:MM-HH:MM');
  });
});

describe('IVR menus in the admin console', () => {
  const targets: IvrTargets = { queues: [{ id: 3, name: 'sales' }, { id: 4, name: 'support' }], menus: [{ id: 7, name: 'main' }, { id: 8, name: 'main-et' }] };

  it('reads prompt texts, one language a line, and writes them back the same way', () => {
    const prompts = parsePrompts('en: For sales press 1.\n\n et :Müük: vajutage 1. \npt-BR: Para vendas, 1.', 'prompt');
    expect(prompts).toEqual({ en: 'For sales press 1.', et: 'Müük: vajutage 1.', 'pt-BR': 'Para vendas, 1.' });
    expect(formatPrompts(prompts)).toBe('en: For sales press 1.\net: Müük: vajutage 1.\npt-BR: Para vendas, 1.');
    expect(parsePrompts(formatPrompts(prompts), 'prompt')).toEqual(prompts);
    expect(parsePrompts(' \n', 'closed prompt')).toEqual({});
    // (a text the API holds with a line break is written on one line)
    expect(parsePrompts(formatPrompts({ en: 'Hello.\nGoodbye.' }), 'prompt')).toEqual({ en: 'Hello. Goodbye.' });
  });

  it('names the prompt line and what is wrong with it', () => {
    expect(() => parsePrompts('For sales press 1.', 'prompt')).toThrow('prompt, line 1: start with the language, e.g. "en: For sales press 1."');
    expect(() => parsePrompts('en: Hello.\nenglish: Hello.', 'prompt')).toThrow('prompt, line 2: "english" is not a language code like en or pt-BR');
    expect(() => parsePrompts('en: Hello.\net: Tere.\nen: Hi.', 'closed prompt')).toThrow('closed prompt, line 3: en is on line 1 too');
    expect(() => parsePrompts('en:', 'prompt')).toThrow('prompt, line 1: give the text to speak after "en:"');
  });

  it('reads actions with the names of queues and menus, and writes them back with names', () => {
    expect(parseAction('queue:support', targets, 'when closed')).toEqual({ type: 'queue', queueId: 4 });
    expect(parseAction(' menu:main-et ', targets, 'when closed')).toEqual({ type: 'menu', menuId: 8 });
    expect(parseAction('hangup', targets, 'when closed')).toEqual({ type: 'hangup' });
    expect(parseAction('voicemail:support', targets, 'when closed')).toEqual({ type: 'voicemail', queueId: 4 });
    expect(() => parseAction('voicemail:main', targets, 'when closed')).toThrow('when closed: there is no queue main');
    expect(formatAction({ type: 'voicemail', queueId: 4 }, targets)).toBe('voicemail:support');
    expect(parseAction('', targets, 'when closed')).toBeNull();
    expect(formatAction({ type: 'queue', queueId: 4 }, targets)).toBe('queue:support');
    expect(formatAction({ type: 'menu', menuId: 7 }, targets)).toBe('menu:main');
    expect(formatAction({ type: 'hangup' }, targets)).toBe('hangup');
    expect(formatAction(null, targets)).toBe('');
    // a queue or menu the console does not know (yet) is written as its id, and read back as that id
    expect(formatAction({ type: 'queue', queueId: 42 }, targets)).toBe('queue:#42');
    expect(parseAction('queue:#42', targets, 'x')).toEqual({ type: 'queue', queueId: 42 });
    expect(() => parseAction('queue:billing', targets, 'after the last attempt')).toThrow('after the last attempt: there is no queue billing');
    expect(() => parseAction('menu:sales', targets, 'when closed')).toThrow('when closed: there is no menu sales');
    expect(() => parseAction('voicemail', targets, 'when closed')).toThrow('when closed: "voicemail" is not an action (queue:<name>, menu:<name>, voicemail:<queue name> or hangup)');
  });

  it('reads options, one key a line, with the ids of the queues and menus they name, and writes them back the same way', () => {
    const text = '1 sales queue:sales\n\n2  in Estonian  lang:et menu:main-et\n* back to the start menu:main\n9 goodbye hangup\n# hangup';
    const options = parseOptions(text, targets);
    expect(options).toEqual([
      { digit: '1', label: 'sales', language: null, action: { type: 'queue', queueId: 3 } },
      { digit: '2', label: 'in Estonian', language: 'et', action: { type: 'menu', menuId: 8 } },
      { digit: '*', label: 'back to the start', language: null, action: { type: 'menu', menuId: 7 } },
      { digit: '9', label: 'goodbye', language: null, action: { type: 'hangup' } },
      { digit: '#', label: '', language: null, action: { type: 'hangup' } },
    ]);
    expect(formatOptions(options, targets)).toBe('1 sales queue:sales\n2 in Estonian lang:et menu:main-et\n* back to the start menu:main\n9 goodbye hangup\n# hangup');
    expect(parseOptions(formatOptions(options, targets), targets)).toEqual(options);
    expect(parseOptions('  ', targets)).toEqual([]);
  });

  it('names the option line and what is wrong with it', () => {
    expect(() => parseOptions('1 sales queue:sales\n\nsupport queue:support', targets)).toThrow(
      'options, line 3: start with the key (0-9, * or #), e.g. "1 sales queue:sales"',
    );
    expect(() => parseOptions('12 sales queue:sales', targets)).toThrow(/^options, line 1: start with the key/);
    expect(() => parseOptions('1 sales queue:sales\n1 support queue:support', targets)).toThrow('options, line 2: key 1 is on line 1 too');
    expect(() => parseOptions('1 sales queue:sales\n2', targets)).toThrow('options, line 2: say what key 2 does (queue:<name>, menu:<name>, voicemail:<queue name> or hangup), e.g. "2 sales queue:sales"');
    expect(() => parseOptions('1 sales queue:sales\n2 support queue:billing', targets)).toThrow('options, line 2: there is no queue billing');
    expect(() => parseOptions('1 sales menu:sales', targets)).toThrow('options, line 1: there is no menu sales');
    expect(() => parseOptions('1 sales sales', targets)).toThrow('options, line 1: "sales" is not an action (queue:<name>, menu:<name>, voicemail:<queue name> or hangup)');
    expect(() => parseOptions('1 Estonian lang:et', targets)).toThrow('options, line 1: "lang:et" is not an action (queue:<name>, menu:<name>, voicemail:<queue name> or hangup)');
    expect(() => parseOptions('2 Estonian lang:estonian menu:main', targets)).toThrow('options, line 1: "lang:estonian" is not lang: and a language code like en or pt-BR');
    expect(() => parseOptions('2 Estonian lang:et lang:en menu:main', targets)).toThrow('options, line 1: give lang: once');
  });
});
