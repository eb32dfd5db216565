/**
 * Queue configuration normalisation and the requirement rules, shared by the engine and the reference
 * implementation so that both route by exactly the same rules.
 *
 * Levels of a waiting call: -1 = known-agent phase (only that agent), 0 = the queue's base requirements,
 * i >= 1 = routing step i (steps sorted by afterSeconds). The level is a function of the time waited in
 * the current queue; it changes only at thresholds, where the engine has a timer.
 *
 * A call's own skills (CallOptions.skills) apply for its first skillsSeconds in the queue (absent: as long as
 * it waits), counted from the same entry as the levels; the end of that window is one more threshold. After
 * it the call needs what a call without skills of its own needs at its level. While the call waits for its
 * known agent only (level -1) its skills do not matter, so a window that ends within that phase is no
 * threshold of its own: the end of the phase is.
 */
import { AcdTypeError } from './errors.ts';
import type { AgentProfile, CallOptions, OverflowTarget, QueueConfig, SkillLevels, Strategy } from './types.ts';
import { STRATEGIES } from './types.ts';

export interface LevelRequirements {
  /** [skill, minimum level], sorted by skill name. */
  readonly skills: ReadonlyArray<readonly [string, number]>;
  readonly language: string | null;
  /** True when a routing step set the language explicitly (it then overrides the call's own language). */
  readonly languageFromStep: boolean;
}

export interface NormalizedQueue {
  readonly strategy: Strategy;
  readonly priority: number;
  readonly wrapUpMs: number;
  readonly maxWaitMs: number | null;
  readonly maxLength: number | null;
  readonly overflow: OverflowTarget;
  /** levels[0] = base, levels[i] = step i. */
  readonly levels: readonly LevelRequirements[];
  /** afterMs[i] = wait at which level i starts (afterMs[0] = 0). */
  readonly afterMs: readonly number[];
  readonly ringTimeoutMs: number;
  readonly knownAgentMs: number;
  readonly expectedHandleMs: number;
  readonly positionUpdateMs: number;
  readonly serviceLevel: { readonly thresholdSeconds: number; readonly target: number } | null;
}

export interface Requirements {
  readonly skills: ReadonlyArray<readonly [string, number]>;
  readonly language: string | null;
}

function fail(field: string, why: string): never {
  throw new AcdTypeError('ACD_ERR_INVALID_ARGUMENT', `${field}: ${why}`);
}

function nonNegative(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(field, 'must be a finite number >= 0');
  return v;
}

function positive(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(field, 'must be a finite number > 0');
  return v;
}

function share(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(field, 'must be a share from 0 to 1');
  return v;
}

function optionalNonNegative(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  return nonNegative(v, field, 0);
}

export function normalizeLevels(levels: unknown, field: string): Array<readonly [string, number]> {
  if (levels === undefined) return [];
  if (levels === null || typeof levels !== 'object' || Array.isArray(levels)) fail(field, 'must be an object of name -> level');
  const out: Array<readonly [string, number]> = [];
  for (const [name, level] of Object.entries(levels as Record<string, unknown>)) {
    if (name.length === 0) fail(field, 'names must not be empty');
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 5) {
      fail(`${field}.${name}`, 'level must be an integer 1..5');
    }
    out.push([name, level]);
  }
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}

function optionalLanguage(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length === 0) fail(field, 'must be a non-empty string');
  return v;
}

export function normalizeOverflow(v: unknown, field: string): OverflowTarget {
  if (v === undefined || v === null) return { action: 'hangup' };
  if (typeof v !== 'object' || Array.isArray(v)) fail(field, 'must be { queue } or { action }');
  const o = v as Record<string, unknown>;
  if ('queue' in o) {
    if (typeof o.queue !== 'string' || o.queue.length === 0) fail(`${field}.queue`, 'must be a queue id');
    return { queue: o.queue };
  }
  if (o.action === 'hangup' || o.action === 'callback' || o.action === 'voicemail') return { action: o.action };
  return fail(`${field}.action`, "must be 'hangup', 'callback' or 'voicemail'");
}

