// The browser apps' pure parts, run in Node (no DOM needed).
import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../../web-softphone/agent/agent-messages.ts';
import { AGENT_CALL_TRANSITIONS, canTransitionCall } from '../../web-softphone/agent/agent-call-state.ts';
import { agentSocketUrl } from '../../web-softphone/agent/agent-socket.ts';
import { clock, toEpochMs, waitMinutes } from '../../web-softphone/shared/format.ts';
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
