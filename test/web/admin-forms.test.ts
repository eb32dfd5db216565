import { describe, expect, it } from 'vitest';
import { formatLevels, formatSteps, parseCount, parseLevels, parseList, parseSteps } from '../../web-softphone/admin/forms.ts';

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
