/**
 * The Customers section of the admin console: the body of POST /api/customers/erase (a customer's right to erasure)
 * from the form, and its answer in words.
 */

/** What the erase form holds. */
export interface EraseForm {
  /** the select: 'number' or 'customerId' */
  kind: string;
  value: string;
  /** "I understand this cannot be undone" is ticked */
  confirmed: boolean;
}

export type EraseBody = { number: string } | { customerId: string };

/** The answer of POST /api/customers/erase: what was erased, or blanked (the calls). */
export interface Erased {
  calls: number;
  notes: number;
  recordings: number;
  voicemails: number;
  callbacks: number;
}

/** The body of the request: the customer by number or by id, never both. The server judges whether a number is one. */
export function eraseBody(f: EraseForm): EraseBody {
  const value = f.value.trim();
  const byNumber = f.kind !== 'customerId';
  if (value === '') throw new Error(byNumber ? 'phone number: required, e.g. +372 555 1234' : 'customer id: required, e.g. c-42');
  if (!f.confirmed) throw new Error('Tick "I understand this cannot be undone" to erase the customer.');
  return byNumber ? { number: value } : { customerId: value };
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "Erased: 3 calls (caller blanked), 1 note, 0 recordings, 1 voicemail, 0 callbacks" (no calls: nothing blanked said). */
export function erasedText(e: Erased): string {
  const calls = `${count(e.calls, 'call')}${e.calls > 0 ? ' (caller blanked)' : ''}`;
  return `Erased: ${[calls, count(e.notes, 'note'), count(e.recordings, 'recording'), count(e.voicemails, 'voicemail'), count(e.callbacks, 'callback')].join(', ')}`;
}
