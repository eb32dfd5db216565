import { describe, expect, it } from 'vitest';
import { type OpeningHours, closedNow, isOpenAt, nextOpening, openingHoursProblem, queueNextOpening, queueOpenAt } from '../../server/calls/opening-hours.ts';

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
    const q = (openingHours: OpeningHours | null, closedUntil: Date | null = null) => ({ openingHours, closedUntil });
    expect(closedNow(q(tallinn), new Date('2026-12-08T10:30:00Z'))).toBe('Sorry, we are closed. We open again Tue 13:10 (Europe/Tallinn).');
    expect(closedNow(q(tallinn), new Date('2026-12-07T08:00:00Z'))).toBeNull();
    expect(closedNow(q(null), new Date())).toBeNull();
    expect(closedNow(q({ timeZone: 'UTC', days: {} }), new Date())).toBe('Sorry, we are closed.');
  });

  it("a supervisor's closing until a time comes first; then the hours decide", () => {
    const q = (openingHours: OpeningHours | null, closedUntil: Date | null) => ({ openingHours, closedUntil });
    const monday = new Date('2026-12-07T08:00:00Z'); // open by the hours (Monday 10:00 in Tallinn)
    expect(queueOpenAt(q(tallinn, null), monday)).toBe(true);
    // closed until 08:30 UTC: closed now, open again then
    const until = new Date('2026-12-07T08:30:00Z');
    expect(queueOpenAt(q(tallinn, until), monday)).toBe(false);
    expect(queueNextOpening(q(tallinn, until), monday)?.toISOString()).toBe('2026-12-07T08:30:00.000Z');
    expect(closedNow(q(tallinn, until), monday)).toBe('Sorry, we are closed. We open again Mon 10:30 (Europe/Tallinn).');
    expect(queueOpenAt(q(tallinn, until), until)).toBe(true); // (from that instant)
    // closed until a time the hours are closed at: the next opening after it
    const evening = new Date('2026-12-08T15:00:00Z'); // Tuesday 17:00 in Tallinn, after hours
    expect(queueNextOpening(q(tallinn, evening), monday)?.toISOString()).toBe('2026-12-12T08:00:00.000Z');
    // a queue without hours, closed until a time; a time past changes nothing
    expect(queueOpenAt(q(null, until), monday)).toBe(false);
    expect(queueNextOpening(q(null, until), monday)?.toISOString()).toBe(until.toISOString());
    expect(queueOpenAt(q(null, new Date('2026-12-01T00:00:00Z')), monday)).toBe(true);
  });

  it('name what is wrong with them', () => {
    expect(openingHoursProblem(tallinn, 'body.openingHours')).toBeNull();
    expect(openingHoursProblem({ timeZone: 'Mars/Base', days: {} }, 'body.openingHours')).toBe('body.openingHours.timeZone: unknown time zone "Mars/Base"');
    expect(openingHoursProblem({ timeZone: 'UTC', days: { mon: [{ from: '9:00', to: '17:00' }] } }, 'h')).toBe('h.days.mon[0]: "9:00" is not a time HH:MM');
    expect(openingHoursProblem({ timeZone: 'UTC', days: { mon: [{ from: '17:00', to: '09:00' }] } }, 'h')).toBe('h.days.mon[0]: from must be before to');
    expect(openingHoursProblem({ timeZone: 'UTC', days: { xyz: [] } as never }, 'h')).toBe('h.days.xyz: not a day (mon … sun)');
  });
});
