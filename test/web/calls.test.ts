// The wall-board's Calls section: its pure parts (the list's URL and paging, the text of records and events), in Node.
import { describe, expect, it } from 'vitest';
import { callerName } from '../../web-softphone/supervisor/board.ts';
import {
  type CallEvent, CALLS_PAGE_SIZE, callNames, callerText, callsUrl, countText, eventText, ivrPathText, namesKey, noteText, noteTime, outcomeText, pageMoves,
  pageOf, ratingText, secondsText, timeOfDay,
} from '../../web-softphone/supervisor/calls.ts';

const names = callNames({
  queues: [{ id: 1, name: 'support' }, { id: 2, name: 'sales' }] as never,
  agents: [{ id: 7, name: 'Anna Tamm' }, { id: 8, name: 'Bea Org' }] as never,
});
const event = (e: Partial<CallEvent> & { event: string }): CallEvent => ({ at: '2026-03-01T10:00:00.000Z', queueId: 1, agentId: null, data: {}, ...e });

describe('the calls list', () => {
  it('asks for 25 calls a page, newest first, with only the filters set', () => {
    expect(CALLS_PAGE_SIZE).toBe(25);
    expect(callsUrl({ queueId: null, agentId: null, disposition: '' }, 0)).toBe('/api/calls?limit=25&offset=0');
    expect(callsUrl({ queueId: 2, agentId: 7, disposition: ' Follow up & call ' }, 50)).toBe('/api/calls?limit=25&offset=50&queueId=2&agentId=7&disposition=Follow+up+%26+call');
    expect(callsUrl({ queueId: null, agentId: null, disposition: '   ' }, 25)).toBe('/api/calls?limit=25&offset=25');
  });

  it('counts the calls, or says which of them the page holds', () => {
    expect(countText(0, 0, 0)).toBe('0 calls');
    expect(countText(1, 0, 1)).toBe('1 call');
    expect(countText(25, 0, 25)).toBe('25 calls');
    expect(countText(26, 0, 25)).toBe('1–25 of 26');
    expect(countText(300, 40, 25)).toBe('41–65 of 300');
    expect(countText(26, 25, 1)).toBe('26–26 of 26');
    expect(countText(20, 25, 0)).toBe('none from 26 of 20'); // (calls deleted since)
  });

  it('pages by 25: Newer back towards the first page, Older while there are more', () => {
    expect(pageMoves(0, 0)).toEqual({ newer: null, older: null });
    expect(pageMoves(25, 0)).toEqual({ newer: null, older: null });
    expect(pageMoves(26, 0)).toEqual({ newer: null, older: 25 });
    expect(pageMoves(26, 25)).toEqual({ newer: 0, older: null });
    expect(pageMoves(300, 40)).toEqual({ newer: 15, older: 65 });
    expect(pageMoves(300, 275)).toEqual({ newer: 250, older: null });
    expect(pageMoves(300, 250)).toEqual({ newer: 225, older: 275 });
    expect(pageMoves(30, 50)).toEqual({ newer: 5, older: null }); // a page past the end: Newer shows the last calls
    expect(pageMoves(10, 4, 3)).toEqual({ newer: 1, older: 7 });
    // every call is on exactly one page walking Older from the first
    const seen: number[] = [];
    for (let offset: number | null = 0; offset !== null; offset = pageMoves(61, offset).older) {
      for (let i = offset; i < Math.min(61, offset + CALLS_PAGE_SIZE); i++) seen.push(i);
    }
    expect(seen).toEqual(Array.from({ length: 61 }, (_, i) => i));
  });

  it('names queues and agents from the board, and ids it does not know as ids', () => {
    expect([names.queue(1), names.queue(9), names.queue(null)]).toEqual(['support', 'queue 9', '–']);
    expect([names.agent(8), names.agent(3), names.agent(null)]).toEqual(['Bea Org', 'agent 3', '–']);
    expect(callNames(null).queue(1)).toBe('queue 1');
    const board = { queues: [{ id: 1, name: 'support' }], agents: [{ id: 7, name: 'Anna Tamm' }] } as never;
    const renamed = { queues: [{ id: 1, name: 'help' }], agents: [{ id: 7, name: 'Anna Tamm' }] } as never;
    expect(namesKey(board)).toBe(namesKey(structuredClone(board)));
    expect(namesKey(board)).not.toBe(namesKey(renamed));
  });

  it('shows a phone caller by number and a browser caller as "browser"', () => {
    expect(callerText({ caller: 'sip:1602@e2e.callflow', channel: 'sip' })).toBe('1602');
    expect(callerText({ caller: 'sips:+3725551234@pbx.example.com;user=phone', channel: 'sip' })).toBe('+3725551234');
    expect(callerText({ caller: 'web', channel: 'webrtc' })).toBe('browser');
    expect(callerText({ caller: 'customer-42', channel: 'webrtc' })).toBe('browser');
    expect(callerText({ caller: '+3725551234', channel: 'callback' })).toBe('+3725551234');
    expect(callerName('web')).toBe('browser');
  });

  it('says how a call ended, keeps reasons it does not know, and where a call in progress is', () => {
    const ended = (endReason: string) => outcomeText({ state: 'ended', endReason });
    expect(ended('caller-hangup')).toBe('caller hung up');
    expect(ended('agent-hangup')).toBe('agent hung up');
    expect(ended('abandon')).toBe('abandoned');
    expect(ended('voicemail')).toBe('voicemail');
    expect(ended('overflow-hangup')).toBe('overflow: hung up');
    expect(ended('overflow-voicemail-failed')).toBe('overflow: voicemail failed');
    expect(ended('ivr-caller-left')).toBe('left the IVR');
    expect(ended('callback-failed')).toBe('callback failed');
    expect(ended('something-new')).toBe('something-new');
    expect(outcomeText({ state: 'connected', endReason: null })).toBe('talking');
    expect(outcomeText({ state: 'queued', endReason: null })).toBe('waiting');
    expect(outcomeText({ state: 'callback', endReason: null })).toBe('callback pending');
    expect(outcomeText({ state: 'limbo', endReason: null })).toBe('limbo');
    expect([secondsText(null), secondsText(3.4), secondsText(3.6), secondsText(0)]).toEqual(['–', '3', '4', '0']);
  });

  it("shows the caller's rating of a call as n/5, and nothing for a call without one", () => {
    expect(ratingText({ surveyScore: 4 })).toBe('4/5');
    expect(ratingText({ surveyScore: 1 })).toBe('1/5');
    expect(ratingText({ surveyScore: null })).toBe('');
    expect(ratingText({})).toBe(''); // (an older server)
  });
});

