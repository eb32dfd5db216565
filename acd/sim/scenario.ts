/**
 * Simulator scenario: types and strict validation (see shared/acd-simulator.md). Unknown fields, negative
 * or missing required values, and references to unknown queues or skills are rejected with a ScenarioError
 * that names the field.
 */
import { STRATEGIES, type OverflowTarget, type Strategy } from '../types.ts';
import type { Distribution } from './prng.ts';

export interface ScenarioStep {
  readonly afterSeconds: number;
  readonly skills?: Record<string, number>;
  readonly language?: string | null;
}

export interface ScenarioQueue {
  readonly id: string;
  readonly skills: Record<string, number>;
  readonly language: string | null;
  readonly strategy: Strategy;
  readonly priority: number;
  readonly wrapUpSeconds: number;
  readonly maxWaitSeconds: number | null;
  readonly maxLength: number | null;
  readonly overflow: OverflowTarget | null;
  readonly steps: ScenarioStep[];
}

export interface ScenarioAgentGroup {
  readonly id: string;
  readonly count: number;
  readonly skills: Record<string, number>;
  readonly languages: Record<string, number>;
}

export interface ScenarioArrival {
  readonly queue: string;
  readonly ratePerHour: number;
  readonly handleSeconds: Distribution;
  readonly patienceSeconds: Distribution | null;
}

export interface Scenario {
  readonly seed: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly serviceLevelSeconds: number;
  readonly queues: ScenarioQueue[];
  readonly agentGroups: ScenarioAgentGroup[];
  readonly arrivals: ScenarioArrival[];
}

export class ScenarioError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ScenarioError';
  }
}

type Obj = Record<string, unknown>;

function fail(field: string, reason: string): never {
  throw new ScenarioError(field, reason);
}

function object(v: unknown, field: string, allowed: readonly string[]): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(field, 'must be an object');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(`${field}.${k}`, 'unknown field');
  return v as Obj;
}

