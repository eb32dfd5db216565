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

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Day = (typeof DAYS)[number];

/** A queue's opening hours as the API takes them. */
export interface Hours {
  timeZone: string;
  days: Partial<Record<Day, Array<{ from: string; to: string }>>>;
  closedDates?: string[];
}

/**
 * Opening hours, one rule a line (or separated by ';'): days, then ranges: "mon-fri 09:00-17:00",
 * "sat,sun 10:00-14:00", "tue 09:00-12:00 13:00-17:00"; holidays as "closed 2026-12-24, 2026-12-25". An empty text
 * is always open (null).
 */
export function parseHours(text: string, timeZone: string): Hours | null {
  const rules = text.split(/[\n;]/).map((l) => l.trim()).filter((l) => l !== '');
  if (rules.length === 0) return null;
  if (!timeZone.trim()) throw new Error('opening hours: give their time zone (e.g. Europe/Tallinn)');
  const days: Hours['days'] = {};
  const closedDates: string[] = [];
  rules.forEach((rule, i) => {
    const where = `opening hours, rule ${i + 1}`;
    if (/^closed\b/i.test(rule)) {
      for (const d of rule.slice(6).split(/[\s,]+/).filter((x) => x !== '')) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`${where}: "${d}" is not a date YYYY-MM-DD`);
        closedDates.push(d);
      }
      return;
    }
    const [dayPart, ...rangeParts] = rule.split(/\s+/);
    const which = new Set<Day>();
    for (const item of dayPart!.toLowerCase().split(',')) {
      const [a, b] = item.split('-') as [string, string | undefined];
      const from = DAYS.indexOf(a as Day);
      const to = b === undefined ? from : DAYS.indexOf(b as Day);
      if (from < 0 || to < 0 || to < from) throw new Error(`${where}: "${item}" is not a day or days (mon … sun, mon-fri)`);
      for (let d = from; d <= to; d++) which.add(DAYS[d]!);
    }
    if (rangeParts.length === 0) throw new Error(`${where}: give the hours, e.g. 09:00-17:00`);
    const ranges = rangeParts.map((r) => {
      const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(r);
      if (m === null) throw new Error(`${where}: "${r}" is not a range HH:MM-HH:MM`);
      return { from: m[1]!, to: m[2]! };
    });
    for (const d of which) days[d] = [...(days[d] ?? []), ...ranges];
  });
  return { timeZone: timeZone.trim(), days, ...(closedDates.length > 0 ? { closedDates } : {}) };
}

/** Opening hours back as text: days with the same ranges are joined ("mon-fri 09:00-17:00"). */
export function formatHours(h: Hours | null): string {
  if (h === null) return '';
  const lines: string[] = [];
  let i = 0;
  while (i < DAYS.length) {
    const ranges = h.days[DAYS[i]!];
    if (!ranges || ranges.length === 0) {
      i++;
      continue;
    }
    const key = JSON.stringify(ranges);
    let j = i;
    while (j + 1 < DAYS.length && JSON.stringify(h.days[DAYS[j + 1]!] ?? []) === key) j++;
    lines.push(`${j === i ? DAYS[i] : `${DAYS[i]}-${DAYS[j]}`} ${ranges.map((r) => `${r.from}-${r.to}`).join(' ')}`);
    i = j + 1;
  }
  if (h.closedDates && h.closedDates.length > 0) lines.push(`closed ${h.closedDates.join(', ')}`);
  return lines.join('\n');
}
