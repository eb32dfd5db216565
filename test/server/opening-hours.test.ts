import { describe, expect, it } from 'vitest';
import { type OpeningHours, closedNow, isOpenAt, nextOpening, openingHoursProblem } from '../../server/calls/opening-hours.ts';

const tallinn: OpeningHours = {
  timeZone: 'Europe/Tallinn',
  days: { mon: [{ from: '09:00', to: '17:00' }], tue: [{ from: '09:00', to: '12:00' }, { from: '13:10', to: '17:00' }], sat: [{ from: '10:00', to: '24:00' }] },
};

describe('opening hours', () => {
  it('are open inside a range of the local day, in the queue\'s time zone', () => {
    // Monday 7 December 2026, winter: Tallinn is UTC+2
    expect(isOpenAt(tallinn, new Date('2026-12-07T07:00:00Z'))).toBe(true); // 09:00 local
    expect(isOpenAt(tallinn, new Date('2026-12-07T06:59:00Z'))).toBe(false); // 08:59
    expect(isOpenAt(tallinn, new Date('2026-12-07T15:00:00Z'))).toBe(false); // 17:00: the end is not in
    expect(isOpenAt(tallinn, new Date('2026-12-08T10:30:00Z'))).toBe(false); // Tuesday 12:30, the lunch break
    expect(isOpenAt(tallinn, new Date('2026-12-12T21:59:00Z'))).toBe(true); // Saturday 23:59
    expect(isOpenAt(tallinn, new Date('2026-12-13T10:00:00Z'))).toBe(false); // Sunday: no ranges
    expect(isOpenAt(null, new Date())).toBe(true);
    // summer time: Monday 6 July 2026, UTC+3
    expect(isOpenAt(tallinn, new Date('2026-07-06T06:00:00Z'))).toBe(true);
  });

  it('are closed all day on a closed date (a holiday), local to the time zone', () => {
    const holidays: OpeningHours = { ...tallinn, closedDates: ['2026-12-07'] };
    expect(isOpenAt(holidays, new Date('2026-12-07T07:00:00Z'))).toBe(false); // Monday 09:00, a holiday
    expect(isOpenAt(holidays, new Date('2026-12-08T07:00:00Z'))).toBe(true); // Tuesday 09:00
    // Monday 08:00 local: the next opening skips the holiday to Tuesday 09:00
    expect(nextOpening(holidays, new Date('2026-12-07T06:00:00Z'))?.toISOString()).toBe('2026-12-08T07:00:00.000Z');
    expect(openingHoursProblem({ ...holidays, closedDates: ['2026-02-30'] }, 'h')).toBe('h.closedDates[0]: "2026-02-30" is not a date YYYY-MM-DD');
  });

  it('say when they open next, to the minute', () => {
    expect(nextOpening(tallinn, new Date('2026-12-08T10:30:00Z'))?.toISOString()).toBe('2026-12-08T11:10:00.000Z'); // Tuesday 13:10
    expect(nextOpening(tallinn, new Date('2026-12-08T15:00:00Z'))?.toISOString()).toBe('2026-12-12T08:00:00.000Z'); // Saturday 10:00
    expect(nextOpening(tallinn, new Date('2026-12-07T08:00:00Z'))?.toISOString()).toBe('2026-12-07T08:00:00.000Z'); // open now
    expect(nextOpening({ timeZone: 'UTC', days: {} }, new Date())).toBeNull();
    // what a caller is told
    expect(closedNow(tallinn, new Date('2026-12-08T10:30:00Z'))).toBe('Sorry, we are closed. We open again Tue 13:10 (Europe/Tallinn).');
    expect(closedNow(tallinn, new Date('2026-12-07T08:00:00Z'))).toBeNull();
    expect(closedNow(null, new Date())).toBeNull();
    expect(closedNow({ timeZone: 'UTC', days: {} }, new Date())).toBe('Sorry, we are closed.');
  });

  it('name what is wrong with them', () => {
    expect(openingHoursProblem(tallinn, 'body.openingHours')).toBeNull();
    expect(openingHoursProblem({ timeZone: 'Mars/Base', days: {} }, 'body.openingHours')).toBe('body.openingHours.timeZone: unknown time zone "Mars/Base"');
    expect(openingHoursProblem({ timeZone: 'UTC', days: { mon: [{ from: '9:00', to: '17:00' }] } }, 'h')).toBe('h.days.mon[0]: "9:00" is not a time HH:MM');
    expect(openingHoursProblem({ timeZone: 'UTC', days: { mon: [{ from: '17:00', to: '09:00' }] } }, 'h')).toBe('h.days.mon[0]: from must be before to');
    expect(openingHoursProblem({ timeZone: 'UTC', days: { xyz: [] } as never }, 'h')).toBe('h.days.xyz: not a day (mon … sun)');
  });
});
