import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../sip/index.ts';
import { RtpPeer } from '../media/helpers/rtp-peer.ts';
import { RawUdp } from '../sip/helpers.ts';
import type { BaresipPhone } from '../support/baresip.ts';
import { type Harness, createAgent, deskPhone, eventually, startCallCenter, supervisorToken } from './support/harness.ts';
import { inDialog, rtpCall } from './support/queue-invite.ts';

/**
 * Call notes and the caller's history, end to end: a phone caller (raw SIP, the same number each time) calls twice;
 * Anna and Bob answer on baresip desk phones. What an agent writes on a call is shown to the agent a transfer hands it
 * to, and, with the call's outcome, to the agent of the customer's next call; supervisors read it in the call history.
 */
describe('call notes and the caller history', () => {
  let h: Harness;
  let dir: string;
  const phones: BaresipPhone[] = [];
  let udp: RawUdp;
  let anna: { id: number; token: string };
  let bob: { id: number; token: string };
  let caller: { user: string; password: string };
  let sue: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-notes-'));
    h = await startCallCenter({ rtpPortMin: 47100, rtpPortMax: 47199 });
    expect((await h.api('POST', '/api/queues', { name: 'help', skills: {}, wrapUpSeconds: 0 }, h.admin)).status).toBe(201);
    // (a returning customer waits a minute for the agent who served them last)
    expect((await h.api('POST', '/api/queues', { name: 'sticky', skills: {}, wrapUpSeconds: 0, strategy: 'longest-idle', knownAgentSeconds: 60 }, h.admin)).status).toBe(201);
    const a = await createAgent(h, { login: 'anna', name: 'Anna Tamm', languages: { en: 5 }, skills: {}, sipUser: '1911' });
    anna = { id: a.id, token: await h.login('anna', a.password) };
    const b = await createAgent(h, { login: 'bob', name: 'Bob Berg', languages: { en: 5 }, skills: {}, sipUser: '1912' });
    bob = { id: b.id, token: await h.login('bob', b.password) };
    const c = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser: '5551913' });
    caller = { user: '5551913', password: c.sipPassword };
    sue = await supervisorToken(h);
    phones.push(await deskPhone(h, dir, { user: '1911', password: a.sipPassword, port: 5990, tone: 1000, answer: 'auto' }));
    phones.push(await deskPhone(h, dir, { user: '1912', password: b.sipPassword, port: 5992, tone: 1000, answer: 'auto' }));
    udp = await new RawUdp().open();
  }, 120_000);

  afterAll(async () => {
    udp?.close();
    for (const p of phones) await p.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const state = (token: string, s: 'ready' | 'not-ready') => h.api('PUT', '/api/agent/state', s === 'ready' ? { state: s } : { state: s, reason: 'other' }, token);
  const history = (callId: string, token: string) => h.api('GET', `/api/agent/calls/${callId}/history`, undefined, token);
  const note = (callId: string, text: string, token: string) => h.api('PUT', `/api/agent/calls/${callId}/note`, { text }, token);
  const connectedTo = (agent: { id: number }) => eventually(() => h.server.center.callOfAgent(String(agent.id))?.id, 20_000, `agent ${agent.id} connected`);

  /** The caller dials `to` (default `help`) with media; the call's 200 and RTP peer. */
  async function dial(to = 'help'): Promise<{ ok: SipResponse; rtp: RtpPeer }> {
    const rtp = await RtpPeer.create();
    return { ok: await rtpCall(h, udp, rtp, { to, ...caller }), rtp };
  }

  /** A call to `to` that `agent` (the only one ready) or the ACD's pick takes and hangs up; the call's id. */
  async function served(to: string, agent: { id: number; token: string }, ready: Array<{ token: string }>): Promise<string> {
    const call = await dial(to);
    try {
      for (const a of ready) expect((await state(a.token, 'ready')).status).toBe(200);
      const id = await connectedTo(agent);
      expect((await h.api('POST', '/api/agent/call/hangup', {}, agent.token)).status).toBe(200);
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === call.ok.callId);
      return id;
    } finally {
      call.rtp.close();
      await state(anna.token, 'not-ready');
      await state(bob.token, 'not-ready');
    }
  }

  it("an agent's note goes with the call to the next agent and, with its outcome, to the agent of the customer's next call", async () => {
    // the first call: Anna writes down what the customer wants
    const first = await dial();
    let firstId: string;
    try {
      expect((await state(anna.token, 'ready')).status).toBe(200);
      firstId = await connectedTo(anna);
      expect(await history(firstId, anna.token)).toEqual({ status: 200, body: { notes: [], previousCalls: [] } });
      expect(await note(firstId, '  wants a refund for order 123 ', anna.token)).toEqual({ status: 200, body: { callId: firstId, text: 'wants a refund for order 123' } });
      // Bob has nothing to do with it; nobody writes a novel
      expect((await history(firstId, bob.token)).status).toBe(403);
      expect((await note(firstId, 'mine', bob.token)).status).toBe(403);
      expect((await note(firstId, 'x'.repeat(2001), anna.token)).status).toBe(400);
      expect((await history('no-such-call', anna.token)).status).toBe(404);
      expect((await note('no-such-call', 'x', anna.token)).status).toBe(404);
      expect((await h.api('POST', '/api/agent/call/hangup', {}, anna.token)).status).toBe(200);
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === first.ok.callId);
    } finally {
      first.rtp.close();
      await state(anna.token, 'not-ready');
    }
    // after the call (wrap-up, or later) she may still read and edit it
    expect((await history(firstId, anna.token)).body.notes).toEqual([expect.objectContaining({ agentId: anna.id, agent: 'Anna Tamm', text: 'wants a refund for order 123' })]);

    // the same number calls again: Bob sees the earlier call, its agent, outcome and note
    const second = await dial();
    try {
      expect((await state(bob.token, 'ready')).status).toBe(200);
      const secondId = await connectedTo(bob);
      const seen = (await history(secondId, bob.token)).body;
      expect(seen.notes).toEqual([]);
      expect(seen.previousCalls).toEqual([
        expect.objectContaining({ id: firstId, queue: 'help', agent: 'Anna Tamm', endReason: 'agent-hangup', surveyScore: null, notes: ['wants a refund for order 123'] }),
      ]);
      expect(seen.previousCalls[0].talkSeconds).toBeGreaterThan(0);

      // Bob notes why and hands the call to Anna, who sees his note on the call
      expect((await note(secondId, 'refund approved, needs the bank details', bob.token)).status).toBe(200);
      expect((await state(anna.token, 'ready')).status).toBe(200);
      expect((await h.api('POST', '/api/agent/call/transfer', { target: 'anna' }, bob.token)).status).toBe(200);
      expect(await connectedTo(anna)).toBe(secondId);
      const annaSees = (await history(secondId, anna.token)).body;
      expect(annaSees.notes).toEqual([expect.objectContaining({ agentId: bob.id, agent: 'Bob Berg', text: 'refund approved, needs the bank details' })]);
      expect(annaSees.previousCalls.map((c: { id: string }) => c.id)).toEqual([firstId]);

      // supervisors read the notes in the call history
      const call = (await h.api('GET', `/api/calls/${secondId}`, undefined, sue)).body;
      expect(call.notes.map((n: { agent: string; text: string }) => [n.agent, n.text])).toEqual([['Bob Berg', 'refund approved, needs the bank details']]);
      expect((await h.api('POST', '/api/agent/call/hangup', {}, anna.token)).status).toBe(200);
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === second.ok.callId);
    } finally {
      second.rtp.close();
      await state(anna.token, 'not-ready');
      await state(bob.token, 'not-ready');
    }

    // an empty note deletes the agent's note
    expect(await note(firstId, ' ', anna.token)).toEqual({ status: 200, body: { callId: firstId, text: '' } });
    expect((await h.api('GET', `/api/calls/${firstId}`, undefined, sue)).body.notes).toEqual([]);
  }, 120_000);

  it('a returning customer is offered first to the agent who served them last, though another has been idle longer', async () => {
    await served('help', anna, [anna]);
    // Bob is ready first (idle longest: the queue's longest-idle strategy would pick him), then Anna
    expect((await state(bob.token, 'ready')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    const again = await served('sticky', anna, [anna]);
    const events = (await h.api('GET', `/api/calls/${again}`, undefined, sue)).body.events as Array<{ event: string; data: Record<string, unknown> }>;
    expect(events.find((e) => e.event === 'ENTERQUEUE')?.data).toMatchObject({ knownAgentId: anna.id });
  }, 90_000);
});