describe('a call\'s detail', () => {
  it('tells each queue event in words, naming the queue and the agent', () => {
    const text = (e: Partial<CallEvent> & { event: string }) => eventText(event(e), names);
    expect(text({ event: 'ENTERQUEUE', data: { language: 'en', channel: 'sip' } })).toBe('entered the queue support');
    expect(text({ event: 'ENTERQUEUE', data: { channel: 'callback' } })).toBe('entered the queue support (callback)');
    expect(text({ event: 'ENTERQUEUE', queueId: 2, data: { transferredFrom: 1 } })).toBe('transferred into the queue sales from support');
    expect(text({ event: 'OFFER', agentId: 7, data: { devices: ['sip:1601@127.0.0.1'] } })).toBe('offered to Anna Tamm');
    expect(text({ event: 'RINGNOANSWER', agentId: 7, data: { reason: 'timeout' } })).toBe('Anna Tamm did not answer (rang out)');
    expect(text({ event: 'RINGNOANSWER', agentId: 7, data: { status: 486, reason: 'Busy Here' } })).toBe('Anna Tamm did not answer (486 Busy Here)');
    expect(text({ event: 'CONNECT', agentId: 7, data: { waited: 4.4 } })).toBe('answered by Anna Tamm after 4 s');
    expect(text({ event: 'HOLD', agentId: 7 })).toBe('put on hold by Anna Tamm');
    expect(text({ event: 'UNHOLD', agentId: 7 })).toBe('taken off hold by Anna Tamm');
    expect(text({ event: 'TRANSFER', agentId: 7, data: { to: 'sales', toQueueId: 2, talk: 30.2 } })).toBe('transferred by Anna Tamm to sales after 30 s');
    expect(text({ event: 'COMPLETECALLER', agentId: 7, data: { talk: 61.5, how: 'bye' } })).toBe('caller hung up on Anna Tamm after 62 s');
    expect(text({ event: 'COMPLETEAGENT', agentId: 8, data: { talk: 12, how: 'desktop' } })).toBe('Bea Org hung up after 12 s (from the agent page)');
    expect(text({ event: 'COMPLETECALLER', agentId: 8, data: { talk: 5, how: 'media-lost' } })).toBe('caller hung up on Bea Org after 5 s (audio lost)');
    expect(text({ event: 'ABANDON', data: { waited: 9.7, position: 2 } })).toBe('caller hung up while waiting after 10 s (position 2)');
    expect(text({ event: 'ABANDON', data: { waited: 1, position: null } })).toBe('caller hung up while waiting after 1 s');
    expect(text({ event: 'EXITWITHTIMEOUT', data: { action: 'voicemail' } })).toBe('waited too long: voicemail');
    expect(text({ event: 'OVERFLOW', data: { to: '2' } })).toBe('overflowed to sales');
    expect(text({ event: 'CALLBACKREQUESTED', data: { waited: 20, position: 3 } })).toBe('asked to be called back after 20 s');
    expect(text({ event: 'CALLBACKATTEMPT', agentId: 7, data: { attempt: 2, answered: false, status: 486, reason: 'Busy Here' } })).toBe('callback 2 by Anna Tamm: not answered (486 Busy Here)');
    expect(text({ event: 'CALLBACKATTEMPT', agentId: 7, data: { attempt: 1, answered: true } })).toBe('callback 1 by Anna Tamm: answered');
    expect(text({ event: 'CALLBACKFAILED', data: { attempts: 3 } })).toBe('callback given up after 3 attempts');
    expect(text({ event: 'CALLBACKCANCELLED', data: { by: 'sue', attempts: 0 } })).toBe('callback cancelled by sue');
    const at = '2026-03-02T09:30:00.000Z';
    expect(text({ event: 'CALLBACKRESCHEDULED', data: { scheduledFor: at, by: 'anna' } })).toBe(`callback moved to ${new Date(at).toLocaleString()} by anna`);
    expect(text({ event: 'CALLBACKRESCHEDULED', data: { scheduledFor: null, agentId: 8, by: 'sue' } })).toBe('callback handed to Bea Org by sue');
    expect(text({ event: 'CALLBACKRESCHEDULED', data: { scheduledFor: at, agentId: null, by: 'sue' } })).toBe(`callback moved to ${new Date(at).toLocaleString()}, for anyone by sue`);
    expect(text({ event: 'VOICEMAIL', data: { voicemailId: 4, seconds: 7.2 } })).toBe('left a voicemail of 7 s');
    expect(text({ event: 'LISTEN', agentId: 7, data: { userId: 3, login: 'sue' } })).toBe('sue listened in');
    expect(text({ event: 'COACH', agentId: 7, data: { userId: 3, login: 'sue' } })).toBe('sue coached Anna Tamm');
    expect(text({ event: 'BARGE', agentId: 7, data: { userId: 3, login: 'sue' } })).toBe('sue joined the call');
    expect(text({ event: 'DISPOSITION', agentId: 7, data: { disposition: 'Sale' } })).toBe('Anna Tamm filed it as Sale');
    expect(text({ event: 'LINK', agentId: 7, data: { url: 'https://shop.example/x', title: null, customerConnected: true } })).toBe('Anna Tamm sent a link: https://shop.example/x');
    expect(text({ event: 'LINK', agentId: 7, data: { url: 'https://shop.example/x', title: 'Tents', customerConnected: false } })).toBe('Anna Tamm sent a link: Tents (the customer was gone)');
    expect(text({ event: 'WRAPUPEND', agentId: 7, data: { to: 'ready', wrapUp: 14.9 } })).toBe('Anna Tamm finished wrap-up after 15 s');
    expect(text({ event: 'SURVEY', agentId: 7, data: { score: 4 } })).toBe('the caller rated the call with Anna Tamm 4 of 5');
    expect(text({ event: 'SURVEY', data: { score: 1 } })).toBe('the caller rated the call 1 of 5');
    // an agent or queue deleted since: its id
    expect(text({ event: 'OFFER', agentId: 99 })).toBe('offered to agent 99');
  });

  it('shows events it does not know by name, with their plain data', () => {
    expect(eventText(event({ event: 'EXITWITHKEY' }), names)).toBe('EXITWITHKEY');
    expect(eventText(event({ event: 'SOMETHINGNEW', data: { key: '1', n: 2, nested: { a: 1 }, none: null } }), names)).toBe('SOMETHINGNEW (key: 1, n: 2)');
  });

  it('shows event times as HH:MM:SS in the browser\'s time zone', () => {
    expect(timeOfDay(new Date(2026, 2, 1, 9, 5, 7).toISOString())).toBe('09:05:07');
    expect(timeOfDay(new Date(2026, 2, 1, 23, 59, 0, 900).toISOString())).toBe('23:59:00');
  });

  it('reads the caller\'s page and IVR path from the context, when it has them', () => {
    expect(pageOf({ page: { url: 'https://shop.example/tents', title: 'Tents' }, history: [] })).toEqual({ url: 'https://shop.example/tents', title: 'Tents' });
    expect(pageOf({ page: { url: 'https://shop.example/' } })).toEqual({ url: 'https://shop.example/', title: '' });
    expect(pageOf({ page: null })).toBeNull();
    expect(pageOf({ page: { title: 'no url' } })).toBeNull();
    expect(pageOf({})).toBeNull();
    expect(ivrPathText({ ivr: ['main', 'billing'] })).toBe('main › billing');
    expect(ivrPathText({ ivr: [] })).toBeNull();
    expect(ivrPathText({ page: null })).toBeNull();
  });

  it('names who wrote each note on the call, and says when: the time on the day of the call, else the day too', () => {
    expect(noteText({ agentId: 12, agent: 'Anna Tamm', text: 'wants a refund for order 123', at: '2026-03-01T10:00:00.000Z' }, names)).toBe('Anna Tamm: wants a refund for order 123');
    // (no name from the server: the board's, or the id)
    expect(noteText({ agentId: 7, agent: null, text: 'x', at: '' }, names)).toBe('Anna Tamm: x');
    expect(noteText({ agentId: 99, agent: null, text: 'x', at: '' }, names)).toBe('agent 99: x');
    const created = new Date(2026, 2, 1, 9, 0).toISOString();
    expect(noteTime(new Date(2026, 2, 1, 9, 12, 5).toISOString(), created)).toBe('09:12:05');
    const nextDay = new Date(2026, 2, 2, 8, 0);
    expect(noteTime(nextDay.toISOString(), created)).toBe(nextDay.toLocaleString());
  });
});
