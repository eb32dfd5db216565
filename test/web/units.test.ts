// The browser apps' pure parts, run in Node (no DOM needed).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { callerText, parseServerMessage } from '../../web-softphone/agent/agent-messages.ts';
import { AGENT_CALL_TRANSITIONS, canTransitionCall } from '../../web-softphone/agent/agent-call-state.ts';
import { agentSocketUrl } from '../../web-softphone/agent/agent-socket.ts';
import {
  checkNumber, dialNoteCallId, dialStatusText, dialTarget, endReasonText, parseOutboundSettings, prefixesText, talkClock,
} from '../../web-softphone/agent/dial-out.ts';
import { DIAL_TRANSITIONS, canTransitionDial } from '../../web-softphone/agent/dial-out-state.ts';
import { normalizeNumber } from '../../web-softphone/shared/phone-number.ts';
import {
  type MyCallbackList, type MyCallbacksSnapshot, MyCallbacks, attemptsText, callbackDueText, callbackRowText, localWhen, moveAt, movable, myCallbacksModel,
  parseMyCallbacks,
} from '../../web-softphone/agent/my-callbacks.ts';
import { clock, toEpochMs, waitMinutes } from '../../web-softphone/shared/format.ts';
import { localInputToIso, localInputValue } from '../../web-softphone/shared/local-time.ts';
import { CALL_TRANSITIONS, canTransition, isLive } from '../../web-softphone/widget/call-state.ts';
import { readWidgetConfig } from '../../web-softphone/widget/config.ts';
import { parseCustomerEvent } from '../../web-softphone/widget/events-socket.ts';
import { messagesFor } from '../../web-softphone/widget/i18n.ts';
import { HISTORY_KEY, readHistory, recordVisit } from '../../web-softphone/widget/page-history.ts';

/** A Map-backed Storage (Node has no localStorage), with a switch to make it refuse writes. */
function memoryStorage(): Storage & { refuse: boolean } {
  const map = new Map<string, string>();
  return {
    refuse: false,
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem(k, v) {
      if (this.refuse) throw new Error('QuotaExceededError');
      map.set(k, v);
    },
  };
}

describe('widget configuration', () => {
  const src = 'https://calls.example.com:8443/widget.js?v=3';

  it('takes the API base from the script src and the languages from the data attributes', () => {
    const c = readWidgetConfig({ src, documentLanguage: 'et', dataset: { queue: 'support', language: 'ru', languages: 'en, et,RU,et', customerId: 'c-1', category: 'tents' } });
    expect(c).toEqual({ apiBase: 'https://calls.example.com:8443', queue: 'support', language: 'ru', languages: ['en', 'et', 'ru'], customerId: 'c-1', category: 'tents' });
  });

  it('falls back to the page language, then English, and always offers the default', () => {
    expect(readWidgetConfig({ src, documentLanguage: 'de-AT', dataset: { queue: 'q', languages: 'en,et' } })).toMatchObject({ language: 'de', languages: ['de', 'en', 'et'] });
    expect(readWidgetConfig({ src, documentLanguage: '', dataset: { queue: 'q' } })).toMatchObject({ language: 'en', languages: ['en'] });
  });

  it('refuses an embedding without data-queue or data-menu, naming the attributes', () => {
    expect(() => readWidgetConfig({ src, documentLanguage: 'en', dataset: {} })).toThrow(/data-queue \(or a data-menu\)/);
    expect(() => readWidgetConfig({ src, documentLanguage: 'en', dataset: { queue: '  ' } })).toThrow(/data-queue/);
  });

  it('takes an IVR menu to show as buttons instead of a queue', () => {
    expect(readWidgetConfig({ src, documentLanguage: 'en', dataset: { menu: ' welcome ' } })).toEqual({ apiBase: 'https://calls.example.com:8443', queue: '', menu: 'welcome', language: 'en', languages: ['en'] });
  });
});

