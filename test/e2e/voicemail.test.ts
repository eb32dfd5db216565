import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../media/prompts.ts';
import { peakFrequency, rms, toneWav } from '../media/helpers/audio.ts';
import { RtpPeer } from '../media/helpers/rtp-peer.ts';
import { RawUdp } from '../sip/helpers.ts';
import { type Harness, createAgent, eventually, startCallCenter, supervisorToken } from './support/harness.ts';
import { inDialog, leaveVoicemail, rtpCall } from './support/queue-invite.ts';

/**
 * Voicemail end to end: a queue whose max wait overflows to voicemail; a phone caller (raw UDP signalling, RTP from
 * this process) hears the prompt and the tone, says a 600 Hz "message", presses # and is told it was saved; the
 * supervisor lists it, plays its audio (the caller's tone), marks it dealt with and deletes it. A caller who hangs
 * up instead leaves their message too, and neither counts as an abandon.
 */
describe('voicemail', () => {
  let h: Harness;
  let udp: RawUdp;
  let caller: { user: string; password: string };
  let sue: string;
  let agentToken: string;
  let queueId: number;

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 46600, rtpPortMax: 46699, env: { VOICEMAIL_MAX_PER_QUEUE: '2' } });
    const q = await h.api('POST', '/api/queues', { name: 'after-hours', skills: {}, maxWaitSeconds: 1, overflow: { action: 'voicemail' } }, h.admin);
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    queueId = q.body.id;
    // a desk phone's SIP account dials the queue as a phone caller does (its agent never logs in)
    const c = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser: '1701' });
    caller = { user: '1701', password: c.sipPassword };
    agentToken = await h.login('carl', c.password);
    sue = await supervisorToken(h);
    udp = await new RawUdp().open();
  }, 120_000);

  afterAll(async () => {
    udp?.close();
    await h?.close();
  });

  const audio = async (id: number, token = sue) => fetch(`${h.baseUrl}/api/voicemails/${id}/audio`, { headers: { authorization: `Bearer ${token}` } });
  const queueFigures = async () => (await h.api('GET', '/api/wallboard', undefined, sue)).body.queues.find((q: { id: number }) => q.id === queueId);

  it('the caller leaves a message after the tone and presses #; the supervisor hears it, marks it done and deletes it', async () => {
    // "all our agents are busy … after the tone"; 600 Hz for 2.5 s, then #: told it was saved, the server hangs up
    await leaveVoicemail(h, udp, { to: 'after-hours', ...caller, hz: 600, seconds: 2.5, end: 'hash' });

    const list = await h.api('GET', '/api/voicemails', undefined, sue);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    const v = list.body.items[0];
    expect(v).toMatchObject({ queueId, caller: expect.stringContaining('1701'), doneAt: null, doneBy: null });
    expect(v.seconds).toBeGreaterThan(2);
    expect(v.seconds).toBeLessThan(5);
    const call = (await h.api('GET', `/api/calls/${v.callId}`, undefined, sue)).body;
    expect(call.endReason).toBe('voicemail');
    expect(call.events.map((e: { event: string }) => e.event)).toEqual(['ENTERQUEUE', 'EXITWITHTIMEOUT', 'VOICEMAIL']);
    expect(call.events[2].data).toEqual({ voicemailId: v.id, seconds: v.seconds });
    await eventually(async () => (await queueFigures()).voicemails === 1, 10_000, 'the wall-board to count it');
    expect((await queueFigures()).voicemailsLeft).toBe(1); // (today's traffic: messages left)
    expect((await queueFigures()).abandoned).toBe(0);

    // its audio: a WAV holding the caller's 600 Hz, about as long as they spoke
    const r = await audio(v.id);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/wav');
    const pcm = parseWav(Buffer.from(await r.arrayBuffer()))!;
    expect(pcm.rate).toBe(8000);
    const x = new Int16Array(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.length / 2);
    expect(x.length / 8000).toBeCloseTo(v.seconds, 1);
    expect(peakFrequency(x)).toBe(600);
    expect(rms(x.subarray(0, 16000))).toBeGreaterThan(1000);

    // the rules: supervisors and admins only, unknown ids named, bad bodies refused
    expect((await audio(v.id, agentToken)).status).toBe(403);
    expect((await h.api('GET', '/api/voicemails', undefined, agentToken)).status).toBe(403);
    expect(await h.api('PUT', '/api/voicemails/999999', { done: true }, sue)).toMatchObject({ status: 404, body: { message: 'voicemail 999999 not found' } });
    expect(await h.api('PUT', `/api/voicemails/${v.id}`, { done: 'yes' }, sue)).toMatchObject({ status: 400, body: { field: 'body.done' } });
    expect((await h.api('GET', '/api/voicemails?state=old', undefined, sue)).status).toBe(400);

    // dealt with: gone from the new ones and from the wall-board's count, listed as done (by Sue)
    const done = await h.api('PUT', `/api/voicemails/${v.id}`, { done: true }, sue);
    expect(done.status).toBe(200);
    expect(done.body.doneAt).not.toBeNull();
    expect((await h.api('GET', '/api/voicemails', undefined, sue)).body.total).toBe(0);
    expect((await h.api('GET', `/api/voicemails?state=done&queueId=${queueId}`, undefined, sue)).body.items.map((i: { id: number }) => i.id)).toEqual([v.id]);
    expect((await queueFigures()).voicemails).toBe(0); // (at once: the board reads its figures again)

    expect((await h.api('DELETE', `/api/voicemails/${v.id}`, undefined, sue)).status).toBe(204);
    expect((await audio(v.id)).status).toBe(404);
    expect((await h.api('DELETE', `/api/voicemails/${v.id}`, undefined, sue)).status).toBe(404);
  }, 60_000);

  it('a caller who hangs up after speaking leaves the message too; one who hangs up at the tone leaves none', async () => {
    const spoke = await RtpPeer.create();
    const silent = await RtpPeer.create();
    try {
      const a = await rtpCall(h, udp, spoke, { to: 'after-hours', ...caller });
      const b = await rtpCall(h, udp, silent, { to: 'after-hours', ...caller });
      await eventually(() => spoke.received.length > 8000 && spoke.toneShare(1000, 0.3) > 0.8, 20_000, 'the tone');
      await eventually(() => silent.received.length > 8000 && silent.toneShare(1000, 0.3) > 0.8, 20_000, 'the tone (second caller)');
      inDialog(h, udp, b, 'BYE');
      spoke.startTone(800);
      await new Promise((r) => setTimeout(r, 2000));
      inDialog(h, udp, a, 'BYE');
      await eventually(async () => (await h.api('GET', '/api/voicemails', undefined, sue)).body.total === 1, 10_000, 'the message stored');
      const v = (await h.api('GET', '/api/voicemails', undefined, sue)).body.items[0];
      const pcm = parseWav(Buffer.from(await (await audio(v.id)).arrayBuffer()))!;
      expect(peakFrequency(new Int16Array(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.length / 2))).toBe(800);
      const calls = (await h.api('GET', '/api/calls?limit=2', undefined, sue)).body.items as Array<{ endReason: string }>;
      expect(calls.map((c) => c.endReason)).toEqual(['voicemail', 'voicemail']);
      expect((await queueFigures()).abandoned).toBe(0);
    } finally {
      spoke.close();
      silent.close();
    }
  }, 60_000);

  it('an IVR menu leads to a queue\'s voicemail (here when closed): the caller leaves a message for that queue; it stays the menu\'s way there', async () => {
    const bad = await h.api('POST', '/api/ivr-menus', { name: 'night-desk', language: 'en', prompt: { en: 'Never heard.' }, closedAction: { type: 'voicemail', queueId: 999999 } }, h.admin);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.body.field).toBe('body.closedAction.queueId');
    const m = await h.api('POST', '/api/ivr-menus', {
      name: 'night-desk', language: 'en', prompt: { en: 'Never heard.' },
      openingHours: { timeZone: 'Europe/Tallinn', days: {} }, // never open
      closedPrompt: { en: 'We are closed.' },
      closedAction: { type: 'voicemail', queueId },
    }, h.admin);
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    // the queue may not go while a menu leads to its voicemail
    expect(await h.api('DELETE', `/api/queues/${queueId}`, undefined, h.admin)).toMatchObject({ status: 409, body: { message: 'queue after-hours is a target of IVR menu night-desk' } });

    const before = (await h.api('GET', '/api/voicemails', undefined, sue)).body.total as number;
    await leaveVoicemail(h, udp, { to: 'night-desk', ...caller, hz: 500, seconds: 2 });
    await eventually(async () => (await h.api('GET', '/api/voicemails', undefined, sue)).body.total === before + 1, 10_000, 'the message stored');
    const v = (await h.api('GET', '/api/voicemails', undefined, sue)).body.items[0];
    expect(v.queueId).toBe(queueId);
    const pcm = parseWav(Buffer.from(await (await audio(v.id)).arrayBuffer()))!;
    expect(peakFrequency(new Int16Array(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.length / 2))).toBe(500);
    const call = (await h.api('GET', `/api/calls/${v.callId}`, undefined, sue)).body;
    expect(call).toMatchObject({ queueId, endReason: 'voicemail', context: { ivr: ['night-desk'] } });
    expect(call.events.map((e: { event: string }) => e.event)).toEqual(['VOICEMAIL']); // (never in the queue's line)
    // a browser's visual menu offers no way to a voicemail
    expect((await h.api('GET', '/api/public/menus/night-desk')).body).toMatchObject({ open: false, closedNext: null });
  }, 60_000);

  it('a full mailbox (VOICEMAIL_MAX_PER_QUEUE new messages) takes no more: the caller hears all agents are busy', async () => {
    // the queue holds two new messages by now (the tests above), its limit here
    await eventually(async () => (await h.api('GET', `/api/voicemails?queueId=${queueId}`, undefined, sue)).body.total === 2, 10_000, 'two new messages');
    const udp2 = await new RawUdp().open();
    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp2, rtp, { to: 'after-hours', ...caller });
      await udp2.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok.callId, 20_000);
      expect(rtp.toneShare(1000, 0.3)).toBeLessThan(0.5); // (no tone: nothing is recorded)
    } finally {
      rtp.close();
      udp2.close();
    }
    await h.server.center.log.flush();
    const last = ((await h.api('GET', '/api/calls?limit=1', undefined, sue)).body.items as Array<{ id: string; endReason: string }>)[0]!;
    expect(last.endReason).toBe('voicemail-full');
    expect((await h.api('GET', `/api/voicemails?queueId=${queueId}`, undefined, sue)).body.total).toBe(2);
  }, 60_000);

  it('a waiting caller of a queue that lets them presses 2 and leaves a message instead of waiting: not an abandon', async () => {
    const q = await h.api('POST', '/api/queues', { name: 'waiting-room', skills: {}, voicemailKey: true }, h.admin);
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    expect(q.body.voicemailKey).toBe(true);
    // the offer ("… press 2"), as an admin's 900 Hz recording of it, is heard with the announcements
    const up = await fetch(`${h.baseUrl}/api/prompts/en/voicemail-offer`, { method: 'PUT', headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'audio/wav' }, body: new Uint8Array(toneWav(900, 1.5)) });
    expect(up.status, await up.text()).toBe(204);
    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: 'waiting-room', ...caller });
      await eventually(() => rtp.peak(0.5) === 900, 20_000, 'the offer');
      inDialog(h, udp, ok, 'INFO', { digit: '2', cseq: 10 });
      await eventually(() => rtp.peak(0.3) === 1000, 20_000, 'the tone');
      rtp.startTone(700);
      await new Promise((r) => setTimeout(r, 3000)); // (under load the recording may start a moment after the tone)
      rtp.startTone(0);
      inDialog(h, udp, ok, 'BYE', { cseq: 11 });
      await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
    } finally {
      rtp.close();
    }
    const v = await eventually(async () => (await h.api('GET', `/api/voicemails?queueId=${q.body.id}`, undefined, sue)).body.items[0], 20_000, 'the message');
    expect(v.seconds).toBeGreaterThan(1);
    const call = (await h.api('GET', `/api/calls/${v.callId}`, undefined, sue)).body;
    expect(call.events.map((e: { event: string }) => e.event)).toEqual(['ENTERQUEUE', 'EXITWITHKEY', 'VOICEMAIL']);
    expect(call.events[1].data).toMatchObject({ key: '2', to: 'voicemail' });
    expect(call.endReason).toBe('voicemail');
  }, 60_000);
});
