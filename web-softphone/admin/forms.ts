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

/** A queue's routing on the caller's page, as the API takes it (db/schema.ts PageRule). */
export interface PageRule {
  when: { category?: string; urlContains?: string };
  skills?: Record<string, number>;
  forSeconds?: number | null;
  priority?: number;
}

/**
 * Page rules, one a line: conditions `category=<name>` and `url=<part of the URL>` (at least one), then what the
 * call gets: `skills=laptops:3` `for=30s` (how long the skills apply; without it, as long as the call waits) and
 * `priority=5`. "category=laptops skills=laptops:3 for=30s", "url=/checkout priority=5".
 */
export function parsePageRules(text: string): PageRule[] {
  const rules: PageRule[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `page rules, line ${i + 1}`;
    const rule: PageRule = { when: {} };
    for (const part of line.split(/\s+/)) {
      const m = /^(category|url|skills|for|priority)=(.+)$/.exec(part);
      if (m === null) throw new Error(`${where}: "${part}" is none of category=, url=, skills=, for=, priority=`);
      const [, key, value] = m as unknown as [string, string, string];
      if (key === 'category') rule.when.category = value;
      else if (key === 'url') rule.when.urlContains = value;
      else if (key === 'skills') rule.skills = parseLevels(value, `${where}: skills`);
      else if (key === 'for') {
        const s = /^(\d+)s?$/.exec(value);
        if (s === null) throw new Error(`${where}: for=${value} is not a number of seconds like for=30s`);
        rule.forSeconds = Number(s[1]);
      } else {
        if (!/^\+?\d+$/.test(value)) throw new Error(`${where}: priority=${value} is not a whole number like priority=5`);
        rule.priority = Number(value);
      }
    }
    if (rule.when.category === undefined && rule.when.urlContains === undefined) throw new Error(`${where}: say which pages: category=… or url=… (or both)`);
    if (rule.skills === undefined && rule.priority === undefined) throw new Error(`${where}: say what such a call gets: skills=… or priority=… (or both)`);
    if (rule.forSeconds !== undefined && rule.skills === undefined) throw new Error(`${where}: for= says how long skills= apply: give skills=… too`);
    rules.push(rule);
  });
  return rules;
}

