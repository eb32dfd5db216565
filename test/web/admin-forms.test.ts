import { describe, expect, it } from 'vitest';
import { formatLevels, parseCount, parseLevels, parseList } from '../../web-softphone/admin/forms.ts';

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