describe('page history', () => {
  it('keeps the last ten visits and refreshes a reloaded page instead of repeating it', () => {
    const storage = memoryStorage();
    for (let i = 1; i <= 11; i++) recordVisit(storage, { url: `/p${i}`, title: `P${i}`, at: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` });
    const list = recordVisit(storage, { url: '/p11', title: 'P11 again', at: '2026-01-01T00:01:00Z' });
    expect(list.map((p) => p.url)).toEqual(['/p2', '/p3', '/p4', '/p5', '/p6', '/p7', '/p8', '/p9', '/p10', '/p11']);
    expect(list[9]).toEqual({ url: '/p11', title: 'P11 again', at: '2026-01-01T00:01:00Z' });
    expect(readHistory(storage)).toEqual(list);
  });

  it('ignores storage that refuses writes or holds garbage', () => {
    const storage = memoryStorage();
    storage.setItem(HISTORY_KEY, '{not json');
    expect(readHistory(storage)).toEqual([]);
    storage.setItem(HISTORY_KEY, JSON.stringify([{ url: '/ok', title: 'ok', at: 'x' }, { url: 3 }]));
    expect(readHistory(storage)).toEqual([{ url: '/ok', title: 'ok', at: 'x' }]);
    storage.refuse = true;
    expect(recordVisit(storage, { url: '/new', title: 'new', at: 'y' }).map((p) => p.url)).toEqual(['/ok', '/new']);
    expect(recordVisit(undefined, { url: '/only', title: 'only', at: 'z' })).toEqual([{ url: '/only', title: 'only', at: 'z' }]);
  });
});

describe('customer events', () => {
  it('accepts the protocol messages, with a missing wait estimate as null', () => {
    expect(parseCustomerEvent('{"type":"queued","position":2,"ewtSeconds":150}')).toEqual({ type: 'queued', position: 2, ewtSeconds: 150 });
    expect(parseCustomerEvent('{"type":"position","position":1,"ewtSeconds":null}')).toEqual({ type: 'position', position: 1, ewtSeconds: null });
    expect(parseCustomerEvent('{"type":"connected","agentName":"Mari"}')).toEqual({ type: 'connected', agentName: 'Mari' });
    expect(parseCustomerEvent('{"type":"ended","reason":"caller-hangup"}')).toEqual({ type: 'ended', reason: 'caller-hangup' });
    expect(parseCustomerEvent('{"type":"hold","held":true}')).toEqual({ type: 'hold', held: true });
    expect(parseCustomerEvent('{"type":"voicemail"}')).toEqual({ type: 'voicemail' });
  });

  it('drops what is not the protocol', () => {
    expect(parseCustomerEvent('nope')).toBeUndefined();
    expect(parseCustomerEvent('{"type":"queued"}')).toBeUndefined();
    expect(parseCustomerEvent('{"type":"teleport"}')).toBeUndefined();
  });

  it('reads a link from the agent: an absolute http(s) URL, its title trimmed or null', () => {
    expect(parseCustomerEvent('{"type":"link","url":"https://shop.example/manual.pdf","title":" Tent manual "}')).toEqual({
      type: 'link', url: 'https://shop.example/manual.pdf', title: 'Tent manual',
    });
    expect(parseCustomerEvent('{"type":"link","url":"http://shop.example"}')).toEqual({ type: 'link', url: 'http://shop.example/', title: null });
    expect(parseCustomerEvent('{"type":"link","url":"HTTPS://Shop.Example/a?b=1#c","title":""}')).toEqual({ type: 'link', url: 'https://shop.example/a?b=1#c', title: null });
    expect(parseCustomerEvent('{"type":"link","url":"https://shop.example/","title":7}')).toMatchObject({ title: null });
    expect((parseCustomerEvent(JSON.stringify({ type: 'link', url: 'https://shop.example/', title: 'x'.repeat(300) })) as { title: string }).title).toHaveLength(200);
  });

  it('drops a link that is not an absolute http(s) URL, whatever the server sent', () => {
    for (const url of [
      'javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x',
      'file:///etc/passwd', '/relative/path', '//shop.example/x', 'shop.example', 'http:shop.example', 'https://', 'not a url', '',
      `https://shop.example/${'a'.repeat(2000)}`,
    ]) {
      expect(parseCustomerEvent(JSON.stringify({ type: 'link', url, title: 'Open me' })), url).toBeUndefined();
    }
    expect(parseCustomerEvent('{"type":"link","title":"no url"}')).toBeUndefined();
    expect(parseCustomerEvent('{"type":"link","url":{"href":"https://shop.example/"}}')).toBeUndefined();
  });

  it('words the place in line and the wait as the customer reads them', () => {
    const en = messagesFor('en');
    expect(`${en.position(2)} · ${en.ewt(150)}`).toBe('You are number 2 in line · about 3 min');
    expect(en.ewt(59)).toBe('less than a minute');
    expect(messagesFor('xx').start).toBe('Start call');
    expect(messagesFor('hu').start).toBe('Hívás indítása');
  });

  it('says in every language of the widget that the agent sent a link, and what opens it', () => {
    for (const language of ['en', 'et', 'ru', 'fi', 'de', 'hu']) {
      const m = messagesFor(language);
      expect(m.linkSent('Tent manual'), language).toContain('Tent manual');
      expect(m.openLink, language).not.toBe('');
      if (language !== 'en') expect([m.linkSent('x'), m.openLink], language).not.toEqual([messagesFor('en').linkSent('x'), 'Open']);
    }
    expect(messagesFor('en').linkSent('shop.example')).toBe('Your agent sent you a link: shop.example');
  });

  it('asks in every language of the widget for a message after the tone, then to hang up', () => {
    const en = messagesFor('en').voicemail;
    expect(en).toBe('Nobody can take your call right now. Please leave a message after the tone, then hang up.');
    const said = new Set<string>();
    for (const language of ['en', 'et', 'ru', 'fi', 'de', 'hu']) {
      const text = messagesFor(language).voicemail;
      expect(text, language).toMatch(/\S.*\.$/);
      said.add(text);
    }
    expect(said.size).toBe(6); // (each its own words: none fell back to English)
  });
});

describe('the rating after a call', () => {
  it('asks in every language of the widget how the call was, names each star "n of 5", says what the scores mean and thanks', () => {
    const en = messagesFor('en');
    expect([en.surveyQuestion, en.surveyScale, en.surveyScore(4), en.surveyThanks]).toEqual([
      'How was your call?', '5 = very good, 1 = very bad', '4 of 5', 'Thank you for your feedback.',
    ]);
    const languages = ['en', 'et', 'ru', 'fi', 'de', 'hu'];
    for (const language of languages) {
      const m = messagesFor(language);
      expect(m.surveyScore(3), language).toContain('3');
      expect(m.surveyScale, language).toMatch(/5.*1/);
    }
    // each its own words: none fell back to English
    for (const key of ['surveyQuestion', 'surveyScale', 'surveyThanks'] as const) {
      expect(new Set(languages.map((l) => messagesFor(l)[key])).size, key).toBe(6);
    }
    expect(new Set(languages.map((l) => messagesFor(l).surveyScore(2))).size).toBe(6);
  });
});

