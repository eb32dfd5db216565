// The caller's history on the agent page (agent/caller-history.ts): reading the server's answer and the text of its lines, in Node.
import { describe, expect, it } from 'vitest';
import { type PreviousCall, dayAndTime, noteLine, parseCallerHistory, previousCallText } from '../../web-softphone/agent/caller-history.ts';

const now = new Date(2026, 11, 7, 9, 0);
const call = (c: Partial<PreviousCall>): PreviousCall => ({
  id: 'c1', at: new Date(2026, 11, 5, 10, 0).toISOString(), queue: null, agent: null, disposition: null, endReason: null, talkSeconds: null, surveyScore: null, notes: [], ...c,
});

describe("the caller's history on the agent page", () => {
  it('tells an earlier call in one line: day and time, queue, agent, disposition, talk time, rating, then its notes', () => {
    const full = call({ queue: 'support', agent: 'Bob Berg', disposition: 'Complaint', endReason: 'caller-hangup', talkSeconds: 95, surveyScore: 2, notes: ['promised a call back'] });
    expect(previousCallText(full, now)).toBe('5 Dec 10:00 · support · Bob Berg · Complaint · 1:35 · rated 2/5 — promised a call back');
    expect(previousCallText({ ...full, notes: ['promised a call back', 'sent the form'] }, now)).toBe(
      '5 Dec 10:00 · support · Bob Berg · Complaint · 1:35 · rated 2/5 — promised a call back; sent the form',
    );
    // what the server does not know is left out
    expect(previousCallText(call({ queue: 'sales', talkSeconds: 61.6 }), now)).toBe('5 Dec 10:00 · sales · 1:02');
    // nobody talked on it: how it ended instead
    expect(previousCallText(call({ queue: 'sales', endReason: 'abandon' }), now)).toBe('5 Dec 10:00 · sales · abandoned');
    expect(previousCallText(call({ endReason: 'ivr-caller-left' }), now)).toBe('5 Dec 10:00 · ivr caller left');
  });

  it("shows times in the browser's time zone, with the year only when it is not this one", () => {
    expect(dayAndTime(new Date(2026, 0, 9, 7, 5).toISOString(), now)).toBe('9 Jan 07:05');
    expect(dayAndTime(new Date(2025, 11, 31, 23, 59).toISOString(), now)).toBe('31 Dec 2025 23:59');
    expect(dayAndTime('not a time', now)).toBe('not a time');
  });

  it('names who wrote a note on the call', () => {
    expect(noteLine({ agentId: 12, agent: 'Anna Tamm', text: 'wants a refund for order 123', at: '2026-12-07T06:01:02.000Z' })).toBe('Anna Tamm: wants a refund for order 123');
    expect(noteLine({ agentId: 12, agent: '', text: 'x', at: '' })).toBe('agent 12: x');
  });

  it("reads the server's answer, with null for what it does not know, and refuses one without the lists", () => {
    const history = parseCallerHistory({
      notes: [{ agentId: 12, agent: 'Anna Tamm', text: 'wants a refund', at: '2026-12-07T06:01:02.000Z' }, { agentId: 3, agent: 'X', text: '' }, null],
      previousCalls: [
        { id: 'a', at: '2026-12-05T10:00:00.000Z', queue: 'support', agent: null, disposition: null, endReason: 'caller-hangup', talkSeconds: 95, surveyScore: null, notes: ['one', '', 7] },
        { at: '2026-12-04T10:00:00.000Z' },
      ],
    });
    expect(history).toEqual({
      notes: [{ agentId: 12, agent: 'Anna Tamm', text: 'wants a refund', at: '2026-12-07T06:01:02.000Z' }],
      previousCalls: [
        { id: 'a', at: '2026-12-05T10:00:00.000Z', queue: 'support', agent: null, disposition: null, endReason: 'caller-hangup', talkSeconds: 95, surveyScore: null, notes: ['one'] },
      ],
    });
    expect(parseCallerHistory({ notes: [], previousCalls: [] })).toEqual({ notes: [], previousCalls: [] });
    expect(() => parseCallerHistory({ notes: [] })).toThrow(/previousCalls/);
    expect(() => parseCallerHistory(null)).toThrow(/previousCalls/);
  });
});
