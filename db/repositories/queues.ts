import { type Kysely, type Transaction, sql } from 'kysely';
import { DuplicateError, InUseError, UnknownReferenceError, isUniqueViolation } from '../errors.ts';
import type { Announcements, Database, OpeningHours, OverflowTarget, PageRule, QueueRow, RoutingStep, Strategy } from '../schema.ts';
import { checkDialNameFree, lockDialPlan } from './dial-plan.ts';
import { menusGoingTo } from './ivr-menus.ts';
import type { Page, PageRequest } from './page.ts';
import { resolveSkillIds } from './skills.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A queue as the API and the ACD see it. */
export interface Queue {
  id: number;
  name: string;
  description: string;
  skills: Record<string, number>;
  language: string | null;
  strategy: Strategy;
  priority: number;
  serviceLevel: { thresholdSeconds: number; target: number };
  wrapUpSeconds: number;
  ringTimeoutSeconds: number;
  maxWaitSeconds: number | null;
  maxLength: number | null;
  overflow: OverflowTarget | null;
  steps: RoutingStep[];
  announcements: Announcements;
  knownAgentSeconds: number;
  /** the dispositions (wrap-up codes) an agent picks from for a call of this queue; empty: none asked */
  dispositions: string[];
  /** the agent cannot end wrap-up early before filing the call under one of them (the wrap-up time still ends it) */
  dispositionRequired: boolean;
  /** its calls are recorded (both parties, stereo), from the agent's answer to the end */
  recordCalls: boolean;
  /** after the agent hangs up, the caller is asked to rate the call (1–5) */
  survey: boolean;
  /** a waiting phone caller may press 2 to leave a message instead of waiting */
  voicemailKey: boolean;
  /** outside these hours the queue takes no new calls; null: always open */
  openingHours: OpeningHours | null;
  /** routing on a browser caller's page (category, URL): the first matching rule adds skills and priority */
  pageRules: PageRule[];
  /** closed by a supervisor until then, whatever the opening hours say (setQueueClosedUntil); null: not */
  closedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type QueueInput = Partial<Omit<Queue, 'id' | 'createdAt' | 'updatedAt' | 'closedUntil'>> & { name: string };

export const DEFAULT_ANNOUNCEMENTS: Announcements = {
  position: true,
  estimatedWait: true,
  periodicSeconds: 30,
  musicOnHold: 'default',
  greeting: ['all-agents-busy'],
};

function toRow(input: Partial<QueueInput>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  if (input.name !== undefined) row.name = input.name;
  if (input.description !== undefined) row.description = input.description;
  if (input.language !== undefined) row.language = input.language;
  if (input.strategy !== undefined) row.strategy = input.strategy;
  if (input.priority !== undefined) row.priority = input.priority;
  if (input.serviceLevel !== undefined) {
    row.sl_threshold_seconds = input.serviceLevel.thresholdSeconds;
    row.sl_target = input.serviceLevel.target;
  }
  if (input.wrapUpSeconds !== undefined) row.wrap_up_seconds = input.wrapUpSeconds;
  if (input.ringTimeoutSeconds !== undefined) row.ring_timeout_seconds = input.ringTimeoutSeconds;
  if (input.maxWaitSeconds !== undefined) row.max_wait_seconds = input.maxWaitSeconds;
  if (input.maxLength !== undefined) row.max_length = input.maxLength;
  if (input.overflow !== undefined) row.overflow = JSON.stringify(input.overflow);
  if (input.steps !== undefined) row.steps = JSON.stringify(input.steps);
  if (input.announcements !== undefined) row.announcements = JSON.stringify(input.announcements);
  if (input.knownAgentSeconds !== undefined) row.known_agent_seconds = input.knownAgentSeconds;
  if (input.dispositions !== undefined) row.dispositions = JSON.stringify(input.dispositions);
  if (input.dispositionRequired !== undefined) row.disposition_required = input.dispositionRequired;
  if (input.recordCalls !== undefined) row.record_calls = input.recordCalls;
  if (input.survey !== undefined) row.survey = input.survey;
  if (input.voicemailKey !== undefined) row.voicemail_key = input.voicemailKey;
  if (input.openingHours !== undefined) row.opening_hours = JSON.stringify(input.openingHours);
  if (input.pageRules !== undefined) row.page_rules = JSON.stringify(input.pageRules);
  return row;
}

/** Checks every name the queue refers to: required skills, skills in steps and page rules, the overflow queue. */
async function checkReferences(tx: Transaction<Database>, input: Partial<QueueInput>, selfName: string): Promise<void> {
  if (input.steps !== undefined) {
    for (const [i, step] of input.steps.entries()) {
      await resolveSkillIds(tx, Object.keys(step.skills ?? {}), `steps[${i}].skills`);
    }
  }
  for (const [i, rule] of (input.pageRules ?? []).entries()) {
    await resolveSkillIds(tx, Object.keys(rule.skills ?? {}), `pageRules[${i}].skills`);
  }
  if (input.overflow && 'queue' in input.overflow) {
    const target = input.overflow.queue;
    if (target === selfName) throw new UnknownReferenceError('overflow.queue', `${target} (a queue cannot overflow to itself)`);
    const row = await tx.selectFrom('queues').select('id').where('name', '=', target).executeTakeFirst();
    if (row === undefined) throw new UnknownReferenceError('overflow.queue', target);
  }
}

async function writeSkills(tx: Transaction<Database>, queueId: number, skills: Record<string, number> | undefined) {
  if (skills === undefined) return;
  const ids = await resolveSkillIds(tx, Object.keys(skills), 'skills');
  await tx.deleteFrom('queue_skills').where('queue_id', '=', queueId).execute();
  const rows = Object.entries(skills).map(([name, min]) => ({ queue_id: queueId, skill_id: ids.get(name)!, min_level: min }));
  if (rows.length > 0) await tx.insertInto('queue_skills').values(rows).execute();
}

export async function createQueue(db: Kysely<Database>, input: QueueInput): Promise<Queue> {
  return db.transaction().execute(async (tx) => {
    await lockDialPlan(tx);
    await checkDialNameFree(tx, input.name, 'queue');
    await checkReferences(tx, input, input.name);
    const row = {
      strategy: 'longest-idle',
      announcements: JSON.stringify(DEFAULT_ANNOUNCEMENTS),
      steps: '[]',
      overflow: null,
      ...toRow(input),
    };
    let created: { id: number };
    try {
      created = await tx.insertInto('queues').values(row as never).returning('id').executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('queue', 'name', input.name);
      throw err;
    }
    await writeSkills(tx, created.id, input.skills ?? {});
    return (await loadQueues(tx, [created.id]))[0]!;
  });
}

export async function updateQueue(db: Kysely<Database>, id: number, input: Partial<QueueInput>): Promise<Queue | undefined> {
  return db.transaction().execute(async (tx) => {
    if (input.name !== undefined) await lockDialPlan(tx);
    const existing = await tx.selectFrom('queues').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
    if (existing === undefined) return undefined;
    if (input.name !== undefined && input.name !== existing.name) await checkDialNameFree(tx, input.name, 'queue');
    await checkReferences(tx, input, input.name ?? existing.name);
    try {
      await tx.updateTable('queues').set({ ...toRow(input), updated_at: new Date() }).where('id', '=', id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('queue', 'name', input.name ?? '');
      throw err;
    }
    await writeSkills(tx, id, input.skills);
    return (await loadQueues(tx, [id]))[0];
  });
}

export async function deleteQueue(db: Kysely<Database>, id: number): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await lockDialPlan(tx);
    const row = await tx.selectFrom('queues').select('name').where('id', '=', id).executeTakeFirst();
    if (row === undefined) return false;
    const users = await tx
      .selectFrom('queues')
      .select('name')
      .where('id', '!=', id)
      .where(sql<string>`overflow->>'queue'`, '=', row.name)
      .execute();
    if (users.length > 0) throw new InUseError(`queue ${row.name} is the overflow target of ${users.map((u) => u.name).join(', ')}`);
    const menus = await menusGoingTo(tx, { queueId: id });
    if (menus.length > 0) throw new InUseError(`queue ${row.name} is a target of IVR menu ${menus.map((m) => m.name).join(', ')}`);
    await tx.deleteFrom('queues').where('id', '=', id).execute();
    return true;
  });
}

