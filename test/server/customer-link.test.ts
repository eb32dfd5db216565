import { describe, expect, it } from 'vitest';
import { CustomerCallState } from '../../server/calls/customer-call-state.ts';
import type { CustomerCallInit } from '../../server/calls/customer-call.ts';
import { MAX_LINKS_PER_CALL, linkRefusal, linkTitle, linkUrl } from '../../server/calls/customer-link.ts';

// The rules of POST /api/agent/calls/:callId/link on their own; test/e2e/customer-link.test.ts drives the route with
// real calls (SIP, rtpengine, a desk phone) and test/e2e/browser-agent.test.ts the agent page and the widget.

describe('the URL of a link for the customer', () => {
  it('takes an absolute http or https URL, written out as the browser will read it', () => {
    expect(linkUrl('https://shop.example/manuals/tent.pdf?v=2#page=3')).toEqual({ url: 'https://shop.example/manuals/tent.pdf?v=2#page=3' });
    expect(linkUrl('http://shop.example')).toEqual({ url: 'http://shop.example/' });
    expect(linkUrl('HTTPS://Shop.Example:443/A')).toEqual({ url: 'https://shop.example/A' });
    expect(linkUrl('https://müük.example/ä')).toEqual({ url: 'https://xn--mk-xkaa.example/%C3%A4' });
    expect(linkUrl(`https://shop.example/${'a'.repeat(1979)}`)).toEqual({ url: `https://shop.example/${'a'.repeat(1979)}` }); // 2 000 characters
  });

  it('refuses every other scheme, relative or unparsable URLs, white space, credentials and more than 2 000 characters, saying why', () => {
    const problem = (raw: string): string | undefined => {
      const r = linkUrl(raw);
      return 'problem' in r ? r.problem : undefined;
    };
    for (const raw of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'vbscript:msgbox', 'file:///etc/passwd',
      'ftp://shop.example/', 'mailto:a@shop.example', '/manuals/tent.pdf', '//shop.example/x', 'shop.example/x', 'http:shop.example', 'garbage']) {
      expect(problem(raw), raw).toBe('must be an absolute http:// or https:// URL');
    }
    expect(problem(' https://shop.example/')).toBe('must not contain spaces or control characters');
    expect(problem('https://shop.example/a b')).toBe('must not contain spaces or control characters');
    expect(problem('java\tscript:alert(1)')).toBe('must not contain spaces or control characters');
    expect(problem('https://shop.example/\u0000')).toBe('must not contain spaces or control characters');
    expect(problem('https://')).toBe('is not a valid URL');
    expect(problem('https://[::1')).toBe('is not a valid URL');
    expect(problem('https://bank.example@evil.example/')).toBe('must not carry a user name or password');
    expect(problem('https://user:secret@shop.example/')).toBe('must not carry a user name or password');
    expect(problem(`https://shop.example/${'a'.repeat(1980)}`)).toBe('at most 2000 characters');
    // (short as typed, longer written out: percent-encoding makes it 2 000 + characters)
    expect(problem(`https://shop.example/${'ä'.repeat(400)}`)).toBe('at most 2000 characters (written out in full)');
  });

  it('a title is trimmed, and an empty one is none', () => {
    expect(linkTitle('  Tent manual ')).toBe('Tent manual');
    expect(linkTitle('   ')).toBeNull();
    expect(linkTitle(undefined)).toBeNull();
  });
});

describe('who may send a link into a call', () => {
  const browser = { channel: 'webrtc' } as CustomerCallInit;
  const phone = { channel: 'sip' } as CustomerCallInit;
  const call = (state: CustomerCallState, agentId: string | null, details = browser) => ({ state, agentId, details });

  it('the agent connected to a browser caller, up to the limit', () => {
    expect(linkRefusal(call(CustomerCallState.Connected, '7'), '7', 0)).toBeNull();
    expect(linkRefusal(call(CustomerCallState.Connected, '7'), '7', MAX_LINKS_PER_CALL - 1)).toBeNull();
    expect(linkRefusal(call(CustomerCallState.Connected, '7'), '7', MAX_LINKS_PER_CALL)).toEqual({ outcome: 'too-many', max: 20 });
  });

  it('no call in progress, a call nobody talks on yet, another agent\'s call, a phone caller: each refused with its reason', () => {
    expect(linkRefusal(undefined, '7', 0)).toEqual({ outcome: 'unknown-call' });
    expect(linkRefusal(call(CustomerCallState.Ended, '7'), '7', 0)).toEqual({ outcome: 'unknown-call' });
    for (const state of [CustomerCallState.Answering, CustomerCallState.Menu, CustomerCallState.Waiting, CustomerCallState.Offering]) {
      expect(linkRefusal(call(state, null), '7', 0)).toEqual({ outcome: 'not-connected', state });
    }
    expect(linkRefusal(call(CustomerCallState.Connected, '8'), '7', 0)).toEqual({ outcome: 'not-yours' });
    // (another agent's phone call is theirs first: nothing about the caller is told)
    expect(linkRefusal(call(CustomerCallState.Connected, '8', phone), '7', 0)).toEqual({ outcome: 'not-yours' });
    expect(linkRefusal(call(CustomerCallState.Connected, '7', phone), '7', 0)).toEqual({ outcome: 'phone' });
  });
});
