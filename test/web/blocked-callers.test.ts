// The wall-board's blocked callers (supervisor/blocked.ts): the request bodies and the text of a block, in Node.
import { describe, expect, it } from 'vitest';
import { blockBody, blockedUntil, blockedWho, canBlockCaller } from '../../web-softphone/supervisor/blocked.ts';

describe('blocked callers', () => {
  it('blocks a call\'s caller or a number, with the reason only when given and the days only when the block ends', () => {
    expect(blockBody({ callId: 'c1' }, ' shouts at agents ', '7')).toEqual({ callId: 'c1', reason: 'shouts at agents', days: 7 });
    expect(blockBody({ callId: 'c1' }, '   ', '')).toEqual({ callId: 'c1' });
    expect(blockBody({ number: '+3725551234' }, 'spam', '3650')).toEqual({ number: '+3725551234', reason: 'spam', days: 3650 });
  });

  it('offers to block a phone caller, a callback number and a customer, not a browser caller known by neither', () => {
    expect(canBlockCaller({ caller: 'sip:+3725551234@carrier.example', customerId: null })).toBe(true);
    expect(canBlockCaller({ caller: 'sips:1602@pbx.example;user=phone', customerId: null })).toBe(true);
    expect(canBlockCaller({ caller: '+372 555 1234', customerId: null })).toBe(true);
    expect(canBlockCaller({ caller: 'web', customerId: 'cust-42' })).toBe(true);
    expect(canBlockCaller({ caller: 'web', customerId: null })).toBe(false);
    expect(canBlockCaller({ caller: 'web', customerId: '' })).toBe(false);
    // (a SIP URI whose user part is no number)
    expect(canBlockCaller({ caller: 'sip:anonymous@anonymous.invalid', customerId: null })).toBe(false);
  });

  it('names who is blocked and until when, marking an expired block', () => {
    expect(blockedWho({ number: '+3725551234', customerId: null })).toBe('+3725551234');
    expect(blockedWho({ number: null, customerId: 'cust-42' })).toBe('customer cust-42');
    const ends = new Date(2026, 2, 8, 10, 0).toISOString();
    expect(blockedUntil({ expiresAt: null, active: true })).toBe('until unblocked');
    expect(blockedUntil({ expiresAt: ends, active: true })).toBe(new Date(ends).toLocaleString());
    expect(blockedUntil({ expiresAt: ends, active: false })).toBe(`expired ${new Date(ends).toLocaleString()}`);
  });
});
