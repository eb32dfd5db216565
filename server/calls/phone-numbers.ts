/** Customers' phone numbers: as typed, as dialled through a trunk, as logged. */

/** A phone number as customers type it (spaces, dashes, dots, parentheses dropped), or null when it is not one. */
export function normalizeNumber(raw: string): string | null {
  const n = raw.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{4,20}$/.test(n) ? n : null;
}

/** The request URI that dials `number` through the trunk: the number becomes the trunk URI's user part. */
export function dialUri(trunk: string, number: string): string {
  const m = /^(sips?:)(?:[^@]*@)?(.*)$/i.exec(trunk);
  if (m === null) throw new TypeError(`not a SIP URI: ${trunk}`);
  return `${m[1]}${number}@${m[2]}`;
}

/** For a log line: the number without its last digits (a phone number is personal data). */
export function maskNumber(n: string): string {
  return n.length <= 4 ? '****' : `${n.slice(0, -4)}****`;
}

/** The phone number a caller's SIP URI names (its user part, `sip:+3725551234@gw`), or null when it names none. */
export function numberOfUri(uri: string): string | null {
  const user = /^sips?:([^@;?]+)@/i.exec(uri)?.[1];
  return user === undefined ? null : normalizeNumber(user);
}
