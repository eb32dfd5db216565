import { expect, it } from 'vitest';
import { customerKey } from '../../server/calls/call-log-writer.ts';
import { dialUri, maskNumber, normalizeNumber, numberOfUri } from '../../server/calls/phone-numbers.ts';

it('phone numbers as typed, as SIP URIs name them, as dialled through a trunk, as logged', () => {
  expect(normalizeNumber(' +372 (555) 12-34.5 ')).toBe('+37255512345');
  expect(normalizeNumber('12a4')).toBeNull();
  expect(normalizeNumber('123')).toBeNull(); // (too short to be one)
  expect(numberOfUri('sip:+3725551234@gw.example;user=phone')).toBe('+3725551234');
  expect(numberOfUri('sip:anna@example.com')).toBeNull();
  expect(numberOfUri('+3725551234')).toBeNull(); // (not a URI)
  expect(dialUri('sip:trunk.example:5062', '+3725551234')).toBe('sip:+3725551234@trunk.example:5062');
  expect(dialUri('sip:user@trunk.example', '5551234')).toBe('sip:5551234@trunk.example');
  expect(maskNumber('+3725551234')).toBe('+372555****');
});

it("a call's customer is its web page's customer id, else the phone number it comes from or is called back on", () => {
  expect(customerKey('c-42', 'sip:+3725551234@gw')).toBe('id:c-42');
  expect(customerKey(null, 'sip:+3725551234@gw')).toBe('tel:+3725551234');
  expect(customerKey(null, '+372 555 1234')).toBe('tel:+3725551234'); // (a callback asked for on the page)
  expect(customerKey(null, 'Web customer')).toBeNull();
  expect(customerKey('', 'sip:anna@example.com')).toBeNull();
});
