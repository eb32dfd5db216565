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

/** A queue's relaxation step as the API takes it. */
export interface Step {
  afterSeconds: number;
  skills?: Record<string, number>;
  language?: string | null;
}

/**
 * Relaxation steps, one a line: "30s skills=billing:1" (after 30 s of waiting these levels are enough),
 * "90s language=any" (any language), "120s skills=billing:1 language=en". An empty text is no steps.
 */
export function parseSteps(text: string): Step[] {
  const steps: Step[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `steps, line ${i + 1}`;
    const m = /^(\d+)\s*s\b\s*(.*)$/.exec(line);
    if (m === null) throw new Error(`${where}: start with the wait, e.g. "30s skills=billing:1"`);
    const step: Step = { afterSeconds: Number(m[1]) };
    for (const part of m[2]!.split(/\s+(?=skills=|language=)/).map((p) => p.trim()).filter((p) => p !== '')) {
      if (part.startsWith('skills=')) step.skills = parseLevels(part.slice(7), `${where}: skills`);
      else if (part.startsWith('language=')) {
        const lang = part.slice(9).trim();
        step.language = lang === 'any' ? null : lang;
      } else throw new Error(`${where}: "${part}" is neither skills=… nor language=…`);
    }
    if (step.skills === undefined && step.language === undefined) throw new Error(`${where}: give skills=… or language=… (or both)`);
    steps.push(step);
  });
  return steps;
}

export function formatSteps(steps: readonly Step[]): string {
  return steps
    .map((s) =>
      [`${s.afterSeconds}s`, s.skills !== undefined ? `skills=${formatLevels(s.skills)}` : '', s.language !== undefined ? `language=${s.language ?? 'any'}` : '']
        .filter((x) => x)
        .join(' '),
    )
    .join('\n');
}
