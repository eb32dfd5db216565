import { describe, expect, it } from 'vitest';
import { type EraseForm, eraseBody, erasedText } from '../../web-softphone/admin/customers.ts';

/** The form as an admin leaves it: a number, confirmed. */
function filled(more: Partial<EraseForm> = {}): EraseForm {
  return { kind: 'number', value: '+372 555 1234', confirmed: true, ...more };
}

describe('erasing a customer in the admin console', () => {
  it('names the customer by number or by customer id, never both, as typed (trimmed)', () => {
    expect(eraseBody(filled())).toEqual({ number: '+372 555 1234' });
    expect(eraseBody(filled({ kind: 'customerId', value: ' c-42 ' }))).toEqual({ customerId: 'c-42' });
    // (whether it is a phone number is the server's to say)
    expect(eraseBody(filled({ value: 'call me' }))).toEqual({ number: 'call me' });
  });

  it('erases nothing unless the admin confirmed, and asks for the value', () => {
    expect(() => eraseBody(filled({ confirmed: false }))).toThrow('Tick "I understand this cannot be undone" to erase the customer.');
    expect(() => eraseBody(filled({ value: '  ' }))).toThrow('phone number: required, e.g. +372 555 1234');
    expect(() => eraseBody(filled({ kind: 'customerId', value: '' }))).toThrow('customer id: required, e.g. c-42');
  });

  it('says what was erased, one or many of each', () => {
    expect(erasedText({ calls: 3, notes: 1, recordings: 0, voicemails: 1, callbacks: 0 })).toBe('Erased: 3 calls (caller blanked), 1 note, 0 recordings, 1 voicemail, 0 callbacks');
    expect(erasedText({ calls: 1, notes: 2, recordings: 1, voicemails: 2, callbacks: 1 })).toBe('Erased: 1 call (caller blanked), 2 notes, 1 recording, 2 voicemails, 1 callback');
    expect(erasedText({ calls: 0, notes: 0, recordings: 0, voicemails: 0, callbacks: 0 })).toBe('Erased: 0 calls, 0 notes, 0 recordings, 0 voicemails, 0 callbacks');
  });
});
