import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { peakFrequency, rms, toneWav } from '../media/helpers/audio.ts';
import { RtpPeer } from '../media/helpers/rtp-peer.ts';
import { RawUdp } from '../sip/helpers.ts';
import type { BaresipPhone } from '../support/baresip.ts';
import { type Harness, createAgent, deskPhone, eventually, startCallCenter, supervisorToken } from './support/harness.ts';
import { inDialog, rtpCall } from './support/queue-invite.ts';

/**
 * Call recording end to end: a queue that records its calls tells the caller so first (its `call-recorded` prompt,
 * here an admin's 1.5 kHz recording of it), and the conversation, from Anna's answer on her desk phone (1 kHz) to the
 * caller's hang-up (600 Hz), is stored as a stereo WAV: the caller left, Anna right. Supervisors hear it, only admins
 * delete it; a queue that does not record keeps nothing.
 */
describe('call recording', () => {
  let h: Harness;
  let dir: string;
  let desk: BaresipPhone | undefined;
  let udp: RawUdp;
  let anna: { id: number; token: string };
  let caller: { user: string; password: string };
  let sue: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-recording-'));
    h = await startCallCenter({ rtpPortMin: 46900, rtpPortMax: 46999 });
    expect((await h.api('POST', '/api/queues', { name: 'recorded', skills: {}, wrapUpSeconds: 0, recordCalls: true }, h.admin)).status).toBe(201);
    expect((await h.api('POST', '/api/queues', { name: 'plain', skills: {}, wrapUpSeconds: 0 }, h.admin)).status).toBe(201);
    const a = await createAgent(h, { login: 'anna', name: 'Anna', languages: { en: 5 }, skills: {}, sipUser: '1801' });
    anna = { id: a.id, token: await h.login('anna', a.password) };
    const c = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser: '1802' });
    caller = { user: '1802', password: c.sipPassword };
    sue = await supervisorToken(h);
    desk = await deskPhone(h, dir, { user: '1801', password: a.sipPassword, port: 5986, tone: 1000, answer: 'auto' });
    udp = await new RawUdp().open();
    const up = await fetch(`${h.baseUrl}/api/prompts/en/call-recorded`, { method: 'PUT', headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'audio/wav' }, body: new Uint8Array(toneWav(1500, 2)) });
    expect(up.status, await up.text()).toBe(204);
  }, 120_000);

  afterAll(async () => {
    udp?.close();
    await desk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A call to `queue` that Anna takes; the caller says 600 Hz for 2 s and hangs up. The call's id. */
  async function talk(queue: string, heardFirst?: (rtp: RtpPeer) => Promise<void>): Promise<string> {
    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: queue, ...caller });
      await heardFirst?.(rtp);
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
      const callId = await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected');
      await eventually(() => rtp.peak(1) === 1000, 10_000, 'the caller hears Anna');
      rtp.startTone(600);
      await new Promise((r) => setTimeout(r, 2000));
      inDialog(h, udp, ok, 'BYE');
      await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
      return callId;
    } finally {
      rtp.close();
      await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, anna.token);
    }
  }

  it('tells the caller, then records both parties apart; supervisors hear it, only admins delete it', async () => {
    const callId = await talk('recorded', async (rtp) => {
      // the notice first, before any agent: the admin's 1.5 kHz recording of call-recorded
      await eventually(() => rtp.received.length > 8000 && rtp.toneShare(1500, 0.5) > 0.8, 15_000, 'the recording notice');
    });
    const recordings = await eventually(async () => {
      const r = (await h.api('GET', `/api/calls/${callId}`, undefined, sue)).body.recordings as Array<{ id: number; agentId: number; seconds: number }>;
      return r.length > 0 ? r : undefined;
    }, 10_000, 'the recording stored');
    expect(recordings).toHaveLength(1);
    const rec = recordings[0]!;
    expect(rec.agentId).toBe(anna.id);
    expect(rec.seconds).toBeGreaterThan(1.5);
    expect(rec.seconds).toBeLessThan(6);

    const r = await fetch(`${h.baseUrl}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${sue}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/wav');
    const wav = Buffer.from(await r.arrayBuffer());
    expect(wav.readUInt16LE(22)).toBe(2); // stereo
    const all = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) / 2);
    const left = all.filter((_, i) => i % 2 === 0);
    const right = all.filter((_, i) => i % 2 === 1);
    expect(left.length / 8000).toBeCloseTo(rec.seconds, 0);
    const lastSecond = (x: Int16Array) => x.subarray(Math.max(0, x.length - 8000 - 2000), x.length - 2000);
    expect(peakFrequency(lastSecond(left))).toBe(600); // the caller
    expect(peakFrequency(right)).toBe(1000); // Anna
    expect(rms(lastSecond(left))).toBeGreaterThan(500);

    // who heard it is in the audit log
    const heard = await eventually(async () => {
      const items = (await h.api('GET', '/api/audit?path=/api/recordings', undefined, h.admin)).body.items as Array<{ login: string; route: string; path: string; status: number }>;
      return items.length > 0 ? items : undefined;
    }, 5_000, 'the audit entry');
    expect(heard[0]).toMatchObject({ login: 'sue', route: 'GET /api/recordings/:id/audio', path: `/api/recordings/${rec.id}/audio`, status: 200 });

    // the rules: an agent may not hear it, a supervisor may not delete it, an admin may
    expect((await fetch(`${h.baseUrl}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${anna.token}` } })).status).toBe(403);
    expect((await h.api('DELETE', `/api/recordings/${rec.id}`, undefined, sue)).status).toBe(403);
    expect((await h.api('DELETE', `/api/recordings/${rec.id}`, undefined, h.admin)).status).toBe(204);
    expect((await fetch(`${h.baseUrl}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${sue}` } })).status).toBe(404);
    expect((await h.api('GET', `/api/calls/${callId}`, undefined, sue)).body.recordings).toEqual([]);
  }, 90_000);

  it('pauses while the caller reads out a card number: nothing said meanwhile is kept; the agent resumes it', async () => {
    const rtp = await RtpPeer.create();
    let callId = '';
    try {
      const ok = await rtpCall(h, udp, rtp, { to: 'recorded', ...caller });
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
      callId = await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected');
      await eventually(() => rtp.peak(1) === 1000, 10_000, 'the caller hears Anna');
      const pause = (paused: unknown, token = anna.token, id = callId) => h.api('PUT', `/api/agent/calls/${id}/recording`, { paused }, token);

      rtp.startTone(600);
      await new Promise((r) => setTimeout(r, 1500));
      const paused = await pause(true);
      expect(paused.status, JSON.stringify(paused.body)).toBe(200);
      expect(paused.body).toEqual({ callId, paused: true });
      expect((await pause(true)).body).toEqual({ callId, paused: true }); // again: no change
      // the supervisor sees it on the wall-board
      const board = await h.api('GET', '/api/wallboard', undefined, sue);
      expect(board.body.agents.find((a: { id: number }) => a.id === anna.id)).toMatchObject({ callId, recordingPaused: true });
      // a desktop that connects now (a page reloaded) is told of the call and that its recording is paused
      const desk = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/ws/agent?token=${anna.token}`);
      const told: Array<{ type: string; callId?: string; paused?: boolean; device?: string }> = [];
      desk.on('message', (m) => told.push(JSON.parse(String(m))));
      await eventually(() => told.some((m) => m.type === 'recording') || undefined, 5_000, 'the call told to a new desktop');
      desk.close();
      expect(told.find((m) => m.type === 'connected')).toMatchObject({ callId, device: 'desk-phone', recorded: true });
      expect(told.find((m) => m.type === 'recording')).toEqual({ type: 'recording', callId, paused: true });
      rtp.startTone(800); // the card number
      await new Promise((r) => setTimeout(r, 2500));
      // the caller has read it out (what is still on its way through the media engine lands while paused), then Anna resumes
      rtp.startTone(600);
      await new Promise((r) => setTimeout(r, 500));
      const resumed = await pause(false);
      expect(resumed.status).toBe(200);
      expect(resumed.body).toEqual({ callId, paused: false });
      await new Promise((r) => setTimeout(r, 1500));

      // refusals: a bad body, a call that is not in progress, someone else's call
      expect((await pause('yes')).status).toBe(400);
      const none = await pause(true, anna.token, 'no-such-call');
      expect(none.status).toBe(404);
      expect(none.body.message).toBe('call no-such-call is not in progress');
      const other = await createAgent(h, { login: 'olga', name: 'Olga', languages: { en: 5 }, skills: {} });
      const notYours = await pause(true, await h.login('olga', other.password));
      expect(notYours.status).toBe(403);
      expect(notYours.body.message).toContain('only the agent on the call may pause its recording');

      inDialog(h, udp, ok, 'BYE');
      await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
    } finally {
      rtp.close();
      await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, anna.token);
    }
    const call = await eventually(async () => {
      const r = (await h.api('GET', `/api/calls/${callId}`, undefined, sue)).body;
      return r.recordings.length > 0 ? r : undefined;
    }, 10_000, 'the recording stored');
    const pauses = (call.events as Array<{ event: string; agentId: number; data: { by: string } }>).filter((e) => e.event.startsWith('RECORD'));
    expect(pauses.map((e) => [e.event, e.agentId, e.data.by])).toEqual([['RECORDPAUSE', anna.id, 'agent'], ['RECORDRESUME', anna.id, 'agent']]);
    const rec = call.recordings[0] as { id: number; seconds: number };
    // 1.5 s + 1.5 s of conversation kept, the 2.5 s paused left out (a second of silence marks it)
    expect(rec.seconds).toBeGreaterThan(3);
    expect(rec.seconds).toBeLessThan(5.5);
    const wav = Buffer.from(await (await fetch(`${h.baseUrl}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${sue}` } })).arrayBuffer());
    const all = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) / 2);
    const left = all.filter((_, i) => i % 2 === 0);
    const peaks: number[] = [];
    for (let i = 0; i + 800 <= left.length; i += 800) {
      const w = left.subarray(i, i + 800);
      if (rms(w) > 500) peaks.push(peakFrequency(w));
    }
    expect(peaks.filter((f) => f === 800)).toEqual([]); // nothing of the card number
    expect(peaks.filter((f) => f === 600).length).toBeGreaterThan(20); // the caller before and after: 3 s in 100 ms windows
    expect(peakFrequency(left.subarray(left.length - 6000, left.length - 2000))).toBe(600); // after the resume
  }, 90_000);

  it('refuses to pause a call that is not recorded', async () => {
    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: 'plain', ...caller });
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
      const callId = await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected');
      const r = await h.api('PUT', `/api/agent/calls/${callId}/recording`, { paused: true }, anna.token);
      expect(r.status).toBe(409);
      expect(r.body.message).toBe(`call ${callId} is not recorded: its queue does not record calls`);
      inDialog(h, udp, ok, 'BYE');
      await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
    } finally {
      rtp.close();
      await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, anna.token);
    }
  }, 60_000);

  it("a browser caller's page is told whether the queue records its calls", async () => {
    for (const [queue, recorded] of [['recorded', true], ['plain', false]] as const) {
      const r = await h.api('POST', '/api/public/calls', { queue, language: 'en', page: { url: 'https://shop.example/help', title: 'Help' } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.recorded).toBe(recorded);
    }
  });

  it('a queue that does not record keeps nothing of the conversation', async () => {
    const callId = await talk('plain');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await h.api('GET', `/api/calls/${callId}`, undefined, sue)).body.recordings).toEqual([]);
  }, 60_000);
});
