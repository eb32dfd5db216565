import { describe, expect, it } from 'vitest';
import { replacedCallId } from '../../server/calls/customer-call.ts';

describe('the dialog a REFER replaces (RFC 3891 in Refer-To, attended transfer)', () => {
  it("reads the Call-ID from the Replaces header of the Refer-To URI, escaped as sip.js and desk phones send it", () => {
    expect(replacedCallId('sip:bob@10.0.0.1:5060;transport=ws?Replaces=a84b4c76e66710%40pc33.example.com%3Bto-tag%3D1928301774%3Bfrom-tag%3Da6c85cf')).toBe('a84b4c76e66710@pc33.example.com');
    expect(replacedCallId('sip:bob@example.com?Subject=hi&replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2')).toBe('abc');
    expect(replacedCallId('sip:bob@example.com?Replaces=plain-id;to-tag=1')).toBe('plain-id');
  });

  it('is undefined for a blind transfer, an empty or a malformed Replaces', () => {
    expect(replacedCallId('sip:billing@example.com')).toBeUndefined();
    expect(replacedCallId('sip:billing@example.com?Subject=x')).toBeUndefined();
    expect(replacedCallId('sip:bob@example.com?Replaces=')).toBeUndefined();
    expect(replacedCallId('sip:bob@example.com?Replaces=%E0%A4%A')).toBeUndefined();
  });
});