describe('agent messages', () => {
  it("says who the call is with: a callback names the agent who arranged it (a personal one); a browser caller is the widget", () => {
    const offer = (context: Record<string, unknown>) => {
      const m = parseServerMessage(JSON.stringify({ type: 'offer', callId: 'c1', context: { queue: 'support', language: 'en', page: {}, history: [], ivr: [], ...context } }));
      return m?.type === 'offer' ? m.context : undefined;
    };
    expect(callerText(offer({ caller: '+3725551234', callback: true, arrangedBy: 'Anna Ait' })!)).toBe('Callback to +3725551234, arranged by Anna Ait');
    expect(callerText(offer({ caller: '+3725551234', callback: true })!)).toBe('Callback to +3725551234');
    // (only a callback is arranged by someone)
    expect(offer({ caller: 'sip:+3725551234@carrier.example', callback: false, arrangedBy: 'Anna Ait' })?.arrangedBy).toBeUndefined();
    expect(callerText(offer({ caller: 'sip:+3725551234@carrier.example', callback: false, arrangedBy: 'Anna Ait' })!)).toBe('sip:+3725551234@carrier.example');
    expect(callerText(offer({ caller: 'web', callback: false })!)).toBe('Web (browser widget)');
  });

  it('reads state, offer and cancellation messages and drops unknown states', () => {
    expect(parseServerMessage('{"type":"state","state":"wrap-up","reason":"","deviceUp":true,"wrapUpEndsAt":"2026-11-23T10:00:30.000Z"}')).toEqual({
      type: 'state',
      state: 'wrap-up',
      wrapUpEndsAt: '2026-11-23T10:00:30.000Z',
    });
    expect(parseServerMessage('{"type":"state","state":"sleeping"}')).toBeUndefined();
    expect(parseServerMessage('{"type":"queues","queues":[{"queue":"support","waiting":2,"longestSince":"2026-12-06T10:00:00.000Z"},{"queue":"sales","waiting":0,"longestSince":null},{"waiting":1}]}')).toEqual({
      type: 'queues',
      queues: [{ queue: 'support', waiting: 2, longestSince: '2026-12-06T10:00:00.000Z' }, { queue: 'sales', waiting: 0, longestSince: null }],
    });
    expect(parseServerMessage('{"type":"queues","queues":"x"}')).toBeUndefined();
    // a call still to be filed comes with the state; without choices it is no such call
    expect(parseServerMessage('{"type":"state","state":"wrap-up","unfiledCall":{"callId":"c9","queue":"sales","dispositions":["Sale",7]}}')).toEqual({
      type: 'state',
      state: 'wrap-up',
      unfiledCall: { callId: 'c9', queue: 'sales', dispositions: ['Sale'] },
    });
    expect(parseServerMessage('{"type":"state","state":"wrap-up","unfiledCall":{"callId":"c9","dispositions":[]}}')).toEqual({ type: 'state', state: 'wrap-up' });
    const offer = parseServerMessage(
      '{"type":"offer","callId":"c1","context":{"queue":"support","language":"et","page":{"url":"u","title":"t"},"history":[{"url":"h","title":"ht","at":"a"}],"waitedSeconds":12}}',
    );
    expect(offer).toEqual({
      type: 'offer',
      callId: 'c1',
      context: { queue: 'support', language: 'et', page: { url: 'u', title: 't' }, history: [{ url: 'h', title: 'ht', at: 'a' }], caller: '', callback: false, ivr: [], waitedSeconds: 12, dispositions: [] },
    });
    // a callback: the number we call, marked as one (anything but true is not)
    expect(parseServerMessage('{"type":"offer","callId":"c2","context":{"queue":"q","caller":"+3725551234","callback":true}}')).toMatchObject({ context: { caller: '+3725551234', callback: true } });
    expect(parseServerMessage('{"type":"offer","callId":"c2","context":{"queue":"q","callback":"yes"}}')).toMatchObject({ context: { callback: false } });
    // the IVR menus passed: names only (anything else in the list is dropped)
    expect(parseServerMessage('{"type":"offer","callId":"c3","context":{"queue":"q","ivr":["welcome",7,"main"]}}')).toMatchObject({ context: { ivr: ['welcome', 'main'] } });
    expect(parseServerMessage('{"type":"offer-cancelled","callId":"c1","reason":"x"}')).toEqual({ type: 'offer-cancelled', callId: 'c1' });
    const connected = parseServerMessage('{"type":"connected","callId":"c1","device":"desk-phone","context":{"queue":"q","page":{"url":"u","title":"t"},"waitedSeconds":3}}');
    expect(connected).toMatchObject({ type: 'connected', callId: 'c1', device: 'desk-phone', context: { queue: 'q', page: { url: 'u' }, waitedSeconds: 3 } });
    // the queue's dispositions, strings only
    const withCodes = parseServerMessage('{"type":"connected","callId":"c1","context":{"queue":"q","dispositions":["Sale",3,"","No sale"]}}');
    expect(withCodes).toMatchObject({ context: { dispositions: ['Sale', 'No sale'] } });
    expect(parseServerMessage('{"type":"connected","callId":"c1","device":"softphone"}')).toMatchObject({ device: 'softphone' });
    expect(parseServerMessage('{"type":"connected","device":"softphone"}')).toBeUndefined();
  });

  it('reads whether a connected call is recorded, and the pausing of its recording', () => {
    expect(parseServerMessage('{"type":"connected","callId":"c1","device":"softphone","recorded":true}')).toMatchObject({ type: 'connected', callId: 'c1', recorded: true });
    // an older server does not say: not recorded (nothing to pause); anything but true is not
    expect(parseServerMessage('{"type":"connected","callId":"c1","device":"softphone"}')).toMatchObject({ recorded: false });
    expect(parseServerMessage('{"type":"connected","callId":"c1","recorded":"yes"}')).toMatchObject({ recorded: false });
    expect(parseServerMessage('{"type":"recording","callId":"c1","paused":true}')).toEqual({ type: 'recording', callId: 'c1', paused: true });
    expect(parseServerMessage('{"type":"recording","callId":"c1","paused":false,"by":"agent"}')).toEqual({ type: 'recording', callId: 'c1', paused: false });
    expect(parseServerMessage('{"type":"recording","callId":"c1","paused":"true"}')).toBeUndefined();
    expect(parseServerMessage('{"type":"recording","callId":"c1"}')).toBeUndefined();
    expect(parseServerMessage('{"type":"recording","paused":true}')).toBeUndefined();
  });

  it('builds the agent socket URL from the page origin', () => {
    expect(agentSocketUrl('https://pbx.example', 'a b')).toBe('wss://pbx.example/ws/agent?token=a%20b');
    expect(agentSocketUrl('http://127.0.0.1:8080', 't')).toBe('ws://127.0.0.1:8080/ws/agent?token=t');
  });
});

