/**
 * What the admin console writes in its forms and reads back: levels as "billing:4, tech:2", lists as
 * "Resolved, Sale". Parsing errors name the field, as the API's errors do.
 */

/** "billing:4, tech 2" -> { billing: 4, tech: 2 }; an empty text is no levels. Levels are 1 to 5. */
export function parseLevels(text: string, field: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([^:\s]+)\s*[:\s]\s*([1-5])$/.exec(part);
    if (m === null) throw new Error(`${field}: "${part}" is not name:level (a level from 1 to 5)`);
    if (m[1]! in out) throw new Error(`${field}: ${m[1]} is named twice`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** { billing: 4, tech: 2 } -> "billing:4, tech:2" */
export function formatLevels(levels: Record<string, number>): string {
  return Object.entries(levels)
    .map(([k, v]) => `${k}:${v}`)
    .join(', ');
}

/** "Resolved, Sale ,, Complaint" -> ["Resolved", "Sale", "Complaint"] */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A whole number from a form field, or null when it is empty; anything else names the field. */
export function parseCount(text: string, field: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t)) throw new Error(`${field}: "${t}" is not a whole number`);
  return Number(t);
}
