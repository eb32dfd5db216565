import type { Kysely } from 'kysely';
import { queueTraffic } from '../../db/repositories/queue-stats.ts';
import { listAllQueues } from '../../db/repositories/queues.ts';
import { listAllAgents } from '../../db/repositories/users.ts';
import type { Database } from '../../db/schema.ts';

/** How far back the traffic of a what-if scenario is read, and what a queue without traffic is given. */
const HISTORY_DAYS = 7;
const ASSUMED_RATE = 10;
const ASSUMED_HANDLE_SECONDS = 180;

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * A simulator scenario (shared/acd-simulator.md) of the live configuration: every queue with its requirements,
 * strategy, wrap-up, max wait, overflow and steps; the agents grouped by identical skills and languages; and for each
 * queue the calls an hour and the handle time of the last seven days. An admin edits it (a new step, more agents, a
 * busier day) and runs it before the change goes live. `notes` say what could not be carried over, and why.
 */
export async function scenarioFromConfig(db: Kysely<Database>, hours: number, now = Date.now()): Promise<{ scenario: Record<string, unknown>; notes: string[] }> {
  const notes: string[] = [];
  const [queues, agents, traffic] = await Promise.all([
    listAllQueues(db),
    listAllAgents(db),
    queueTraffic(db, { from: new Date(now - HISTORY_DAYS * 86_400_000), to: new Date(now) }),
  ]);
  const groups = new Map<string, { skills: Record<string, number>; languages: Record<string, number>; logins: string[] }>();
  for (const a of agents.filter((x) => !x.disabled)) {
    const key = JSON.stringify([Object.entries(a.skills).sort(), Object.entries(a.languages).sort()]);
    const g = groups.get(key) ?? { skills: a.skills, languages: a.languages, logins: [] };
    g.logins.push(a.login);
    groups.set(key, g);
  }
  const agentGroups = [...groups.values()].map((g, i) => ({ id: `agents-${i + 1}`, count: g.logins.length, skills: g.skills, languages: g.languages }));
  [...groups.values()].forEach((g, i) => notes.push(`agents-${i + 1}: ${g.logins.join(', ')}`));
  const known = new Set(agentGroups.flatMap((g) => Object.keys(g.skills)));
  const unknownSkill = (skills: Record<string, number> | undefined) => Object.keys(skills ?? {}).find((s) => !known.has(s));

  const kept = queues.filter((q) => {
    const missing = unknownSkill(q.skills);
    if (missing !== undefined) notes.push(`queue ${q.name} left out: no agent has skill ${missing}`);
    return missing === undefined;
  });
  const names = new Set(kept.map((q) => q.name));
  const scenarioQueues = kept.map((q) => {
    let overflow: unknown = null;
    if (q.overflow !== null && 'queue' in q.overflow) {
      if (names.has(q.overflow.queue)) overflow = { queue: q.overflow.queue };
      else notes.push(`queue ${q.name}: its overflow to ${q.overflow.queue} is left out with that queue`);
    } else if (q.overflow !== null) overflow = { action: q.overflow.action };
    const steps = q.steps.filter((s) => {
      const missing = unknownSkill(s.skills);
      if (missing !== undefined) notes.push(`queue ${q.name}: the step after ${s.afterSeconds} s is left out (no agent has skill ${missing})`);
      return missing === undefined;
    });
    return {
      id: q.name,
      skills: q.skills,
      language: q.language,
      strategy: q.strategy,
      priority: q.priority,
      wrapUpSeconds: q.wrapUpSeconds,
      maxWaitSeconds: q.maxWaitSeconds,
      ...(q.maxLength !== null ? { maxLength: q.maxLength } : {}),
      overflow,
      steps,
    };
  });
  const byQueue = new Map(traffic.map((t) => [t.queueId, t]));
  const arrivals = kept.map((q) => {
    const t = byQueue.get(q.id);
    const rate = t === undefined ? 0 : round1(t.offered / (HISTORY_DAYS * 24));
    if (rate <= 0) notes.push(`queue ${q.name}: no calls in the last ${HISTORY_DAYS} days; ${ASSUMED_RATE} an hour assumed`);
    const handle = t !== undefined && t.handled > 0 ? round1((t.talkSeconds + t.wrapUpSeconds) / t.handled) : ASSUMED_HANDLE_SECONDS;
    return { queue: q.name, ratePerHour: rate > 0 ? rate : ASSUMED_RATE, handleSeconds: { dist: 'exponential', mean: Math.max(1, handle) } };
  });
  // one service-level threshold for the whole scenario: the one most queues use
  const thresholds = new Map<number, number>();
  for (const q of kept) thresholds.set(q.serviceLevel.thresholdSeconds, (thresholds.get(q.serviceLevel.thresholdSeconds) ?? 0) + 1);
  const serviceLevelSeconds = [...thresholds.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 20;
  const durationSeconds = hours * 3600;
  return {
    scenario: {
      seed: 1,
      durationSeconds,
      warmupSeconds: Math.min(3600, durationSeconds / 10),
      serviceLevelSeconds,
      queues: scenarioQueues,
      agentGroups,
      arrivals,
    },
    notes,
  };
}