describe('state machines', () => {
  it('a finished customer call can only start again, and a live one can always end', () => {
    expect(CALL_TRANSITIONS.ended).toEqual(['starting']);
    expect(CALL_TRANSITIONS.failed).toEqual(['starting']);
    for (const s of ['starting', 'queued', 'ringing', 'connected'] as const) {
      expect(isLive(s)).toBe(true);
      expect(canTransition(s, 'ended')).toBe(true);
    }
    expect(canTransition('connected', 'queued')).toBe(true); // the agent transferred the call to another queue
    expect(canTransition('connected', 'ringing')).toBe(false);
    expect(canTransition('ringing', 'queued')).toBe(true); // ring-no-answer puts the call back in line
  });

  it("an agent's call is answered only after it rings, and every state can return to idle", () => {
    expect(canTransitionCall('offered', 'connecting')).toBe(false);
    expect(canTransitionCall('ringing', 'connecting')).toBe(true);
    // answered on another of the agent's devices: the caller stays on screen until the call ends
    expect(canTransitionCall('ringing', 'elsewhere')).toBe(true);
    expect(canTransitionCall('active', 'elsewhere')).toBe(false);
    expect(AGENT_CALL_TRANSITIONS.elsewhere).toEqual(['idle']);
    for (const s of Object.keys(AGENT_CALL_TRANSITIONS) as (keyof typeof AGENT_CALL_TRANSITIONS)[]) {
      if (s !== 'idle') expect(canTransitionCall(s, 'idle')).toBe(true);
    }
  });
});

describe('formatting', () => {
  it('shows timers as m:ss and reads instants as numbers or ISO strings', () => {
    expect(clock(29.2)).toBe('0:29');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(-4)).toBe('0:00');
    expect(waitMinutes(89)).toBe(1);
    expect(waitMinutes(91)).toBe(2);
    expect(toEpochMs('2026-11-23T10:00:00.000Z')).toBe(Date.UTC(2026, 10, 23, 10));
    expect(toEpochMs(5)).toBe(5);
    expect(toEpochMs(null)).toBeNaN();
  });
});