export function formatPageRules(rules: readonly PageRule[]): string {
  return rules
    .map((r) =>
      [
        r.when.category !== undefined ? `category=${r.when.category}` : '',
        r.when.urlContains !== undefined ? `url=${r.when.urlContains}` : '',
        // (without the spaces formatLevels puts after its commas: a rule's parts are split at white space)
        r.skills !== undefined ? `skills=${formatLevels(r.skills).replaceAll(', ', ',')}` : '',
        r.forSeconds != null ? `for=${r.forSeconds}s` : '',
        r.priority ? `priority=${r.priority}` : '',
      ]
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

// ── IVR menus ──

/** What a key of an IVR menu does (also after its last attempt, and when it is closed), as the API takes it. */
export type IvrAction = { type: 'queue'; queueId: number } | { type: 'menu'; menuId: number } | { type: 'voicemail'; queueId: number } | { type: 'hangup' };

/** One key of an IVR menu, as the API takes it. */
export interface IvrOption {
  digit: string;
  label: string;
  language: string | null;
  action: IvrAction;
}

/** The queues and menus the console knows: actions are written with their names, the API takes their ids. */
export interface IvrTargets {
  queues: ReadonlyArray<{ id: number; name: string }>;
  menus: ReadonlyArray<{ id: number; name: string }>;
}

/** A language code as the API takes it: "en", "pt-BR". */
const LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const ACTIONS = 'queue:<name>, menu:<name>, voicemail:<queue name> or hangup';

/**
 * Texts per language, one a line: "en: For sales press 1." / "et: Müük: vajutage 1." (the text may hold colons of its
 * own). An empty text is none ({}).
 */
export function parsePrompts(text: string, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lineOf = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${field}, line ${i + 1}`;
    const m = /^([^:\s]+)\s*:\s*(.*)$/.exec(line);
    if (m === null) throw new Error(`${where}: start with the language, e.g. "en: For sales press 1."`);
    const lang = m[1]!;
    const says = m[2]!;
    if (!LANGUAGE.test(lang)) throw new Error(`${where}: "${lang}" is not a language code like en or pt-BR`);
    if (lineOf.has(lang)) throw new Error(`${where}: ${lang} is on line ${lineOf.get(lang)} too`);
    if (says === '') throw new Error(`${where}: give the text to speak after "${lang}:"`);
    lineOf.set(lang, i + 1);
    out[lang] = says;
  });
  return out;
}

/** { en: 'For sales press 1.' } -> "en: For sales press 1." (a line break in a text becomes a space). */
export function formatPrompts(prompts: Record<string, string>): string {
  return Object.entries(prompts)
    .map(([lang, says]) => `${lang}: ${says.replace(/\s*\n\s*/g, ' ')}`)
    .join('\n');
}

/**
 * One action: "queue:sales", "menu:main", "voicemail:sales" (leave the queue a message) or "hangup" (queue and menu by
 * name; "queue:#12" is an id, which is how an action whose queue or menu the console does not know is written back).
 * Null for an empty text.
 */
export function parseAction(text: string, targets: IvrTargets, where: string): IvrAction | null {
  const t = text.trim();
  if (t === '') return null;
  if (t === 'hangup') return { type: 'hangup' };
  const m = /^(queue|menu|voicemail):(\S+)$/.exec(t);
  if (m === null) throw new Error(`${where}: "${t}" is not an action (${ACTIONS})`);
  const kind = m[1] as 'queue' | 'menu' | 'voicemail';
  const name = m[2]!;
  const byId = /^#(\d+)$/.exec(name);
  const id = byId !== null ? Number(byId[1]) : (kind === 'menu' ? targets.menus : targets.queues).find((x) => x.name === name)?.id;
  if (id === undefined) throw new Error(`${where}: there is no ${kind === 'menu' ? 'menu' : 'queue'} ${name}`);
  return kind === 'menu' ? { type: 'menu', menuId: id } : { type: kind, queueId: id };
}

/** An action back as text, with names ("" for null). */
export function formatAction(action: IvrAction | null, targets: IvrTargets): string {
  if (action === null) return '';
  if (action.type === 'hangup') return 'hangup';
  if (action.type === 'queue' || action.type === 'voicemail') return `${action.type}:${targets.queues.find((q) => q.id === action.queueId)?.name ?? `#${action.queueId}`}`;
  return `menu:${targets.menus.find((m) => m.id === action.menuId)?.name ?? `#${action.menuId}`}`;
}

/**
 * A menu's options, one key a line: the key (0-9, * or #), a label (any words), optionally the caller's language
 * from then on as lang:<code>, and last what the key does: "1 sales queue:sales", "2 in Estonian lang:et menu:main-et",
 * "9 goodbye hangup". An empty text is no options.
 */
export function parseOptions(text: string, targets: IvrTargets): IvrOption[] {
  const options: IvrOption[] = [];
  const lineOf = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const words = raw.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) return;
    const where = `options, line ${i + 1}`;
    const digit = words.shift()!;
    if (!/^[0-9*#]$/.test(digit)) throw new Error(`${where}: start with the key (0-9, * or #), e.g. "1 sales queue:sales"`);
    if (lineOf.has(digit)) throw new Error(`${where}: key ${digit} is on line ${lineOf.get(digit)} too`);
    lineOf.set(digit, i + 1);
    const last = words.pop();
    if (last === undefined) throw new Error(`${where}: say what key ${digit} does (${ACTIONS}), e.g. "${digit} sales queue:sales"`);
    let language: string | null = null;
    const label: string[] = [];
    for (const w of words) {
      if (!w.startsWith('lang:')) label.push(w);
      else if (language !== null) throw new Error(`${where}: give lang: once`);
      else if (!LANGUAGE.test(w.slice(5))) throw new Error(`${where}: "${w}" is not lang: and a language code like en or pt-BR`);
      else language = w.slice(5);
    }
    options.push({ digit, label: label.join(' '), language, action: parseAction(last, targets, where)! });
  });
  return options;
}

export function formatOptions(options: readonly IvrOption[], targets: IvrTargets): string {
  return options
    .map((o) =>
      [o.digit, o.label.trim().replace(/\s+/g, ' '), o.language === null ? '' : `lang:${o.language}`, formatAction(o.action, targets)]
        .filter((x) => x)
        .join(' '),
    )
    .join('\n');
}
