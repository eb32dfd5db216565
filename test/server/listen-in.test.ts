import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CallLogWriter } from '../../server/calls/call-log-writer.ts';
import { CustomerCallState } from '../../server/calls/customer-call-state.ts';
import { type CoachEvent, type ListenedCall, ListenIns } from '../../server/calls/listen-in.ts';

// The rules of the listen and coach registry on their own, with a call whose media answers when told to (the media
// itself, with rtpengine and browsers: test/media/listen-in.test.ts and test/e2e/listen-in.test.ts).

function call(): ListenedCall & { state: CustomerCallState; agentDevice: 'softphone' | 'desk-phone' | null; release(): void; stopped: string[] } {
  let release = (): void => {};
  const gate = new Promise<void>((r) => (release = r));
  const c = {
    id: 'call-1',
    state: CustomerCallState.Connected as CustomerCallState,
    agentId: '7',
    agentDevice: 'softphone' as 'softphone' | 'desk-phone' | null,
    queue: undefined,
    stopped: [] as string[],
    release: () => release(),
    listenOffer: async () => ({ id: 'l1', sdp: 'v=0' }),
    listenAnswer: async () => {},
    stopListening: async (id: string) => void c.stopped.push(id),
    coachPublish: async () => {
      await gate;
      return { id: 'call-1.coach1', sdp: 'v=0 answer' };
    },
    coachOffer: async () => ({ id: 'agent-stream', sdp: 'v=0 offer' }),
  };
  return c;
}

function registry(pagesOpen = true) {
  const sent: CoachEvent[] = [];
  const events: string[] = [];
  const log = { event: (e: { event: string }) => void events.push(e.event) } as unknown as CallLogWriter;
  const listens = new ListenIns(log, pino({ level: 'silent' }), { send: (_a, e) => (sent.push(e), pagesOpen ? 1 : 0), hasPage: () => pagesOpen });
  return { listens, sent, events };
}

describe('coaching a call', () => {
  it('takes one coach a call, also while rtpengine is still answering the first', async () => {
    const { listens, sent, events } = registry();
    const c = call();
    const first = listens.startCoaching(c, { id: 1, login: 'sue' }, 'v=0');
    expect(await listens.startCoaching(c, { id: 2, login: 'sam' }, 'v=0')).toEqual({ outcome: 'too-many', max: 1 });
    c.release();
    expect(await first).toEqual({ outcome: 'answer', coachId: 'call-1.coach1', sdp: 'v=0 answer' });
    expect(sent).toEqual([{ type: 'coach', callId: 'call-1', coachId: 'call-1.coach1', sdp: 'v=0 offer', coach: 'sue' }]);
    expect(events).toEqual(['COACH']);
    expect(await listens.startCoaching(c, { id: 2, login: 'sam' }, 'v=0')).toEqual({ outcome: 'too-many', max: 1 });
    // only the agent of the coaching answers it; the coach (or an admin) ends it, and the agent's page is told
    expect(await listens.answerCoach('8', 'call-1.coach1', 'v=0')).toEqual({ outcome: 'not-yours' });
    expect(await listens.answerCoach('7', 'call-1.coach1', 'v=0')).toEqual({ outcome: 'done' });
    expect(await listens.stopCoaching('call-1', 'call-1.coach1', { id: 2, role: 'supervisor' })).toEqual({ outcome: 'not-yours' });
    expect(await listens.stopCoaching('call-1', 'call-1.coach1', { id: 3, role: 'admin' })).toEqual({ outcome: 'done' });
    expect(sent.at(-1)).toEqual({ type: 'coach-ended', callId: 'call-1', coachId: 'call-1.coach1' });
    expect(c.stopped).toEqual(['agent-stream']);
    expect(listens.coachOf('call-1')).toBeUndefined();
  });

  it('refuses without the agent\'s page, and forgets a coaching whose call ended while it was set up', async () => {
    expect(await registry(false).listens.startCoaching(call(), { id: 1, login: 'sue' }, 'v=0')).toEqual({ outcome: 'no-page' });
    const { listens, sent } = registry();
    const c = call();
    const started = listens.startCoaching(c, { id: 1, login: 'sue' }, 'v=0');
    c.state = CustomerCallState.Ended;
    listens.callEnded('call-1');
    c.release();
    expect(await started).toEqual({ outcome: 'unknown-call' });
    expect(listens.coachOf('call-1')).toBeUndefined();
    expect(sent).toEqual([]);
  });

  it('lets the coach join the call (barge-in) only when the agent talks on the browser softphone, and tells the page', async () => {
    const { listens, sent, events } = registry();
    const c = call();
    c.release();
    const started = await listens.startCoaching(c, { id: 1, login: 'sue' }, 'v=0');
    expect(started.outcome).toBe('answer');
    const coachId = 'call-1.coach1';
    expect(listens.setBarge('call-1', 'nope', { id: 1, role: 'supervisor' }, true)).toEqual({ outcome: 'unknown-listen' });
    expect(listens.setBarge('call-2', coachId, { id: 1, role: 'supervisor' }, true)).toEqual({ outcome: 'unknown-listen' });
    expect(listens.setBarge('call-1', coachId, { id: 2, role: 'supervisor' }, true)).toEqual({ outcome: 'not-yours' });
    c.agentDevice = 'desk-phone';
    expect(listens.setBarge('call-1', coachId, { id: 1, role: 'supervisor' }, true)).toEqual({ outcome: 'desk-phone' });
    expect(listens.setBarge('call-1', coachId, { id: 1, role: 'supervisor' }, false)).toEqual({ outcome: 'done' }); // (whispering already)
    c.agentDevice = 'softphone';
    expect(listens.setBarge('call-1', coachId, { id: 1, role: 'supervisor' }, true)).toEqual({ outcome: 'done' });
    expect(listens.setBarge('call-1', coachId, { id: 3, role: 'admin' }, true)).toEqual({ outcome: 'done' }); // no change: nothing sent
    expect(listens.coachOf('call-1')?.barge).toBe(true);
    expect(listens.setBarge('call-1', coachId, { id: 1, role: 'supervisor' }, false)).toEqual({ outcome: 'done' });
    expect(sent.slice(1)).toEqual([
      { type: 'coach-barge', callId: 'call-1', coachId, barge: true },
      { type: 'coach-barge', callId: 'call-1', coachId, barge: false },
    ]);
    expect(events).toEqual(['COACH', 'BARGE']);
  });
});