describe("the agent's callbacks (My callbacks)", () => {
  // (local times: the words are the agent's time, whatever this machine's time zone)
  const now = new Date(2026, 4, 3, 12, 0);
  const at = (d: number, h: number, m: number, y = 2026, mo = 4): string => new Date(y, mo, d, h, m).toISOString();
  const cb = (callId: string, more: Record<string, unknown> = {}) => ({
    callId, queueId: 1, queue: 'support', number: '+3725551234', state: 'scheduled', attempts: 0, requestedAt: at(3, 9, 0), scheduledFor: null, updatedAt: at(3, 9, 0), ...more,
  });

  it("reads the server's page of callbacks, leaving out entries without a callId or a known state, and refuses one without items", () => {
    const list = parseMyCallbacks({ items: [cb('a', { scheduledFor: at(4, 9, 0), attempts: 2 }), { callId: '', state: 'waiting' }, cb('b', { state: 'paused' }), null, cb('c', { state: 'waiting', queueId: null })], total: 7, limit: 100, offset: 0 });
    expect(list.items.map((c) => [c.callId, c.state, c.attempts, c.scheduledFor])).toEqual([['a', 'scheduled', 2, at(4, 9, 0)], ['c', 'waiting', 0, null]]);
    expect(list.items[1]?.queueId).toBeNull();
    expect(list.total).toBe(7);
    expect(parseMyCallbacks({ items: [cb('a')] }).total).toBe(1);
    expect(() => parseMyCallbacks({ total: 0 })).toThrow(/items/);
    expect(() => parseMyCallbacks(null)).toThrow(/items/);
  });

  it('says when each is made in the agent\'s time: in line now, being dialled, today / tomorrow / a date, due since a past time', () => {
    expect(callbackDueText({ state: 'waiting', scheduledFor: null }, now)).toBe('in line now');
    expect(callbackDueText({ state: 'dialing', scheduledFor: at(3, 11, 0) }, now)).toBe('being dialled');
    expect(callbackDueText({ state: 'scheduled', scheduledFor: at(3, 14, 30) }, now)).toBe('today 14:30');
    expect(callbackDueText({ state: 'scheduled', scheduledFor: at(4, 9, 5) }, now)).toBe('tomorrow 09:05');
    expect(callbackDueText({ state: 'scheduled', scheduledFor: at(12, 8, 0) }, now)).toBe('12 May 08:00');
    expect(callbackDueText({ state: 'scheduled', scheduledFor: at(5, 10, 0, 2027, 0) }, now)).toBe('5 Jan 2027 10:00');
    expect(callbackDueText({ state: 'scheduled', scheduledFor: at(3, 11, 30) }, now)).toBe('due since today 11:30');
    expect(callbackDueText({ state: 'scheduled', scheduledFor: at(2, 17, 0) }, now)).toBe('due since yesterday 17:00');
    expect(callbackDueText({ state: 'scheduled', scheduledFor: null }, now)).toBe('as soon as possible');
    expect(callbackDueText({ state: 'completed', scheduledFor: null }, now)).toBe('done');
    expect(callbackDueText({ state: 'cancelled', scheduledFor: null }, now)).toBe('cancelled');
    // (the turn of the day is the agent's midnight)
    expect(localWhen(at(4, 0, 0), new Date(2026, 4, 3, 23, 59))).toBe('tomorrow 00:00');
    expect(localWhen('not a time', now)).toBe('not a time');
  });

  it('words a row as "when · number · queue · attempts", the attempts only once there were some', () => {
    expect(attemptsText(0)).toBe('');
    expect(attemptsText(1)).toBe('1 attempt');
    expect(attemptsText(3)).toBe('3 attempts');
    expect(callbackRowText({ due: 'tomorrow 09:00', number: '+3725551234', queue: 'support', attempts: '2 attempts' })).toBe('tomorrow 09:00 · +3725551234 · support · 2 attempts');
    expect(callbackRowText({ due: 'in line now', number: '+3725551234', queue: '', attempts: '' })).toBe('in line now · +3725551234');
  });

  it('makes the panel of a snapshot: count, rows with their Cancel state, empty state, more than a page, status and refusal', () => {
    const none: MyCallbacksSnapshot = { reading: true, cancelling: new Set() };
    expect(myCallbacksModel(none, now)).toEqual({ count: '', rows: [], empty: false, more: '', status: 'Reading…', refusal: '', moveMin: '2026-05-03T12:00' });
    expect(myCallbacksModel({ ...none, readError: 'database down', reading: false }, now)).toMatchObject({ count: '', empty: false, status: 'Could not read your callbacks: database down' });
    expect(myCallbacksModel({ reading: false, cancelling: new Set(), list: { items: [], total: 0 } }, now)).toEqual({ count: '0', rows: [], empty: true, more: '', status: '', refusal: '', moveMin: '2026-05-03T12:00' });
    const list = parseMyCallbacks({ items: [cb('a', { state: 'waiting' }), cb('b', { scheduledFor: at(4, 9, 0), attempts: 1, queue: 'sales' })], total: 120 });
    const m = myCallbacksModel({ reading: true, cancelling: new Set(['b']), list, refusal: { number: '+3725551234', message: 'not yours' }, cancelled: '+3725550000' }, now);
    expect(m.count).toBe('120');
    expect(m.more).toBe('the next 2 of 120');
    expect(m.rows.map((r) => [r.callId, callbackRowText(r), r.open, r.cancelling, r.dueAt])).toEqual([
      ['a', 'in line now · +3725551234 · support', true, false, undefined],
      ['b', 'tomorrow 09:00 · +3725551234 · sales · 1 attempt', true, true, at(4, 9, 0)],
    ]);
    expect(m.status).toBe('Callback to +3725550000 cancelled');
    expect(m.refusal).toBe('Callback to +3725551234 not cancelled: not yours');
  });

  it("Move: not while being dialled; offers the due time (else an hour from now, to 5 minutes), refuses an empty or past time on the page, and says the new time", () => {
    expect([movable('waiting'), movable('scheduled'), movable('dialing'), movable('completed')]).toEqual([true, true, false, false]);
    expect(moveAt('', now.getTime())).toEqual({ error: 'Choose the day and time to call back.' });
    expect(moveAt('tomorrow', now.getTime())).toEqual({ error: 'Choose the day and time to call back.' });
    expect(moveAt('2026-05-03T12:00', now.getTime())).toEqual({ error: 'Choose a time in the future.' });
    expect(moveAt('2026-05-03T11:00', now.getTime())).toEqual({ error: 'Choose a time in the future.' });
    // (the field's value is the agent's local time; the server is sent the instant)
    expect(moveAt('2026-05-04T09:30', now.getTime())).toEqual({ at: at(4, 9, 30) });

    const list = parseMyCallbacks({ items: [cb('a', { state: 'waiting' }), cb('b', { scheduledFor: at(4, 9, 0) }), cb('c', { state: 'dialing' }), cb('d', { scheduledFor: at(3, 11, 0) })] });
    const m = myCallbacksModel({ reading: false, cancelling: new Set(), list, moving: { callId: 'b', saving: true, error: 'body.at: at most 7 days ahead' }, moved: { number: '+3725550002', at: at(4, 10, 15) } }, now);
    expect(m.rows.map((r) => [r.callId, r.movable, r.moveFrom, r.move])).toEqual([
      ['a', true, '2026-05-03T13:00', undefined],
      ['b', true, '2026-05-04T09:00', { saving: true, error: 'body.at: at most 7 days ahead' }],
      ['c', false, '2026-05-03T13:00', undefined],
      ['d', true, '2026-05-03T13:00', undefined],
    ]);
    expect(m.moveMin).toBe('2026-05-03T12:00');
    expect(m.status).toBe('Callback to +3725550002 moved to tomorrow 10:15');
    // (an editor is never shown on a callback being dialled)
    expect(myCallbacksModel({ reading: false, cancelling: new Set(), list, moving: { callId: 'c', saving: false } }, now).rows.every((r) => r.move === undefined)).toBe(true);
  });

  describe('MyCallbacks (reading and cancelling)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** a MyCallbacks whose reads and cancels the test answers, one by one */
    function harness() {
      const reads: { resolve(l: MyCallbackList): void; reject(e: unknown): void }[] = [];
      const cancels: { callId: string; resolve(): void; reject(e: unknown): void }[] = [];
      const moves: { callId: string; at: string; resolve(r: { scheduledFor: string | null }): void; reject(e: unknown): void }[] = [];
      const rendered: MyCallbacksSnapshot[] = [];
      const c = new MyCallbacks({
        read: () => new Promise((resolve, reject) => reads.push({ resolve, reject })),
        cancel: (callId) => new Promise((resolve, reject) => cancels.push({ callId, resolve, reject })),
        move: (callId, at) => new Promise((resolve, reject) => moves.push({ callId, at, resolve, reject })),
        render: (s) => rendered.push(s),
        everyMs: 60_000,
      });
      const last = () => rendered[rendered.length - 1]!;
      const ids = () => last().list?.items.map((i) => i.callId);
      return { c, reads, cancels, moves, rendered, last, ids };
    }
    const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
    const page = (...ids: string[]): MyCallbackList => ({ items: ids.map((id) => parseMyCallbacks({ items: [cb(id)] }).items[0]!), total: ids.length });

    it('reads at start and every minute, one read at a time (a refresh asked for meanwhile reads once more after it), and nothing once closed', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const h = harness();
      h.c.start();
      expect(h.reads).toHaveLength(1);
      expect(h.last()).toMatchObject({ reading: true });
      h.c.refresh();
      vi.advanceTimersByTime(60_000);
      expect(h.reads).toHaveLength(1);
      h.reads[0]!.resolve(page('a', 'b'));
      await flush();
      expect(h.reads).toHaveLength(2); // (the refresh and the minute's: one read)
      h.reads[1]!.resolve(page('b'));
      await flush();
      expect(h.ids()).toEqual(['b']);
      expect(h.reads).toHaveLength(2);
      vi.advanceTimersByTime(60_000);
      expect(h.reads).toHaveLength(3);
      h.reads[2]!.reject(new Error('database down'));
      await flush();
      expect(h.last()).toMatchObject({ readError: 'database down', reading: false });
      expect(h.ids()).toEqual(['b']); // (the last list stays)
      h.c.close();
      const shown = h.rendered.length;
      vi.advanceTimersByTime(180_000);
      h.c.refresh();
      expect(h.reads).toHaveLength(3);
      expect(h.rendered).toHaveLength(shown);
    });

    it('cancels: under way, then the row off and a read again; a refusal keeps the row in the server\'s words; the same one not twice at once', async () => {
      const h = harness();
      h.c.start();
      h.reads[0]!.resolve(page('a', 'b', 'c'));
      await flush();
      const done = h.c.cancel('b');
      void h.c.cancel('b');
      expect(h.cancels.map((x) => x.callId)).toEqual(['b']);
      expect([...h.last().cancelling]).toEqual(['b']);
      h.cancels[0]!.resolve();
      await done;
      expect(h.ids()).toEqual(['a', 'c']);
      expect(h.last()).toMatchObject({ cancelled: '+3725551234', list: { total: 2 } });
      expect(h.last().cancelling.size).toBe(0);
      expect(h.reads).toHaveLength(2);
      // the read that was under way may still have it: it stays off
      const second = h.c.cancel('c');
      h.cancels[1]!.resolve();
      await second;
      h.reads[1]!.resolve(page('a', 'c'));
      await flush();
      expect(h.ids()).toEqual(['a']);
      expect(h.reads).toHaveLength(3); // (asked again after the second cancel)
      h.reads[2]!.resolve(page('a'));
      await flush();

      const refused = h.c.cancel('a');
      h.cancels[2]!.reject(new Error('the customer is being dialled right now: it cannot be cancelled'));
      await refused;
      expect(h.ids()).toEqual(['a']);
      expect(h.last().refusal).toEqual({ number: '+3725551234', message: 'the customer is being dialled right now: it cannot be cancelled' });
      expect(h.last().cancelled).toBeUndefined();
      expect(h.reads).toHaveLength(4);
    });

    it('moves: one editor at a time, none on a callback being dialled; checks the time on the page; done, closes and says so and reads again; refused, keeps the editor with the server\'s words', async () => {
      const h = harness();
      const local = localInputValue;
      const inTwoDays = local(Date.now() + 2 * 86_400_000);
      const inTwoDaysIso = localInputToIso(inTwoDays)!;
      const list = (dialling: string) => ({ items: page('a', 'b', 'c').items.map((c) => (c.callId === dialling ? { ...c, state: 'dialing' as const } : c)), total: 3 });
      h.c.start();
      h.reads[0]!.resolve(list('c'));
      await flush();
      h.c.openMove('c'); // (being dialled)
      h.c.openMove('x'); // (not listed)
      expect(h.last().moving).toBeUndefined();
      h.c.openMove('a');
      h.c.openMove('b');
      expect(h.last().moving).toEqual({ callId: 'b', saving: false });

      // refused on the page: nothing sent, the editor open with why
      await h.c.move('b', '');
      expect(h.last().moving).toEqual({ callId: 'b', saving: false, error: 'Choose the day and time to call back.' });
      await h.c.move('b', local(Date.now() - 60_000));
      expect(h.last().moving).toEqual({ callId: 'b', saving: false, error: 'Choose a time in the future.' });
      await h.c.move('a', inTwoDays); // (not its editor)
      expect(h.moves).toHaveLength(0);

      // refused by the server: its words in the editor, still open
      const refused = h.c.move('b', inTwoDays);
      void h.c.move('b', inTwoDays);
      expect(h.moves.map((m) => [m.callId, m.at])).toEqual([['b', inTwoDaysIso]]);
      expect(h.last().moving).toEqual({ callId: 'b', saving: true });
      h.moves[0]!.reject(new Error('body.at: the queue is closed then. It opens at 08:00'));
      await refused;
      expect(h.last().moving).toEqual({ callId: 'b', saving: false, error: 'body.at: the queue is closed then. It opens at 08:00' });
      expect(h.reads).toHaveLength(1);

      // kept across a read; done: closed, said, the row's new time shown at once and the list read again
      h.c.refresh();
      h.reads[1]!.resolve(list('c'));
      await flush();
      expect(h.last().moving?.callId).toBe('b');
      const done = h.c.move('b', inTwoDays);
      h.moves[1]!.resolve({ scheduledFor: inTwoDaysIso });
      await done;
      expect(h.last().moving).toBeUndefined();
      expect(h.last().moved).toEqual({ number: '+3725551234', at: inTwoDaysIso });
      expect(h.last().list?.items.find((c) => c.callId === 'b')).toMatchObject({ state: 'scheduled', scheduledFor: inTwoDaysIso });
      expect(h.reads).toHaveLength(3);
      h.reads[2]!.resolve(list('c'));
      await flush();

      // Keep closes it; an answer that comes after does not open it again
      h.c.openMove('a');
      const kept = h.c.move('a', inTwoDays);
      h.c.keepMove('a');
      expect(h.last().moving).toBeUndefined();
      h.moves[2]!.reject(new Error('no open callback for call a'));
      await kept;
      expect(h.last().moving).toBeUndefined();

      // the editor goes when its callback is being dialled, or leaves the list
      h.c.openMove('a');
      h.c.refresh();
      h.reads[3]!.resolve(list('a'));
      await flush();
      expect(h.last().moving).toBeUndefined();
      h.c.openMove('b');
      h.c.refresh();
      h.reads[4]!.resolve(page('a'));
      await flush();
      expect(h.last().moving).toBeUndefined();
      // (a Cancel says its own news in place of the Move's)
      const cancelled = h.c.cancel('a');
      expect(h.last().moved).toBeUndefined();
      h.cancels[0]!.resolve();
      await cancelled;
      expect(h.last().cancelled).toBe('+3725551234');
    });
  });
});

