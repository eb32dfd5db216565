import { describe, expect, it } from 'vitest';
import { formatHours, formatLevels, formatSteps, parseCount, parseHours, parseLevels, parseList, parseSteps } from '../../web-softphone/admin/forms.ts';

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