export function normalizeQueueConfig(cfg: QueueConfig, defaults: { ringTimeoutMs: number; knownAgentMs: number }): NormalizedQueue {
  if (cfg === null || typeof cfg !== 'object') fail('config', 'must be an object');
  const strategy = cfg.strategy ?? 'longest-idle';
  if (!STRATEGIES.includes(strategy)) fail('strategy', `must be one of ${STRATEGIES.join(', ')}`);
  const priority = cfg.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) fail('priority', 'must be a finite number');
  const baseSkills = normalizeLevels(cfg.skills, 'skills');
  const baseLang = optionalLanguage(cfg.language, 'language');
  const levels: LevelRequirements[] = [{ skills: baseSkills, language: baseLang, languageFromStep: false }];
  const afterMs: number[] = [0];
  const steps = cfg.steps ?? [];
  if (!Array.isArray(steps)) fail('steps', 'must be an array');
  const order = steps.map((s, i) => ({ s, i }));
  for (const { s, i } of order) {
    if (s === null || typeof s !== 'object') fail(`steps[${i}]`, 'must be an object');
    nonNegative(s.afterSeconds, `steps[${i}].afterSeconds`, Number.NaN);
    if (s.afterSeconds === undefined) fail(`steps[${i}].afterSeconds`, 'is required');
  }
  order.sort((a, b) => a.s.afterSeconds - b.s.afterSeconds || a.i - b.i);
  let prev = levels[0]!;
  for (const { s, i } of order) {
    const skills = s.skills === undefined ? prev.skills : normalizeLevels(s.skills, `steps[${i}].skills`);
    let language = prev.language;
    let fromStep = prev.languageFromStep;
    if (s.language !== undefined) {
      language = optionalLanguage(s.language, `steps[${i}].language`);
      fromStep = true;
    }
    prev = { skills, language, languageFromStep: fromStep };
    levels.push(prev);
    afterMs.push(s.afterSeconds * 1000);
  }
  const sl = cfg.serviceLevel;
  if (sl !== undefined && (sl === null || typeof sl !== 'object')) fail('serviceLevel', 'must be { thresholdSeconds, target }');
  const maxLength = optionalNonNegative(cfg.maxLength, 'maxLength');
  if (maxLength !== null && !Number.isInteger(maxLength)) fail('maxLength', 'must be an integer');
  return {
    strategy,
    priority,
    wrapUpMs: nonNegative(cfg.wrapUpSeconds, 'wrapUpSeconds', 0) * 1000,
    maxWaitMs: cfg.maxWaitSeconds === undefined || cfg.maxWaitSeconds === null ? null : nonNegative(cfg.maxWaitSeconds, 'maxWaitSeconds', 0) * 1000,
    maxLength,
    overflow: normalizeOverflow(cfg.overflow, 'overflow'),
    levels,
    afterMs,
    ringTimeoutMs: cfg.ringTimeoutSeconds === undefined ? defaults.ringTimeoutMs : positive(cfg.ringTimeoutSeconds, 'ringTimeoutSeconds', 0) * 1000,
    knownAgentMs: cfg.knownAgentSeconds === undefined ? defaults.knownAgentMs : nonNegative(cfg.knownAgentSeconds, 'knownAgentSeconds', 0) * 1000,
    expectedHandleMs: nonNegative(cfg.expectedHandleSeconds, 'expectedHandleSeconds', 180) * 1000,
    positionUpdateMs: nonNegative(cfg.positionUpdateSeconds, 'positionUpdateSeconds', 5) * 1000,
    serviceLevel: sl
      ? { thresholdSeconds: nonNegative(sl.thresholdSeconds, 'serviceLevel.thresholdSeconds', 20), target: share(sl.target, 'serviceLevel.target', 0.8) }
      : null,
  };
}

export interface NormalizedAgent {
  readonly skills: ReadonlyArray<readonly [string, number]>;
  readonly languages: ReadonlyArray<readonly [string, number]>;
}

export function normalizeAgentProfile(p: AgentProfile): NormalizedAgent {
  if (p === null || typeof p !== 'object') fail('profile', 'must be an object');
  return { skills: normalizeLevels(p.skills, 'skills'), languages: normalizeLevels(p.languages, 'languages') };
}

export interface NormalizedCallOptions {
  readonly priority: number;
  readonly language: string | null;
  readonly skills: ReadonlyArray<readonly [string, number]>;
  readonly context: unknown;
  readonly knownAgentId: string | null;
  /** The call's own known-agent time (ms), or null for the queue's. */
  readonly knownAgentMs: number | null;
  /** How long the call's own skills apply (ms of waiting in the queue), or null: as long as it waits. */
  readonly skillsMs: number | null;
}

export function normalizeCallOptions(o: CallOptions | undefined): NormalizedCallOptions {
  if (o === undefined) return NO_OPTIONS;
  if (o === null || typeof o !== 'object') fail('options', 'must be an object');
  const priority = o.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) fail('options.priority', 'must be a finite number');
  if (o.knownAgentId !== undefined && (typeof o.knownAgentId !== 'string' || o.knownAgentId === '')) fail('options.knownAgentId', 'must be an agent id');
  return {
    priority,
    language: optionalLanguage(o.language, 'options.language'),
    skills: normalizeLevels(o.skills, 'options.skills'),
    context: o.context,
    knownAgentId: o.knownAgentId ?? null,
    knownAgentMs: o.knownAgentSeconds === undefined ? null : nonNegative(o.knownAgentSeconds, 'options.knownAgentSeconds', 0) * 1000,
    skillsMs: o.skillsSeconds === undefined ? null : nonNegative(o.skillsSeconds, 'options.skillsSeconds', 0) * 1000,
  };
}