describe('calling a number (Call a number)', () => {
  it('takes a number as the server does: spaces, dashes, dots and parentheses dropped, an optional + and 4 to 20 digits', () => {
    expect(normalizeNumber(' +372 (555) 12-34.56 ')).toBe('+372555123456');
    expect(normalizeNumber('1234')).toBe('1234');
    expect(normalizeNumber('123')).toBeNull();
    expect(normalizeNumber('+' + '1'.repeat(21))).toBeNull();
    expect(normalizeNumber('++3725551234')).toBeNull();
    expect(normalizeNumber('372-CALL-ME')).toBeNull();
  });

  it('refuses an empty number, one that is not a number, and one outside the allowed prefixes, in the words the panel shows', () => {
    expect(checkNumber('+372 555 1234', [])).toEqual({ number: '+3725551234' });
    expect(checkNumber('  ', [])).toEqual({ error: 'Enter the number to call.' });
    expect(checkNumber('call me', [])).toEqual({ error: '"call me" is not a phone number (digits, + first for an international one).' });
    expect(checkNumber('+49 30 1234567', ['+372', '+49'])).toEqual({ number: '+49301234567' });
    expect(checkNumber('+44 20 1234567', ['+372', '+49'])).toEqual({ error: 'Numbers must start with +372 or +49.' });
    expect(checkNumber('5551234', ['+372'])).toEqual({ error: 'Numbers must start with +372.' });
    expect(checkNumber('5551234', ['+372', '+49', '+358'])).toEqual({ error: 'Numbers must start with +372, +49 or +358.' });
    expect(prefixesText(['+372', '+49'])).toBe('Numbers starting with +372 or +49');
    expect(prefixesText([])).toBe('');
  });

  it("dials sip:<number>@<realm>, the realm being the host of the phone's own URI", () => {
    expect(dialTarget('+3725551234', 'sip:agent-7@test.realm')).toBe('sip:+3725551234@test.realm');
    expect(dialTarget('5551234', 'sip:agent-7@pbx.example:5061;transport=ws')).toBe('sip:5551234@pbx.example:5061');
    expect(dialTarget('5551234', 'agent-7')).toBeUndefined();
  });

  it('says how the call goes, the clock only while the customer talks', () => {
    const call = { number: '+3725551234', own: true };
    expect(dialStatusText(undefined)).toBe('');
    expect(dialStatusText({ ...call, state: 'placing' })).toBe('Calling +3725551234…');
    expect(dialStatusText({ ...call, state: 'dialing' })).toBe('Calling +3725551234…');
    expect(dialStatusText({ ...call, state: 'ringing' })).toBe('Ringing +3725551234…');
    expect(dialStatusText({ ...call, state: 'talking', talkingSince: 1_000 })).toBe('Talking with +3725551234');
    expect(talkClock({ ...call, state: 'talking', talkingSince: 1_000 }, 73_500)).toBe('1:12');
    expect(talkClock({ ...call, state: 'talking' }, 73_500)).toBe(''); // (answered before the page knew: since when is not known)
    expect(talkClock({ ...call, state: 'ringing' }, 73_500)).toBe('');
    expect(dialStatusText({ ...call, state: 'ended', endReason: 'customer' })).toBe('Call to +3725551234 ended (the customer hung up)');
    expect(dialStatusText({ ...call, state: 'ended' })).toBe('Call to +3725551234 ended');
  });

  it('offers a note on a call to a number once it was answered and the server named it, on or ended; never on one not answered', () => {
    const call = { number: '+3725551234', own: true };
    expect(dialNoteCallId(undefined)).toBeUndefined();
    expect(dialNoteCallId({ ...call, state: 'ringing', callId: 'out-1' })).toBeUndefined();
    expect(dialNoteCallId({ ...call, state: 'ended', callId: 'out-1', endReason: '486' })).toBeUndefined();
    expect(dialNoteCallId({ ...call, state: 'talking', answered: true })).toBeUndefined(); // (no id of the server's yet)
    expect(dialNoteCallId({ ...call, state: 'talking', callId: 'out-1', answered: true })).toBe('out-1');
    expect(dialNoteCallId({ ...call, state: 'ended', callId: 'out-1', answered: true, endReason: 'customer' })).toBe('out-1');
  });

  it("names why a call ended from the server's reason or the SIP status it was refused with", () => {
    expect(['agent', 'cancelled', 'customer', 'failed', undefined, ''].map(endReasonText)).toEqual([
      'you hung up', 'you hung up', 'the customer hung up', 'the call failed', '', '',
    ]);
    expect(['486', '600', '603', '404', '484', '480', '408', '487', '403', '503', 'timeout'].map(endReasonText)).toEqual([
      'busy', 'busy', 'declined', 'no such number', 'no such number', 'no answer', 'no answer', 'no answer', 'not connected, 403', 'the call failed, 503', 'timeout',
    ]);
  });

  it("reads GET /api/agent/outbound's answer, and the server's word on the call", () => {
    expect(parseOutboundSettings({ allowed: true, allowedPrefixes: ['+372', '', 5], reason: null, call: { callId: 'o-1', number: '+3725551234', answered: true } })).toEqual({
      allowed: true, allowedPrefixes: ['+372'], reason: null, call: { callId: 'o-1', number: '+3725551234', answered: true },
    });
    expect(parseOutboundSettings({ allowed: false, allowedPrefixes: [], reason: 'no trunk is set up for calls to phone numbers', call: null })).toEqual({
      allowed: false, allowedPrefixes: [], reason: 'no trunk is set up for calls to phone numbers', call: null,
    });
    expect(() => parseOutboundSettings({ allowedPrefixes: [] })).toThrow(/no allowed/);
    expect(parseServerMessage('{"type":"outbound","callId":"o-1","number":"+3725551234","state":"ended","reason":"486"}')).toEqual({
      type: 'outbound', callId: 'o-1', number: '+3725551234', state: 'ended', reason: '486',
    });
    expect(parseServerMessage('{"type":"outbound","callId":"o-1","number":"+3725551234","state":"ringing"}')).toEqual({ type: 'outbound', callId: 'o-1', number: '+3725551234', state: 'ringing' });
    expect(parseServerMessage('{"type":"outbound","callId":"o-1","number":"+3725551234","state":"on-hold"}')).toBeUndefined();
    expect(parseServerMessage('{"type":"outbound","number":"+3725551234","state":"dialing"}')).toBeUndefined();
  });

  it('moves a call to a number only forward (a step may be skipped), and every state but ended can end', () => {
    expect(canTransitionDial('placing', 'talking')).toBe(true);
    expect(canTransitionDial('ringing', 'dialing')).toBe(false);
    expect(canTransitionDial('talking', 'ringing')).toBe(false);
    expect(DIAL_TRANSITIONS.ended).toEqual([]);
    for (const s of ['placing', 'dialing', 'ringing', 'talking'] as const) expect(canTransitionDial(s, 'ended')).toBe(true);
  });
});
