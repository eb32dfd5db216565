import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/connect.ts';
import { DuplicateError, InUseError, InvalidValueError, UnknownReferenceError } from '../../db/errors.ts';
import { migrateTo, migrateToLatest } from '../../db/migrate.ts';
import { eraseCallsBefore, eraseCustomer, openCallbacksOf } from '../../db/repositories/erase.ts';
import { addToOutbox, readOutbox } from '../../db/repositories/webhook-outbox.ts';
import { earlierCalls, notesOfCalls, saveCallNote } from '../../db/repositories/call-notes.ts';
import { appendQueueEvents, getCall, insertCall, listCalls, listQueueEvents, setSurveyScore, updateCall } from '../../db/repositories/call-log.ts';
import { createCallback, listOpenCallbacks, setCallbackState } from '../../db/repositories/callbacks.ts';
import { createIvrMenu, deleteIvrMenu, getIvrMenu, getIvrMenuByName, listIvrMenus, updateIvrMenu } from '../../db/repositories/ivr-menus.ts';
import { agentActivity, dispositionCounts, queueTraffic } from '../../db/repositories/queue-stats.ts';
import { createQueue, deleteQueue, getQueueByName, listQueues, updateQueue } from '../../db/repositories/queues.ts';
import { findSipCredential, upsertSipCredential } from '../../db/repositories/sip-credentials.ts';
import { createSkill, deleteSkill, listSkills } from '../../db/repositories/skills.ts';
import { createAgent, getAgent, listAgents, updateAgent } from '../../db/repositories/users.ts';
import { callRecordingAudio, createCallRecording, deleteCallRecording, deleteCallRecordingsBefore, recordingsOfCall } from '../../db/repositories/call-recordings.ts';
import {
  countNewVoicemails, createVoicemail, deleteVoicemail, deleteVoicemailsBefore, listVoicemails, newVoicemailCounts, setVoicemailDone, voicemailAudio,
} from '../../db/repositories/voicemails.ts';
import { DATABASE_KINDS, type ScratchDatabase, scratchDatabase } from '../support/databases.ts';

