/** A phone number as the server reads one (server/calls/phone-numbers.ts): spaces, dashes, dots and parentheses dropped, an optional + and 4 to 20 digits; null: not one. */
export function normalizeNumber(raw: string): string | null {
  const n = raw.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{4,20}$/.test(n) ? n : null;
}