/** Closes a queue until `until` whatever its hours say, or (null) lifts that; the queue, undefined when there is none. */
export async function setQueueClosedUntil(db: Kysely<Database>, id: number, until: Date | null): Promise<Queue | undefined> {
  const r = await db.updateTable('queues').set({ closed_until: until, updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0 ? getQueue(db, id) : undefined;
}

export async function getQueue(db: Db, id: number): Promise<Queue | undefined> {
  return (await loadQueues(db, [id]))[0];
}

export async function getQueueByName(db: Db, name: string): Promise<Queue | undefined> {
  const row = await db.selectFrom('queues').select('id').where('name', '=', name).executeTakeFirst();
  return row ? getQueue(db, row.id) : undefined;
}

export async function listQueues(db: Db, page: PageRequest): Promise<Page<Queue>> {
  const [rows, count] = await Promise.all([
    db.selectFrom('queues').select('id').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    db.selectFrom('queues').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await loadQueues(db, rows.map((r) => r.id)), total: Number(count.n), ...page };
}

export async function listAllQueues(db: Db): Promise<Queue[]> {
  const rows = await db.selectFrom('queues').select('id').orderBy('id').execute();
  return loadQueues(db, rows.map((r) => r.id));
}

function fromRow(q: QueueRow, skills: Record<string, number>): Queue {
  return {
    id: q.id,
    name: q.name,
    description: q.description,
    skills,
    language: q.language,
    strategy: q.strategy,
    priority: q.priority,
    serviceLevel: { thresholdSeconds: q.sl_threshold_seconds, target: q.sl_target },
    wrapUpSeconds: q.wrap_up_seconds,
    ringTimeoutSeconds: q.ring_timeout_seconds,
    maxWaitSeconds: q.max_wait_seconds,
    maxLength: q.max_length,
    overflow: q.overflow,
    steps: q.steps,
    announcements: q.announcements,
    knownAgentSeconds: q.known_agent_seconds,
    dispositions: q.dispositions,
    dispositionRequired: q.disposition_required,
    recordCalls: q.record_calls,
    survey: q.survey,
    voicemailKey: q.voicemail_key,
    openingHours: q.opening_hours ?? null,
    pageRules: q.page_rules ?? [],
    closedUntil: q.closed_until === null ? null : new Date(q.closed_until),
    createdAt: q.created_at,
    updatedAt: q.updated_at,
  };
}

async function loadQueues(db: Db, ids: number[]): Promise<Queue[]> {
  if (ids.length === 0) return [];
  const [rows, skills] = await Promise.all([
    db.selectFrom('queues').selectAll().where('id', 'in', ids).orderBy('id').execute(),
    db
      .selectFrom('queue_skills')
      .innerJoin('skills', 'skills.id', 'queue_skills.skill_id')
      .select(['queue_skills.queue_id', 'skills.name', 'queue_skills.min_level'])
      .where('queue_skills.queue_id', 'in', ids)
      .execute(),
  ]);
  return rows.map((q) =>
    fromRow(q, Object.fromEntries(skills.filter((s) => s.queue_id === q.id).map((s) => [s.name, s.min_level]))),
  );
}