describe.each(DATABASE_KINDS)('repositories on %s', (kind) => {
  let scratch: ScratchDatabase;
  let h: DatabaseHandle;
  beforeEach(async () => {
    scratch = await scratchDatabase(kind);
    h = await scratch.open();
  });
  afterEach(async () => {
    await h?.close();
    await scratch?.drop();
  });

  it('migrating again is a no-op', async () => {
    expect(await migrateToLatest(h.db)).toEqual([]);
  });

  it('a skill name is unique', async () => {
    await createSkill(h.db, { name: 'billing' });
    await expect(createSkill(h.db, { name: 'billing' })).rejects.toBeInstanceOf(DuplicateError);
    expect((await listSkills(h.db, { limit: 10, offset: 0 })).total).toBe(1);
  });

  it('an agent keeps skill and language levels', async () => {
    await createSkill(h.db, { name: 'billing' });
    await createSkill(h.db, { name: 'tech' });
    const a = await createAgent(h.db, {
      login: 'mari', name: 'Mari', passwordHash: 'x', skills: { billing: 4, tech: 2 }, languages: { et: 5, en: 3 },
    });
    expect(a).toMatchObject({ login: 'mari', skills: { billing: 4, tech: 2 }, languages: { et: 5, en: 3 }, sipUsername: null });
    const b = await updateAgent(h.db, a.id, { skills: { tech: 5 } });
    expect(b?.skills).toEqual({ tech: 5 });
    expect(b?.languages).toEqual({ et: 5, en: 3 });
  });

  it('an agent with an unknown skill is not created at all', async () => {
    await expect(
      createAgent(h.db, { login: 'x', name: 'X', passwordHash: 'x', skills: { nosuch: 3 } }),
    ).rejects.toBeInstanceOf(UnknownReferenceError);
    expect((await listAgents(h.db, { limit: 10, offset: 0 })).total).toBe(0);
  });

  it('a skill in use cannot be deleted', async () => {
    const s = await createSkill(h.db, { name: 'billing' });
    await createAgent(h.db, { login: 'a', name: 'A', passwordHash: 'x', skills: { billing: 1 } });
    await expect(deleteSkill(h.db, s.id)).rejects.toBeInstanceOf(InUseError);
  });

  it('SIP credentials store HA1s only and their usernames are unique', async () => {
    const a = await createAgent(h.db, { login: 'a', name: 'A', passwordHash: 'x' });
    const b = await createAgent(h.db, { login: 'b', name: 'B', passwordHash: 'x' });
    await upsertSipCredential(h.db, { userId: a.id, username: '1001', realm: 'r', ha1Md5: 'm', ha1Sha256: 's' });
    await upsertSipCredential(h.db, { userId: a.id, username: '1002', realm: 'r', ha1Md5: 'm2', ha1Sha256: 's2' });
    expect(await findSipCredential(h.db, '1001')).toBeUndefined();
    expect(await findSipCredential(h.db, '1002')).toMatchObject({ user_id: a.id, ha1_md5: 'm2' });
    await expect(
      upsertSipCredential(h.db, { userId: b.id, username: '1002', realm: 'r', ha1Md5: 'm', ha1Sha256: 's' }),
    ).rejects.toBeInstanceOf(DuplicateError);
    expect((await getAgent(h.db, a.id))?.sipUsername).toBe('1002');
  });

  it("queue traffic from the event log: offered, answered within each queue's threshold, wait, abandons, overflows, missed offers, handle time; per hour or day in a time zone", async () => {
    const sales = await createQueue(h.db, { name: 'sales', serviceLevel: { thresholdSeconds: 20, target: 0.8 } });
    const tech = await createQueue(h.db, { name: 'tech', serviceLevel: { thresholdSeconds: 60, target: 0.9 } });
    const since = new Date('2026-12-06T00:00:00Z');
    const at = (m: number) => new Date(since.getTime() + m * 60_000);
    const ev = (event: Parameters<typeof appendQueueEvents>[1][number]['event'], queueId: number, m: number, data: Record<string, unknown> = {}) =>
      ({ event, queueId, callId: `c${m}`, at: at(m), data });
    await appendQueueEvents(h.db, [
      ev('ENTERQUEUE', sales.id, -5), ev('CONNECT', sales.id, -4, { waited: 3 }), // the day before: not counted
      ev('ENTERQUEUE', sales.id, 1), ev('CONNECT', sales.id, 1, { waited: 20 }), // at the threshold: within
      ev('COMPLETECALLER', sales.id, 3, { talk: 100 }), ev('WRAPUPEND', sales.id, 4, { wrapUp: 10 }),
      ev('ENTERQUEUE', sales.id, 2), ev('RINGNOANSWER', sales.id, 2), ev('CONNECT', sales.id, 3, { waited: 40.5 }),
      ev('TRANSFER', sales.id, 5, { talk: 30, to: 'tech' }), ev('ENTERQUEUE', tech.id, 5),
      ev('ENTERQUEUE', sales.id, 4), ev('ABANDON', sales.id, 4, { waited: 7 }),
      ev('ENTERQUEUE', sales.id, 65), ev('OVERFLOW', sales.id, 66, { to: 'tech' }), // the next hour
      ev('ENTERQUEUE', tech.id, 66), ev('CONNECT', tech.id, 66, { waited: 40 }), // within tech's 60 s
      ev('ENTERQUEUE', tech.id, 67), ev('EXITWITHTIMEOUT', tech.id, 68, { action: 'voicemail' }), ev('VOICEMAIL', tech.id, 69, { voicemailId: 1, seconds: 12 }),
      ev('CALLBACKREQUESTED', sales.id, 11, { waited: 60 }), ev('CALLBACKFAILED', sales.id, 30, { attempts: 3 }), // a callback, given up
      ev('SURVEY', sales.id, 6, { score: 5, channel: 'sip' }), ev('SURVEY', sales.id, 7, { score: 2, channel: 'webrtc' }), // ratings: one satisfied of two
      ev('SURVEY', tech.id, 70, { score: 4, channel: 'sip' }),
    ]);
    await appendQueueEvents(h.db, [{ event: 'PAUSE', agentId: null, at: at(2) }]); // no queue: not counted
    const day = await queueTraffic(h.db, { from: since });
    expect(day).toEqual([
      {
        queueId: sales.id, start: since, offered: 4, answered: 2, answeredInThreshold: 1, waitSeconds: 60.5, abandoned: 1, overflowed: 1, missedOffers: 1,
        callbacksRequested: 1, callbacksFailed: 1, voicemailsLeft: 0, handled: 2, talkSeconds: 130, wrapUpSeconds: 10,
        surveys: 2, surveyScoreSum: 7, surveysSatisfied: 1,
      },
      {
        queueId: tech.id, start: since, offered: 3, answered: 1, answeredInThreshold: 1, waitSeconds: 40, abandoned: 0, overflowed: 1, missedOffers: 0,
        callbacksRequested: 0, callbacksFailed: 0, voicemailsLeft: 1, handled: 0, talkSeconds: 0, wrapUpSeconds: 0,
        surveys: 1, surveyScoreSum: 4, surveysSatisfied: 1,
      },
    ]);
    const hours = await queueTraffic(h.db, { from: since, interval: 'hour' });
    expect(hours.map((r) => [r.start.toISOString(), r.queueId, r.offered])).toEqual([
      ['2026-12-06T00:00:00.000Z', sales.id, 3], ['2026-12-06T00:00:00.000Z', tech.id, 1],
      ['2026-12-06T01:00:00.000Z', sales.id, 1], ['2026-12-06T01:00:00.000Z', tech.id, 2],
    ]);
    // days cut in a time zone: in Tallinn (UTC+2) the 6th began at 22:00 UTC on the 5th, so the entry at 23:55 UTC is on the 6th
    const days = await queueTraffic(h.db, { from: at(-600), interval: 'day', timeZone: 'Europe/Tallinn', queueId: sales.id });
    expect(days.map((r) => [r.start.toISOString(), r.offered])).toEqual([['2026-12-05T22:00:00.000Z', 5]]);
    const utcDays = await queueTraffic(h.db, { from: at(-600), interval: 'day', queueId: sales.id });
    expect(utcDays.map((r) => [r.start.toISOString(), r.offered])).toEqual([['2026-12-05T00:00:00.000Z', 1], ['2026-12-06T00:00:00.000Z', 4]]);
    expect((await queueTraffic(h.db, { from: since, to: at(60) })).map((r) => r.offered)).toEqual([3, 1]);
    expect(await queueTraffic(h.db, { from: at(100) })).toEqual([]);
  });

  it('calls by queue and disposition, by the day they came in a time zone; calls without one left out', async () => {
    const sales = await createQueue(h.db, { name: 'sales' });
    const tech = await createQueue(h.db, { name: 'tech' });
    let n = 0;
    const call = (queueId: number, disposition: string | null, at: string) => insertCall(h.db, {
      id: `c${++n}`, queue_id: queueId, agent_id: null, direction: 'inbound', channel: 'sip', caller: 'sip:1@x', customer_id: null, language: null,
      context: '{}', sip_call_id: null, state: 'ended', end_reason: null, disposition, queued_at: null, answered_at: null, ended_at: null,
      wait_seconds: null, talk_seconds: null, hold_seconds: null, wrap_up_seconds: null, created_at: new Date(at),
    });
    await call(sales.id, 'Sale', '2026-12-06T08:00:00Z');
    await call(sales.id, 'Sale', '2026-12-06T09:00:00Z');
    await call(sales.id, 'No sale', '2026-12-06T10:00:00Z');
    await call(sales.id, null, '2026-12-06T10:30:00Z');
    await call(tech.id, 'Resolved', '2026-12-06T11:00:00Z');
    await call(sales.id, 'Sale', '2026-12-06T22:30:00Z'); // (the 7th in Tallinn)
    const from = new Date('2026-12-06T00:00:00Z');
    const total = await dispositionCounts(h.db, { from, to: new Date('2026-12-08T00:00:00Z') });
    expect(total.map((r) => [r.queueId, r.disposition, r.calls])).toEqual([[sales.id, 'Sale', 3], [sales.id, 'No sale', 1], [tech.id, 'Resolved', 1]]);
    const days = await dispositionCounts(h.db, { from, interval: 'day', timeZone: 'Europe/Tallinn', queueId: sales.id });
    expect(days.map((r) => [r.start.toISOString(), r.disposition, r.calls])).toEqual([
      ['2026-12-05T22:00:00.000Z', 'Sale', 2], ['2026-12-05T22:00:00.000Z', 'No sale', 1], ['2026-12-06T22:00:00.000Z', 'Sale', 1],
    ]);
  });

  it("agents' activity from the event log: conversations, talk, after-call work, missed offers, time by state; per hour", async () => {
    const a = await createAgent(h.db, { login: 'a', name: 'A', passwordHash: 'x' });
    const b = await createAgent(h.db, { login: 'b', name: 'B', passwordHash: 'x' });
    const since = new Date('2026-12-06T00:00:00Z');
    const at = (m: number) => new Date(since.getTime() + m * 60_000);
    const state = (agentId: number, m: number, from: string, seconds: number) => ({ event: 'AGENTSTATE' as const, agentId, at: at(m), data: { from, to: 'x', seconds } });
    await appendQueueEvents(h.db, [
      state(a.id, -1, 'ready', 999), // before the period
      state(a.id, 1, 'not-ready', 60), state(a.id, 2, 'ready', 40), state(a.id, 2, 'reserved', 5), state(a.id, 5, 'busy', 170),
      { event: 'COMPLETECALLER', agentId: a.id, queueId: 1, at: at(5), data: { talk: 170 } },
      state(a.id, 6, 'wrap-up', 30), { event: 'WRAPUPEND', agentId: a.id, queueId: 1, at: at(6), data: { wrapUp: 30 } },
      { event: 'RINGNOANSWER', agentId: a.id, queueId: 1, at: at(7) },
      { event: 'SURVEY', agentId: a.id, queueId: 1, at: at(8), data: { score: 3, channel: 'sip' } },
      { event: 'TRANSFER', agentId: a.id, queueId: 1, at: at(70), data: { talk: 20 } }, state(a.id, 70, 'busy', 20), // the next hour
      state(b.id, 3, 'ready', 180),
      { event: 'ENTERQUEUE', queueId: 1, at: at(3) }, // no agent: not counted
    ]);
    const total = await agentActivity(h.db, { from: since });
    expect(total).toEqual([
      {
        agentId: a.id, start: since, handled: 2, talkSeconds: 190, wrapUpSeconds: 30, missedOffers: 1,
        readySeconds: 40, ringingSeconds: 5, busySeconds: 190, wrapUpStateSeconds: 30, notReadySeconds: 60,
        surveys: 1, surveyScoreSum: 3, surveysSatisfied: 0,
      },
      {
        agentId: b.id, start: since, handled: 0, talkSeconds: 0, wrapUpSeconds: 0, missedOffers: 0,
        readySeconds: 180, ringingSeconds: 0, busySeconds: 0, wrapUpStateSeconds: 0, notReadySeconds: 0,
        surveys: 0, surveyScoreSum: 0, surveysSatisfied: 0,
      },
    ]);
    const hours = await agentActivity(h.db, { from: since, interval: 'hour', agentId: a.id });
    expect(hours.map((r) => [r.start.toISOString(), r.handled, r.busySeconds])).toEqual([
      ['2026-12-06T00:00:00.000Z', 1, 170], ['2026-12-06T01:00:00.000Z', 1, 20],
    ]);
  });

  it('a queue keeps everything the ACD needs', async () => {
    await createSkill(h.db, { name: 'billing' });
    await createQueue(h.db, { name: 'fallback' });
    const q = await createQueue(h.db, {
      name: 'billing-et', skills: { billing: 3 }, language: 'et', strategy: 'most-skilled', priority: 5,
      serviceLevel: { thresholdSeconds: 20, target: 0.8 }, wrapUpSeconds: 15, maxWaitSeconds: 300, maxLength: 50,
      overflow: { queue: 'fallback' }, steps: [{ afterSeconds: 30, skills: { billing: 1 }, language: 'en' }],
      knownAgentSeconds: 600,
    });
    expect(await getQueueByName(h.db, 'billing-et')).toEqual(q);
    expect(q).toMatchObject({
      skills: { billing: 3 }, language: 'et', strategy: 'most-skilled', priority: 5,
      serviceLevel: { thresholdSeconds: 20, target: 0.8 }, wrapUpSeconds: 15, maxWaitSeconds: 300, maxLength: 50,
      overflow: { queue: 'fallback' }, steps: [{ afterSeconds: 30, skills: { billing: 1 }, language: 'en' }],
      knownAgentSeconds: 600,
    });
    expect(q.announcements.position).toBe(true);
  });

  it('a queue referring to an unknown skill, step skill or overflow queue is refused and nothing is written', async () => {
    await expect(createQueue(h.db, { name: 'q1', skills: { nosuch: 1 } })).rejects.toThrow(/skills\.nosuch/);
    await expect(createQueue(h.db, { name: 'q2', steps: [{ afterSeconds: 5, skills: { nosuch: 1 } }] })).rejects.toThrow(
      /steps\[0\]\.skills/,
    );
    await expect(createQueue(h.db, { name: 'q3', overflow: { queue: 'nowhere' } })).rejects.toBeInstanceOf(UnknownReferenceError);
    expect((await listQueues(h.db, { limit: 10, offset: 0 })).total).toBe(0);
  });

  it('a failed queue update changes nothing', async () => {
    await createSkill(h.db, { name: 'billing' });
    const q = await createQueue(h.db, { name: 'q', skills: { billing: 2 }, priority: 1 });
    await expect(updateQueue(h.db, q.id, { priority: 9, skills: { nosuch: 1 } })).rejects.toBeInstanceOf(UnknownReferenceError);
    expect(await getQueueByName(h.db, 'q')).toEqual(q);
  });

  it('a queue that is another queue\'s overflow target cannot be deleted', async () => {
    const target = await createQueue(h.db, { name: 'target' });
    await createQueue(h.db, { name: 'source', overflow: { queue: 'target' } });
    await expect(deleteQueue(h.db, target.id)).rejects.toBeInstanceOf(InUseError);
  });

  it('an IVR menu keeps its options and actions, takes the defaults for the rest, and goes to itself if it likes', async () => {
    const q = await createQueue(h.db, { name: 'billing' });
    const et = await createIvrMenu(h.db, { name: 'main-et', language: 'et', prompt: { et: 'Tere.' } });
    expect(et).toMatchObject({
      language: 'et', options: [], timeoutSeconds: 5, maxAttempts: 3, defaultAction: null, openingHours: null, closedPrompt: {}, closedAction: null,
    });
    const options = [
      { digit: '1', label: 'Billing', language: null, action: { type: 'queue' as const, queueId: q.id } },
      { digit: '2', label: 'Eesti', language: 'et', action: { type: 'menu' as const, menuId: et.id } },
    ];
    const main = await createIvrMenu(h.db, { name: 'main', prompt: { en: 'Hello.' }, options, closedAction: { type: 'hangup' } });
    expect(await getIvrMenuByName(h.db, 'main')).toEqual(main);
    const repeat = await updateIvrMenu(h.db, main.id, { defaultAction: { type: 'menu', menuId: main.id }, maxAttempts: 1 });
    expect(repeat).toMatchObject({ options, defaultAction: { type: 'menu', menuId: main.id }, maxAttempts: 1, closedAction: { type: 'hangup' } });
    expect(await getIvrMenu(h.db, main.id)).toEqual(repeat);
    expect(await updateIvrMenu(h.db, 999, { maxAttempts: 2 })).toBeUndefined();
    expect((await listIvrMenus(h.db, { limit: 1, offset: 1 })).items.map((m) => m.name)).toEqual(['main']);
    expect(await deleteIvrMenu(h.db, main.id)).toBe(true);
    expect(await deleteIvrMenu(h.db, main.id)).toBe(false);
  });

  it('an IVR menu\'s rules hold on the menu as stored: a partial update cannot break them, and a failed one changes nothing', async () => {
    const m = await createIvrMenu(h.db, { name: 'm', prompt: { en: 'Hello.' } });
    await expect(updateIvrMenu(h.db, m.id, { language: 'et' })).rejects.toThrow(new InvalidValueError('prompt', 'must hold a text for the menu\'s language "et"'));
    const hangup = { type: 'hangup' as const };
    await expect(updateIvrMenu(h.db, m.id, {
      options: [{ digit: '1', label: '', language: null, action: hangup }, { digit: '1', label: '', language: null, action: hangup }],
    })).rejects.toThrow('options[1].digit: 1 is used twice');
    await expect(updateIvrMenu(h.db, m.id, { maxAttempts: 2, closedAction: { type: 'queue', queueId: 42 } })).rejects.toThrow(
      new UnknownReferenceError('closedAction.queueId', '42', 'no queue 42'),
    );
    expect(await getIvrMenu(h.db, m.id)).toEqual(m);
    await expect(createIvrMenu(h.db, { name: 'x', prompt: { en: 'Hi.' }, defaultAction: { type: 'menu', menuId: 999 } })).rejects.toBeInstanceOf(UnknownReferenceError);
    expect((await listIvrMenus(h.db, { limit: 10, offset: 0 })).total).toBe(1);
  });

  it('queues and IVR menus do not share names, and neither is deleted while a menu goes to it', async () => {
    const q = await createQueue(h.db, { name: 'support' });
    await expect(createIvrMenu(h.db, { name: 'support', prompt: { en: 'Hi.' } })).rejects.toThrow(new DuplicateError('queue', 'name', 'support'));
    const sub = await createIvrMenu(h.db, { name: 'sub', prompt: { en: 'Hi.' }, defaultAction: { type: 'queue', queueId: q.id } });
    await expect(createQueue(h.db, { name: 'sub' })).rejects.toThrow(new DuplicateError('IVR menu', 'name', 'sub'));
    await expect(updateQueue(h.db, q.id, { name: 'sub' })).rejects.toBeInstanceOf(DuplicateError);
    await expect(createIvrMenu(h.db, { name: 'sub', prompt: { en: 'Hi.' } })).rejects.toThrow(new DuplicateError('IVR menu', 'name', 'sub'));
    await expect(deleteQueue(h.db, q.id)).rejects.toThrow(new InUseError('queue support is a target of IVR menu sub'));
    const main = await createIvrMenu(h.db, { name: 'main', prompt: { en: 'Hi.' }, closedAction: { type: 'menu', menuId: sub.id } });
    await expect(deleteIvrMenu(h.db, sub.id)).rejects.toThrow(new InUseError('IVR menu sub is a target of IVR menu main'));
    expect(await deleteIvrMenu(h.db, main.id)).toBe(true);
    expect(await deleteIvrMenu(h.db, sub.id)).toBe(true);
    expect(await deleteQueue(h.db, q.id)).toBe(true);
  });

  it('call records and the queue event log are written and read back in order', async () => {
    const q = await createQueue(h.db, { name: 'q' });
    await insertCall(h.db, {
      id: 'c1', queue_id: q.id, agent_id: null, direction: 'inbound', channel: 'webrtc', caller: 'anon',
      customer_id: null, language: 'et', context: JSON.stringify({ page: { url: 'https://shop/x' } }), sip_call_id: 'x@y',
      state: 'queued', end_reason: null, disposition: null, queued_at: new Date(), answered_at: null, ended_at: null,
      wait_seconds: null, talk_seconds: null, hold_seconds: null, wrap_up_seconds: null,
    });
    await appendQueueEvents(h.db, [
      { event: 'ENTERQUEUE', callId: 'c1', queueId: q.id, data: { position: 1 } },
      { event: 'ABANDON', callId: 'c1', queueId: q.id, data: { waited: 12.5 } },
    ]);
    await updateCall(h.db, 'c1', { state: 'ended', end_reason: 'abandon', wait_seconds: 12.5 });
    expect(await getCall(h.db, 'c1')).toMatchObject({ state: 'ended', end_reason: 'abandon', wait_seconds: 12.5, context: { page: { url: 'https://shop/x' } } });
    const events = await listQueueEvents(h.db, { callId: 'c1' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'ABANDON']);
    expect(events[1]!.data).toEqual({ waited: 12.5 });
  });

  it('the calls of an agent are every call they talked on: a transferred call is found under each of its agents', async () => {
    const q = await createQueue(h.db, { name: 'q' });
    const [anna, ben] = [await createAgent(h.db, { login: 'anna', name: 'Anna', passwordHash: 'x' }), await createAgent(h.db, { login: 'ben', name: 'Ben', passwordHash: 'x' })];
    const call = (id: string, agentId: number | null) => insertCall(h.db, {
      id, queue_id: q.id, agent_id: agentId, direction: 'inbound', channel: 'sip', caller: 'sip:1@x', customer_id: null, language: null,
      context: '{}', sip_call_id: null, state: 'ended', end_reason: 'caller', disposition: null, queued_at: new Date(), answered_at: null,
      ended_at: null, wait_seconds: null, talk_seconds: null, hold_seconds: null, wrap_up_seconds: null,
    });
    await call('transferred', ben.id); // Anna took it, then transferred it to Ben: the record names Ben
    await call('bens', ben.id);
    await call('nobodys', null);
    await appendQueueEvents(h.db, [
      { event: 'CONNECT', callId: 'transferred', queueId: q.id, agentId: anna.id },
      { event: 'TRANSFER', callId: 'transferred', queueId: q.id, agentId: anna.id },
      { event: 'CONNECT', callId: 'transferred', queueId: q.id, agentId: ben.id },
      { event: 'CONNECT', callId: 'bens', queueId: q.id, agentId: ben.id },
      { event: 'OFFER', callId: 'nobodys', queueId: q.id, agentId: anna.id }, // (offered, never answered: not hers)
    ]);
    const ids = async (agentId: number) => (await listCalls(h.db, { limit: 10, offset: 0 }, { agentId })).items.map((c) => c.id).sort();
    expect(await ids(anna.id)).toEqual(['transferred']);
    // a call keeps one rating (1–5): the first one given
    expect(await setSurveyScore(h.db, 'bens', 4)).toBe(true);
    expect(await setSurveyScore(h.db, 'bens', 1)).toBe(false);
    expect((await getCall(h.db, 'bens'))?.survey_score).toBe(4);
    await expect(setSurveyScore(h.db, 'nobodys', 6)).rejects.toThrow(); // (the column's check)
    expect(await ids(ben.id)).toEqual(['bens', 'transferred']);
    expect((await listCalls(h.db, { limit: 10, offset: 0 }, { agentId: anna.id })).total).toBe(1);
  });

  it("notes on calls (one per agent, replaced, deleted by an empty text) and a customer's earlier calls, newest first", async () => {
    const q = await createQueue(h.db, { name: 'q' });
    const [anna, ben] = [await createAgent(h.db, { login: 'anna', name: 'Anna', passwordHash: 'x' }), await createAgent(h.db, { login: 'ben', name: '', passwordHash: 'x' })];
    const call = (id: string, key: string | null, minute: number, agentId: number | null) => insertCall(h.db, {
      id, queue_id: q.id, agent_id: agentId, direction: 'inbound', channel: 'sip', caller: 'sip:1@x', customer_id: null, language: null,
      context: '{}', sip_call_id: null, state: 'ended', end_reason: 'caller-hangup', disposition: minute === 2 ? 'Sale' : null, queued_at: null,
      answered_at: null, ended_at: null, wait_seconds: null, talk_seconds: 60 + minute, hold_seconds: null, wrap_up_seconds: null,
      customer_key: key, created_at: new Date(Date.UTC(2026, 11, 7, 8, minute)),
    });
    await call('first', 'tel:5551234', 1, anna.id);
    await call('second', 'tel:5551234', 2, ben.id);
    await call('now', 'tel:5551234', 3, null);
    await call('someone-else', 'tel:999999', 4, anna.id);
    await call('unknown', null, 5, null);
    await saveCallNote(h.db, 'first', anna.id, 'draft');
    await saveCallNote(h.db, 'first', anna.id, 'wants a refund'); // (replaces the draft)
    await saveCallNote(h.db, 'second', ben.id, 'refund sent');
    await saveCallNote(h.db, 'second', anna.id, 'gone');
    await saveCallNote(h.db, 'second', anna.id, ''); // (deleted)
    const notes = await notesOfCalls(h.db, ['first', 'second']);
    expect(notes.map((n) => [n.callId, n.agentId, n.agent, n.text])).toEqual([['first', anna.id, 'Anna', 'wants a refund'], ['second', ben.id, 'ben', 'refund sent']]);
    const earlier = await earlierCalls(h.db, 'tel:5551234', 'now', 5);
    expect(earlier).toEqual([
      { id: 'second', at: new Date(Date.UTC(2026, 11, 7, 8, 2)), queue: 'q', agent: 'ben', disposition: 'Sale', endReason: 'caller-hangup', talkSeconds: 62, surveyScore: null },
      { id: 'first', at: new Date(Date.UTC(2026, 11, 7, 8, 1)), queue: 'q', agent: 'Anna', disposition: null, endReason: 'caller-hangup', talkSeconds: 61, surveyScore: null },
    ]);
    expect((await earlierCalls(h.db, 'tel:5551234', 'now', 1)).map((c) => c.id)).toEqual(['second']);
    // a note belongs to a call and an agent that exist
    await expect(saveCallNote(h.db, 'no-such-call', anna.id, 'x')).rejects.toThrow();
  });

  it("the calls before call notes get their customer: the web page's customer id, else the number of the caller's URI", async () => {
    const undone = await migrateTo(h.db, '2026-12-07T0500-survey');
    expect(undone.at(-1)).toBe('2026-12-07T0600-call-notes'); // (the later ones undone first)
    expect(undone.every((name) => name > '2026-12-07T0500-survey')).toBe(true);
    const row = (id: string, caller: string, customerId: string | null) => ({
      id, queue_id: null, agent_id: null, direction: 'inbound', channel: 'sip', caller, customer_id: customerId, language: null, context: '{}', sip_call_id: null,
      state: 'ended', end_reason: null, disposition: null, queued_at: null, answered_at: null, ended_at: null, wait_seconds: null, talk_seconds: null,
      hold_seconds: null, wrap_up_seconds: null,
    });
    await h.db.insertInto('calls').values([
      row('a', 'sip:+372 555-1234@gw.example;user=phone', null), row('b', 'SIP:1902@realm', null), row('c', 'web', 'c-42'),
      row('d', 'sip:anna@example.com', null), row('e', '+372 (555) 9876', null), row('f', 'web', null), row('g', 'sip:12@x', null),
    ] as never).execute();
    await migrateToLatest(h.db);
    const keys = await h.db.selectFrom('calls').select(['id', 'customer_key']).orderBy('id').execute();
    expect(keys.map((k) => [k.id, k.customer_key])).toEqual([
      ['a', 'tel:+3725551234'], ['b', 'tel:1902'], ['c', 'id:c-42'], ['d', null], ['e', 'tel:+3725559876'], ['f', null], ['g', null],
    ]);
  });

  it("erasing a customer deletes their recordings, voicemails, notes and callbacks and blanks who they are, keeping the statistics", async () => {
    const q = await createQueue(h.db, { name: 'q' });
    const anna = await createAgent(h.db, { login: 'anna', name: 'Anna', passwordHash: 'x' });
    const call = (id: string, key: string) => insertCall(h.db, {
      id, queue_id: q.id, agent_id: anna.id, direction: 'inbound', channel: 'sip', caller: `sip:${key.slice(4)}@gw`, customer_id: null, language: 'et',
      context: JSON.stringify({ page: { url: 'https://shop/x' }, ivr: ['main'] }), sip_call_id: `${id}@gw`, state: 'ended', end_reason: 'agent-hangup',
      disposition: 'Sale', queued_at: null, answered_at: null, ended_at: null, wait_seconds: 5, talk_seconds: 60, hold_seconds: null, wrap_up_seconds: 10,
      customer_key: key,
    });
    await call('mine-1', 'tel:5551234');
    await call('mine-2', 'tel:5551234');
    await call('theirs', 'tel:5559999');
    await setSurveyScore(h.db, 'mine-1', 5);
    for (const id of ['mine-1', 'theirs']) {
      await saveCallNote(h.db, id, anna.id, 'wants a refund');
      await createCallRecording(h.db, { callId: id, queueId: q.id, agentId: anna.id, startedAt: new Date(), seconds: 1, audio: Buffer.from('RIFF') });
      await createVoicemail(h.db, { callId: id, queueId: q.id, caller: 'sip:x@gw', customerId: null, language: null, seconds: 1, audio: Buffer.from('RIFF') });
    }
    await createCallback(h.db, { queueId: q.id, callId: 'mine-2', target: '5551234', requestedAt: new Date() });
    await appendQueueEvents(h.db, [
      { event: 'CONNECT', callId: 'mine-1', queueId: q.id, agentId: anna.id, data: { waited: 5 } },
      { event: 'LINK', callId: 'mine-1', queueId: q.id, agentId: anna.id, data: { url: 'https://shop/orders/123', title: 'Your order' } },
      { event: 'LINK', callId: 'theirs', queueId: q.id, agentId: anna.id, data: { url: 'https://shop/orders/9', title: null } },
    ]);
    await addToOutbox(h.db, 'n1', [
      { id: 'e1', event: 'CONNECT', callId: 'mine-1', call: { caller: 'sip:5551234@gw' } },
      { id: 'e2', event: 'CONNECT', callId: 'theirs', call: { caller: 'sip:5559999@gw' } },
    ]);
    expect(await openCallbacksOf(h.db, 'tel:5551234')).toEqual(['mine-2']);
    expect(await eraseCustomer(h.db, 'tel:5551234')).toEqual({ calls: 2, notes: 1, recordings: 1, voicemails: 1, callbacks: 1 });
    expect(await getCall(h.db, 'mine-1')).toMatchObject({
      caller: 'erased', customer_id: null, customer_key: null, sip_call_id: null, context: {},
      queue_id: q.id, agent_id: anna.id, disposition: 'Sale', talk_seconds: 60, wait_seconds: 5, survey_score: 5, end_reason: 'agent-hangup',
    });
    expect((await listQueueEvents(h.db, { callId: 'mine-1' })).map((e) => [e.event, e.data])).toEqual([['CONNECT', { waited: 5 }], ['LINK', { erased: true }]]);
    expect(await recordingsOfCall(h.db, 'mine-1')).toEqual([]);
    expect(await notesOfCalls(h.db, ['mine-1', 'mine-2'])).toEqual([]);
    // the other customer keeps everything
    expect(await getCall(h.db, 'theirs')).toMatchObject({ caller: 'sip:5559999@gw', customer_key: 'tel:5559999' });
    expect(await notesOfCalls(h.db, ['theirs'])).toHaveLength(1);
    expect(await recordingsOfCall(h.db, 'theirs')).toHaveLength(1);
    expect((await listQueueEvents(h.db, { callId: 'theirs' }))[0]!.data).toEqual({ url: 'https://shop/orders/9', title: null });
    expect((await readOutbox(h.db, 'n1', 10)).map((e) => e.id)).toEqual(['e2']); // the webhook's copy of the erased call's event went
    expect(await eraseCustomer(h.db, 'tel:5551234')).toEqual({ calls: 0, notes: 0, recordings: 0, voicemails: 0, callbacks: 0 });
  });

  it('calls past CALL_DATA_RETENTION_DAYS lose who the customer was, a batch at a time; calls not ended keep it', async () => {
    const call = (id: string, at: string, state: 'ended' | 'callback' = 'ended') => insertCall(h.db, {
      id, queue_id: null, agent_id: null, direction: 'inbound', channel: 'sip', caller: 'sip:5551234@gw', customer_id: null, language: null,
      context: '{"page":{"url":"https://shop/x"}}', sip_call_id: null, state, end_reason: null, disposition: 'Sale', queued_at: null, answered_at: null,
      ended_at: null, wait_seconds: null, talk_seconds: 30, hold_seconds: null, wrap_up_seconds: null, customer_key: 'tel:5551234', created_at: new Date(at),
    });
    for (const id of ['old-1', 'old-2', 'old-3']) await call(id, '2026-01-01T00:00:00Z');
    await call('old-waiting', '2026-01-01T00:00:00Z', 'callback');
    await call('recent', '2026-12-01T00:00:00Z');
    await saveCallNote(h.db, 'old-2', (await createAgent(h.db, { login: 'a', name: 'A', passwordHash: 'x' })).id, 'note');
    expect(await eraseCallsBefore(h.db, new Date('2026-06-01T00:00:00Z'), 2)).toBe(3);
    const rows = await h.db.selectFrom('calls').select(['id', 'caller', 'customer_key', 'disposition', 'talk_seconds']).orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.caller, r.customer_key])).toEqual([
      ['old-1', 'erased', null], ['old-2', 'erased', null], ['old-3', 'erased', null], ['old-waiting', 'sip:5551234@gw', 'tel:5551234'], ['recent', 'sip:5551234@gw', 'tel:5551234'],
    ]);
    expect(rows[0]).toMatchObject({ disposition: 'Sale', talk_seconds: 30 });
    expect(await notesOfCalls(h.db, ['old-2'])).toEqual([]);
    expect(await eraseCallsBefore(h.db, new Date('2026-06-01T00:00:00Z'))).toBe(0); // (erased once)
  });

  it('open callbacks come back oldest place in line first', async () => {
    const q = await createQueue(h.db, { name: 'q' });
    const late = await createCallback(h.db, { queueId: q.id, target: 'sip:b@x', requestedAt: new Date(2000) });
    await createCallback(h.db, { queueId: q.id, target: 'sip:a@x', requestedAt: new Date(1000), scheduledFor: new Date(5000) });
    const done = await createCallback(h.db, { queueId: q.id, target: 'sip:c@x', requestedAt: new Date(500) });
    await setCallbackState(h.db, done.id, 'completed', true);
    const open = await listOpenCallbacks(h.db);
    expect(open.map((c) => c.target)).toEqual(['sip:a@x', 'sip:b@x']);
    expect(open[0]!.state).toBe('scheduled');
    expect(late.state).toBe('waiting');
  });

  it('call recordings keep their audio byte for byte, listed by call in order; retention deletes the old ones', async () => {
    const q = await createQueue(h.db, { name: 'q', recordCalls: true });
    expect((await getQueueByName(h.db, 'q'))?.recordCalls).toBe(true);
    const audio = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 13) & 0xff));
    const first = await createCallRecording(h.db, { callId: 'c1', queueId: q.id, agentId: null, startedAt: new Date(2000), seconds: 3.25, audio });
    const second = await createCallRecording(h.db, { callId: 'c1', queueId: q.id, agentId: null, startedAt: new Date(1000), seconds: 1, audio: Buffer.from('RIFF') });
    await createCallRecording(h.db, { callId: 'c2', queueId: null, agentId: null, startedAt: new Date(3000), seconds: 2, audio: Buffer.from('RIFF') });
    expect((await recordingsOfCall(h.db, 'c1')).map((r) => [r.id, r.seconds])).toEqual([[second.id, 1], [first.id, 3.25]]);
    expect((await callRecordingAudio(h.db, first.id))!.equals(audio)).toBe(true);
    expect(await deleteCallRecording(h.db, second.id)).toBe(true);
    expect(await deleteCallRecording(h.db, second.id)).toBe(false);
    await h.db.updateTable('call_recordings').set({ created_at: new Date(Date.now() - 40 * 86_400_000) }).where('id', '=', first.id).execute();
    expect(await deleteCallRecordingsBefore(h.db, new Date(Date.now() - 30 * 86_400_000))).toBe(1);
    expect(await recordingsOfCall(h.db, 'c1')).toEqual([]);
    expect(await recordingsOfCall(h.db, 'c2')).toHaveLength(1);
  });

  it('voicemails keep their audio byte for byte; new ones are counted by queue until dealt with; a deleted queue leaves them', async () => {
    const q = await createQueue(h.db, { name: 'q' });
    const other = await createQueue(h.db, { name: 'other' });
    const user = await createAgent(h.db, { login: 'sue', name: 'Sue', passwordHash: 'x' });
    const audio = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
    const a = await createVoicemail(h.db, { callId: 'c1', queueId: q.id, caller: 'sip:1@x', customerId: null, language: 'et', seconds: 4.375, audio });
    const b = await createVoicemail(h.db, { callId: 'c2', queueId: other.id, caller: 'web', customerId: 'cust-9', language: null, seconds: 1, audio: Buffer.from('RIFF') });
    expect(a).toMatchObject({ callId: 'c1', queueId: q.id, seconds: 4.375, doneAt: null, doneBy: null });
    expect((await voicemailAudio(h.db, a.id))!.equals(audio)).toBe(true);
    expect(await voicemailAudio(h.db, 999_999)).toBeUndefined();
    expect([...(await newVoicemailCounts(h.db)).entries()]).toEqual(expect.arrayContaining([[q.id, 1], [other.id, 1]]));
    const done = await setVoicemailDone(h.db, a.id, true, user.id);
    expect(done?.doneBy).toBe(user.id);
    expect(done?.doneAt).toBeInstanceOf(Date);
    expect((await newVoicemailCounts(h.db)).get(q.id)).toBeUndefined();
    const page = { limit: 10, offset: 0 };
    expect((await listVoicemails(h.db, { state: 'new' }, page)).items.map((v) => v.id)).toEqual([b.id]);
    expect((await listVoicemails(h.db, { state: 'done', queueId: q.id }, page)).items.map((v) => v.id)).toEqual([a.id]);
    expect((await listVoicemails(h.db, { state: 'all' }, page)).total).toBe(2);
    expect((await setVoicemailDone(h.db, a.id, false, user.id))?.doneAt).toBeNull();
    expect(await setVoicemailDone(h.db, 999_999, true, user.id)).toBeUndefined();
    await deleteQueue(h.db, other.id);
    expect((await listVoicemails(h.db, { state: 'all' }, page)).items.find((v) => v.id === b.id)?.queueId).toBeNull();
    expect(await deleteVoicemail(h.db, b.id)).toBe(true);
    expect(await deleteVoicemail(h.db, b.id)).toBe(false);
    // a queue's mailbox fill, and retention: what was left before the cutoff goes
    expect(await countNewVoicemails(h.db, q.id)).toBe(1);
    const c = await createVoicemail(h.db, { callId: 'c3', queueId: q.id, caller: 'sip:2@x', customerId: null, language: null, seconds: 2, audio: Buffer.from('RIFF') });
    expect(await countNewVoicemails(h.db, q.id)).toBe(2);
    await h.db.updateTable('voicemails').set({ created_at: new Date(Date.now() - 40 * 86_400_000) }).where('id', '=', a.id).execute();
    expect(await deleteVoicemailsBefore(h.db, new Date(Date.now() - 30 * 86_400_000))).toBe(1);
    expect((await listVoicemails(h.db, { state: 'all' }, page)).items.map((v) => v.id)).toEqual([c.id]);
  });
});

