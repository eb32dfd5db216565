import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/connect.ts';
import { listQueueEvents } from '../../db/repositories/call-log.ts';
import { AcdRuntime } from '../../server/calls/acd-runtime.ts';
import { AgentDesk } from '../../server/calls/agent-desk.ts';
import { CallLogWriter } from '../../server/calls/call-log-writer.ts';
import { SipCredentialDirectory } from '../../server/calls/sip-credentials.ts';
import { type ScratchDatabase, scratchDatabase } from '../support/databases.ts';

let scratch: ScratchDatabase | undefined;
let database: DatabaseHandle | undefined;
afterEach(async () => {
  await database?.close();
  await scratch?.drop();
});

it('an agent whose queue requires a disposition cannot end wrap-up early before filing the call, not even by a break', async () => {
  scratch = await scratchDatabase('pglite');
  database = await scratch.open();
  const logger = pino({ level: 'silent' });
  const acd = new AcdRuntime(database.db, logger);
  const log = new CallLogWriter(database.db, logger);
  const desk = new AgentDesk(acd, new SipCredentialDirectory(database.db, 'test.realm'), log, logger);
  acd.on('agentStateChanged', (agentId, state, reason) => desk.stateChanged(agentId, state, reason, 30));
  acd.run((e, now) => {
    e.configureQueue(now, '1', { wrapUpSeconds: 30 });
    e.defineAgent(now, '7', { skills: {}, languages: {} });
  });
  expect(desk.request('7', 'ready')).toBeUndefined();
  acd.run((e, now) => {
    e.deviceUp(now, '7');
    e.callArrived(now, 'c1', '1');
    e.offerAccepted(now, 'c1', '7');
    e.callConnected(now, 'c1');
  });
  desk.callTaken('7', 'c1', { id: 1, name: 'support', dispositions: ['Sale', 'No sale'], dispositionRequired: true });
  acd.run((e, now) => e.callEnded(now, 'c1'));
  expect(desk.state('7').state).toBe('wrap-up');
  // (what a reloaded agent page is told, to offer the form again)
  expect(desk.stateEvent('7').unfiledCall).toEqual({ callId: 'c1', queue: 'support', dispositions: ['Sale', 'No sale'] });

  const refusal = 'file a disposition for your last call first (queue support requires one)';
  expect(desk.request('7', 'wrap-up-done')).toBe(refusal);
  expect(desk.request('7', 'ready')).toBe(refusal);
  expect(desk.request('7', 'not-ready', 'break')).toBeUndefined();
  expect(desk.request('7', 'ready')).toBe(refusal);
  expect(desk.state('7').state).toBe('not-ready');
  desk.callFiled('7', 'other-call'); // (filing another call changes nothing)
  expect(desk.request('7', 'ready')).toBe(refusal);
  desk.callFiled('7', 'c1');
  expect(desk.request('7', 'ready')).toBeUndefined();
  expect(desk.state('7').state).toBe('ready');
  expect(desk.stateEvent('7').unfiledCall).toBeNull();

  // a call from a queue that requires none: nothing to file
  acd.run((e, now) => {
    e.callArrived(now, 'c2', '1');
    e.offerAccepted(now, 'c2', '7');
    e.callConnected(now, 'c2');
  });
  desk.callTaken('7', 'c2', { id: 1, name: 'support', dispositions: ['Sale'], dispositionRequired: false });
  acd.run((e, now) => e.callEnded(now, 'c2'));
  expect(desk.request('7', 'wrap-up-done')).toBeUndefined();
  expect(desk.state('7').state).toBe('ready');
  acd.close();
  await log.flush();
  // each end of wrap-up is in the queue log with its call and queue, and how long the after-call work took
  const log7 = (await listQueueEvents(database.db, { since: new Date(0) })).filter((e) => e.agent_id === 7);
  const events = log7.filter((e) => e.event !== 'AGENTSTATE').map((e) => [e.event, e.call_id, e.queue_id]);
  expect(events).toEqual([
    ['AGENTLOGIN', null, null],
    ['UNPAUSE', null, null],
    ['WRAPUPEND', 'c1', 1],
    ['PAUSE', null, null],
    ['UNPAUSE', null, null],
    ['WRAPUPEND', 'c2', 1],
  ]);
  // and each state the agent left, with how long they were in it
  const states = log7.filter((e) => e.event === 'AGENTSTATE').map((e) => e.data as { from: string; to: string; seconds: number });
  expect(states.map((d) => `${d.from}>${d.to}`)).toEqual([
    'not-ready>ready', 'ready>reserved', 'reserved>busy', 'busy>wrap-up', 'wrap-up>not-ready', 'not-ready>ready',
    'ready>reserved', 'reserved>busy', 'busy>wrap-up', 'wrap-up>ready',
  ]);
  for (const d of states) expect(d.seconds).toBeGreaterThanOrEqual(0);
});