const NO_OPTIONS: NormalizedCallOptions = Object.freeze({ priority: 0, language: null, skills: [], context: undefined, knownAgentId: null, knownAgentMs: null, skillsMs: null });

/** Requirements of a call at a level (>= 0): the level's skills merged with the call's (higher minimum wins). */
export function effectiveRequirements(q: NormalizedQueue, level: number, callLanguage: string | null, callSkills: ReadonlyArray<readonly [string, number]>): Requirements {
  const lv = q.levels[level]!;
  const language = lv.languageFromStep ? lv.language : (callLanguage ?? lv.language);
  if (callSkills.length === 0) return { skills: lv.skills, language };
  const merged = new Map<string, number>(lv.skills);
  for (const [s, l] of callSkills) merged.set(s, Math.max(l, merged.get(s) ?? 0));
  const skills = [...merged.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { skills, language };
}

/** The level that applies after waiting waitMs; knownMs: how long the call waits for its known agent only (0: not). */
export function levelAt(q: NormalizedQueue, waitMs: number, knownMs: number): number {
  if (waitMs < knownMs) return -1;
  let level = 0;
  const a = q.afterMs;
  for (let i = 1; i < a.length; i++) if (a[i]! <= waitMs) level = i;
  return level;
}

/**
 * The next wait (ms) at which the level or the use of the call's own skills changes, or -1 when nothing
 * changes again. skillsMs: how long the call's own skills apply (-1: as long as it waits, or it has none).
 */
export function nextThreshold(q: NormalizedQueue, waitMs: number, knownMs: number, skillsMs: number): number {
  let next = -1;
  if (waitMs < knownMs) next = knownMs;
  // (a window that ends within the known-agent phase changes nothing: its end is no threshold)
  else if (skillsMs > waitMs) next = skillsMs;
  const a = q.afterMs;
  for (let i = 1; i < a.length; i++) {
    const t = a[i]!;
    if (t > waitMs) {
      if (next < 0 || t < next) next = t;
      break;
    }
  }
  return next;
}

/** most-skilled score of an agent for requirements: sum of its levels in the required skills and language. */
export function skillScore(req: Requirements, skillOf: (s: string) => number, langOf: (l: string) => number): number {
  let score = 0;
  for (const [s] of req.skills) score += skillOf(s);
  if (req.language !== null) score += langOf(req.language);
  return score;
}

/** What a call asks for itself (its language and skills) as one string: equal strings make equal requirements at every level. */
export function callRequirementsKey(language: string | null, skills: ReadonlyArray<readonly [string, number]>): string {
  return requirementsKey({ language, skills });
}

export function requirementsKey(req: Requirements): string {
  let k = req.language === null ? '*' : `L${req.language}`;
  for (const [s, l] of req.skills) k += `|${s}:${l}`;
  return k;
}

export function levelsObject(levels: SkillLevels | undefined): SkillLevels {
  return levels ?? {};
}

/** Out-parameter of resolveLevel (reused, so resolving allocates nothing). */
export interface LevelResolution {
  level: number;
  /** Absolute time (ms) of the next level change, or -1. */
  deadline: number;
  /** The wait (ms since entry) at which that change happens, or -1. */
  threshold: number;
  /** True while the call's own skills apply (see the top of this file). */
  ownSkills: boolean;
}

/**
 * The level of a call that entered its queue at `entered`, at time `now`, whether its own skills still apply
 * (skillsMs: for how long, -1 = as long as it waits), and when either next changes. Thresholds whose absolute
 * time is <= now count as passed even if float rounding says otherwise, so a step timer firing at its
 * deadline always moves the call on.
 */
export function resolveLevel(q: NormalizedQueue, entered: number, now: number, knownMs: number, skillsMs: number, out: LevelResolution): void {
  let wait = now - entered;
  let next = nextThreshold(q, wait, knownMs, skillsMs);
  while (next >= 0 && entered + next <= now) {
    wait = next;
    next = nextThreshold(q, wait, knownMs, skillsMs);
  }
  out.level = levelAt(q, wait, knownMs);
  out.ownSkills = skillsMs < 0 || wait < skillsMs;
  out.deadline = next < 0 ? -1 : entered + next;
  out.threshold = next;
}