describe.each(DATABASE_KINDS)('registrar bindings on %s', (kind) => {
  it('survive closing and reopening the database, and expired ones are dropped on load', async () => {
    const { DbBindingStore } = await import('../../db/repositories/sip-bindings.ts');
    const scratch = await scratchDatabase(kind);
    try {
      let h = await scratch.open();
      const store = new DbBindingStore(h.db, () => 10_000);
      await store.upsert({ aor: 'sip:1001@r', contact: 'sip:1001@127.0.0.1:5070', expiresAt: 70_000, transport: 'udp', path: [] });
      await store.upsert({ aor: 'sip:1001@r', contact: 'sip:1001@127.0.0.1:5072', expiresAt: 5_000, transport: 'tcp', path: [] });
      await store.upsert({ aor: 'sip:1001@r', contact: 'sip:1001@127.0.0.1:5070', expiresAt: 80_000, transport: 'udp', path: ['<sip:p>'] });
      await h.close();
      h = await scratch.open();
      const loaded = await new DbBindingStore(h.db, () => 10_000).loadAll();
      expect(loaded).toEqual([{ aor: 'sip:1001@r', contact: 'sip:1001@127.0.0.1:5070', expiresAt: 80_000, transport: 'udp', path: ['<sip:p>'] }]);
      await new DbBindingStore(h.db).remove('sip:1001@r', 'sip:1001@127.0.0.1:5070');
      expect(await new DbBindingStore(h.db, () => 0).loadAll()).toEqual([]);
      await h.close();
    } finally {
      await scratch.drop();
    }
  });
});