function num(o: Obj, key: string, field: string, opts: { required: boolean; dflt?: number; integer?: boolean; positive?: boolean }): number {
  const v = o[key];
  if (v === undefined) {
    if (opts.required || opts.dflt === undefined) fail(`${field}.${key}`, 'is required');
    return opts.dflt;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${field}.${key}`, 'must be a number');
  if (v < 0) fail(`${field}.${key}`, 'must not be negative');
  if (opts.positive && v === 0) fail(`${field}.${key}`, 'must be greater than 0');
  if (opts.integer && !Number.isInteger(v)) fail(`${field}.${key}`, 'must be an integer');
  return v;
}

function nullableNum(o: Obj, key: string, field: string, integer = false): number | null {
  if (o[key] === undefined || o[key] === null) return null;
  return num(o, key, field, { required: true, integer });
}

function str(o: Obj, key: string, field: string): string {
  const v = o[key];
  if (v === undefined) fail(`${field}.${key}`, 'is required');
  if (typeof v !== 'string' || v.length === 0) fail(`${field}.${key}`, 'must be a non-empty string');
  return v;
}

function levels(v: unknown, field: string): Record<string, number> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(field, 'must be an object of name -> level');
  // (no prototype: a name such as "__proto__" is a key like any other)
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [k, l] of Object.entries(v)) {
    if (k.length === 0) fail(field, 'names must not be empty');
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 1 || l > 5) fail(`${field}.${k}`, 'must be an integer level 1..5');
    out[k] = l;
  }
  return out;
}

function language(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length === 0) fail(field, 'must be a language code');
  return v;
}

function distribution(v: unknown, field: string): Distribution {
  const o = object(v, field, ['dist', 'mean', 'sd']);
  const kind = o.dist;
  if (kind === undefined) fail(`${field}.dist`, 'is required');
  if (kind !== 'exponential' && kind !== 'fixed' && kind !== 'lognormal') fail(`${field}.dist`, "must be 'exponential', 'fixed' or 'lognormal'");
  const mean = num(o, 'mean', field, { required: true, positive: kind === 'exponential' });
  if (kind === 'lognormal') return { dist: kind, mean, sd: num(o, 'sd', field, { required: true }) };
  if (o.sd !== undefined) fail(`${field}.sd`, `unknown field for dist '${kind}'`);
  return { dist: kind, mean };
}

function array(v: unknown, field: string, nonEmpty: boolean): unknown[] {
  if (v === undefined) fail(field, 'is required');
  if (!Array.isArray(v)) fail(field, 'must be an array');
  if (nonEmpty && v.length === 0) fail(field, 'must not be empty');
  return v;
}

export function parseScenario(raw: unknown): Scenario {
  const top = object(raw, 'scenario', ['seed', 'durationSeconds', 'warmupSeconds', 'serviceLevelSeconds', 'queues', 'agentGroups', 'arrivals']);
  const seed = num(top, 'seed', 'scenario', { required: true, integer: true });
  const durationSeconds = num(top, 'durationSeconds', 'scenario', { required: true, positive: true });
  const warmupSeconds = num(top, 'warmupSeconds', 'scenario', { required: false, dflt: 0 });
  if (warmupSeconds >= durationSeconds) fail('scenario.warmupSeconds', 'must be less than durationSeconds');
  const serviceLevelSeconds = num(top, 'serviceLevelSeconds', 'scenario', { required: false, dflt: 20 });

  const agentGroups = array(top.agentGroups, 'scenario.agentGroups', false).map((g, i): ScenarioAgentGroup => {
    const f = `scenario.agentGroups[${i}]`;
    const o = object(g, f, ['id', 'count', 'skills', 'languages']);
    return { id: str(o, 'id', f), count: num(o, 'count', f, { required: true, integer: true }), skills: levels(o.skills, `${f}.skills`), languages: levels(o.languages, `${f}.languages`) };
  });
  const groupIds = new Set<string>();
  agentGroups.forEach((g, i) => {
    if (groupIds.has(g.id)) fail(`scenario.agentGroups[${i}].id`, `duplicate id '${g.id}'`);
    groupIds.add(g.id);
  });
  const knownSkills = new Set(agentGroups.flatMap((g) => Object.keys(g.skills)));
  const checkSkills = (s: Record<string, number>, field: string) => {
    for (const k of Object.keys(s)) if (!knownSkills.has(k)) fail(`${field}.${k}`, `unknown skill '${k}' (no agent group has it)`);
  };

  const queueList = array(top.queues, 'scenario.queues', true);
  const queues = queueList.map((q, i): ScenarioQueue => {
    const f = `scenario.queues[${i}]`;
    const o = object(q, f, ['id', 'skills', 'language', 'strategy', 'priority', 'wrapUpSeconds', 'maxWaitSeconds', 'maxLength', 'overflow', 'steps']);
    const strategy = o.strategy === undefined ? 'longest-idle' : o.strategy;
    if (!STRATEGIES.includes(strategy as Strategy)) fail(`${f}.strategy`, `must be one of ${STRATEGIES.join(', ')}`);
    const skills = levels(o.skills, `${f}.skills`);
    checkSkills(skills, `${f}.skills`);
    let overflow: OverflowTarget | null = null;
    if (o.overflow !== undefined && o.overflow !== null) {
      const ov = object(o.overflow, `${f}.overflow`, ['queue', 'action']);
      if (ov.queue !== undefined && ov.action !== undefined) fail(`${f}.overflow`, 'give either queue or action');
      if (ov.queue !== undefined) overflow = { queue: str(ov, 'queue', `${f}.overflow`) };
      else if (ov.action === 'hangup' || ov.action === 'voicemail' || ov.action === 'callback') overflow = { action: ov.action };
      else fail(`${f}.overflow.action`, "must be 'hangup', 'voicemail' or 'callback' (or give queue)");
    }
    const steps = (o.steps === undefined || o.steps === null ? [] : array(o.steps, `${f}.steps`, false)).map((s, j): ScenarioStep => {
      const sf = `${f}.steps[${j}]`;
      const so = object(s, sf, ['afterSeconds', 'skills', 'language']);
      const step: { afterSeconds: number; skills?: Record<string, number>; language?: string | null } = { afterSeconds: num(so, 'afterSeconds', sf, { required: true }) };
      if (so.skills !== undefined) {
        step.skills = levels(so.skills, `${sf}.skills`);
        checkSkills(step.skills, `${sf}.skills`);
      }
      if (so.language !== undefined) step.language = language(so.language, `${sf}.language`);
      return step;
    });
    return {
      id: str(o, 'id', f),
      skills,
      language: language(o.language, `${f}.language`),
      strategy: strategy as Strategy,
      priority: num(o, 'priority', f, { required: false, dflt: 0 }),
      wrapUpSeconds: num(o, 'wrapUpSeconds', f, { required: false, dflt: 0 }),
      maxWaitSeconds: nullableNum(o, 'maxWaitSeconds', f),
      maxLength: nullableNum(o, 'maxLength', f, true),
      overflow,
      steps,
    };
  });
  const queueIds = new Set<string>();
  queues.forEach((q, i) => {
    if (queueIds.has(q.id)) fail(`scenario.queues[${i}].id`, `duplicate id '${q.id}'`);
    queueIds.add(q.id);
  });
  queues.forEach((q, i) => {
    if (q.overflow !== null && 'queue' in q.overflow && !queueIds.has(q.overflow.queue)) {
      fail(`scenario.queues[${i}].overflow.queue`, `unknown queue '${q.overflow.queue}'`);
    }
  });

  const arrivals = array(top.arrivals, 'scenario.arrivals', false).map((a, i): ScenarioArrival => {
    const f = `scenario.arrivals[${i}]`;
    const o = object(a, f, ['queue', 'ratePerHour', 'handleSeconds', 'patienceSeconds']);
    const queue = str(o, 'queue', f);
    if (!queueIds.has(queue)) fail(`${f}.queue`, `unknown queue '${queue}'`);
    if (o.handleSeconds === undefined) fail(`${f}.handleSeconds`, 'is required');
    return {
      queue,
      ratePerHour: num(o, 'ratePerHour', f, { required: true }),
      handleSeconds: distribution(o.handleSeconds, `${f}.handleSeconds`),
      patienceSeconds: o.patienceSeconds === undefined || o.patienceSeconds === null ? null : distribution(o.patienceSeconds, `${f}.patienceSeconds`),
    };
  });
  return { seed, durationSeconds, warmupSeconds, serviceLevelSeconds, queues, agentGroups, arrivals };
}
