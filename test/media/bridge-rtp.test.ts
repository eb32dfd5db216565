import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DtmfEvent, MediaSession } from '../../media/index.ts';
import { RtpPeer } from './helpers/rtp-peer.ts';
import { toneWav } from './helpers/audio.ts';
import { sleep, startTestMedia, waitFor, type TestMedia } from './helpers/env.ts';

let media: TestMedia;
let peers: RtpPeer[] = [];
let sessions: MediaSession[] = [];
let n = 0;

beforeAll(async () => {
  media = await startTestMedia(40000, 40999);
});
afterAll(async () => {
  await media?.cleanup();
});
afterEach(async () => {
  for (const p of peers) p.close();
  for (const s of sessions) await s.close();
  peers = [];
  sessions = [];
});

async function peer(): Promise<RtpPeer> {
  const p = await RtpPeer.create();
  peers.push(p);
  return p;
}
function session(options: { injectDtmf?: boolean } = {}): MediaSession {
  const s = media.engine.createSession(`rtp-call-${process.pid}-${++n}`, options);
  sessions.push(s);
  return s;
}

/** Customer (plain RTP) offers, waits in the waiting room, then is bridged to an agent answering with `agentCodec`. */
async function bridged(customerCodecs: ('PCMU' | 'PCMA')[], agentCodec: 'PCMU' | 'PCMA', options: { injectDtmf?: boolean } = {}) {
  const customer = await peer();
  const agent = await peer();
  const s = session(options);
  customer.useRemote(await s.answerCustomer(customer.sdp(customerCodecs)));
  const offer = await s.offerToAgent({ kind: 'rtp', codecs: [agentCodec] });
  await s.answerFromAgent(agent.answerFor(offer, agentCodec));
  return { customer, agent, s };
}

describe('plain RTP legs bridged through rtpengine', () => {
  it('carries a tone both ways when both legs use PCMU (passthrough)', async () => {
    const { customer, agent } = await bridged(['PCMU'], 'PCMU');
    customer.startTone(1000);
    agent.startTone(440);
    await waitFor(() => customer.received.length >= 8000 && agent.received.length >= 8000, 5000, 'a second of audio each way');
    await sleep(300);
    expect(agent.peak()).toBe(1000);
    expect(customer.peak()).toBe(440);
    expect(agent.toneShare(1000)).toBeGreaterThan(0.9);
    expect(customer.toneShare(440)).toBeGreaterThan(0.9);
    expect(agent.receivedByPt.get(0)).toBeGreaterThan(40);
    expect(customer.receivedByPt.get(0)).toBeGreaterThan(40);
  });

  it('tells how long each side has been silent (no RTP), for the media inactivity timeout', async () => {
    const { customer, agent, s } = await bridged(['PCMU'], 'PCMU');
    customer.startTone(1000);
    agent.startTone(440);
    await waitFor(() => customer.received.length >= 8000 && agent.received.length >= 8000, 5000, 'a second of audio each way');
    const talking = await s.silentSeconds();
    expect(talking.customer).toBeLessThan(1.5);
    expect(talking.agent).toBeLessThan(1.5);
    agent.stop();
    await sleep(2600);
    const quiet = await s.silentSeconds();
    expect(quiet.customer).toBeLessThan(1.5);
    expect(quiet.agent).toBeGreaterThanOrEqual(1.5);
  });

  it('transcodes between a PCMU customer and a PCMA agent and the tone survives', async () => {
    const { customer, agent, s } = await bridged(['PCMU'], 'PCMA');
    customer.startTone(1000);
    agent.startTone(600);
    await waitFor(() => customer.received.length >= 8000 && agent.received.length >= 8000, 5000, 'a second of audio each way');
    await sleep(300);
    // what reaches each side is in its own codec
    expect(agent.receivedByPt.get(8)).toBeGreaterThan(40);
    expect(agent.receivedByPt.get(0) ?? 0).toBe(0);
    expect(customer.receivedByPt.get(0)).toBeGreaterThan(40);
    expect(agent.peak()).toBe(1000);
    expect(customer.peak()).toBe(600);
    expect(agent.toneShare(1000)).toBeGreaterThan(0.8);
    const q = await s.query();
    expect(q.result).toBe('ok');
  });

  it('a prompt reaches a waiting caller and an admin override wins over the default', async () => {
    media.customPrompt('en', 'please-hold', toneWav(1200, 1.5));
    const customer = await peer();
    const s = session();
    customer.useRemote(await s.answerCustomer(customer.sdp(['PCMU'])));
    customer.startTone(0); // a caller sends (silent) audio as phones do
    const result = await s.playPrompts(['please-hold'], 'en');
    expect(result.completed).toBe(true);
    expect(result.durationMs).toBeGreaterThan(1400);
    expect(customer.received.length).toBeGreaterThan(8000);
    expect(customer.peak(1)).toBe(1200);
  });

  it('a default prompt sentence plays in the caller language and music on hold resumes after it', async () => {
    media.customPrompt(null, 'music-on-hold', toneWav(500, 5));
    const customer = await peer();
    const s = session();
    customer.useRemote(await s.answerCustomer(customer.sdp(['PCMU', 'PCMA'])));
    await s.startMusicOnHold();
    await waitFor(() => customer.received.length >= 8000, 5000, 'music on hold');
    await sleep(200);
    expect(customer.peak(1)).toBe(500);
    customer.clear();
    const t0 = Date.now();
    const done = s.playPrompts(['all-agents-busy', 'you-are-number', 'n/3'], 'de');
    await sleep(1000);
    // the prompt replaces the music: speech, not the 500 Hz tone
    expect(customer.level(0.8)).toBeGreaterThan(100);
    expect(customer.toneShare(500, 0.8)).toBeLessThan(0.2);
    const r = await done;
    expect(r.completed).toBe(true);
    expect(Date.now() - t0).toBeGreaterThan(2000);
    customer.clear();
    await waitFor(() => customer.received.length >= 8000, 5000, 'music after the prompt');
    expect(customer.peak(1)).toBe(500);
    await s.stopMusicOnHold();
    await sleep(300);
    customer.clear();
    await sleep(500);
    expect(customer.level(0.5)).toBeLessThan(50);
  });

  it('DTMF digits from either leg arrive as events naming call and leg', async () => {
    const { customer, agent, s } = await bridged(['PCMU'], 'PCMU', { injectDtmf: true });
    const events: DtmfEvent[] = [];
    media.engine.on('dtmf', (e) => events.push(e));
    customer.startTone(0);
    agent.startTone(0);
    await sleep(100);
    await customer.sendDtmf(5);
    await sleep(100);
    await agent.sendDtmf(11);
    await waitFor(() => events.filter((e) => e.callId === s.callId).length >= 2, 3000, 'two DTMF events');
    const mine = events.filter((e) => e.callId === s.callId);
    expect(mine.map((e) => [e.leg, e.digit])).toEqual([
      ['customer', '5'],
      ['agent', '#'],
    ]);
    // our peer's events last 800 timestamp units at 8 kHz
    expect(mine.map((e) => e.durationMs)).toEqual([100, 100]);
    // and the other way: the application sends digits to a leg as RFC 4733 events
    await s.sendDtmf('customer', '9');
    await s.sendDtmf('agent', '*');
    await waitFor(() => customer.receivedDtmf.includes(9) && agent.receivedDtmf.includes(10), 3000, 'digit 9 at the customer and * at the agent');
  });

  it('a prompt during a bridged call replaces the agent\'s voice, which comes back after it', async () => {
    media.customPrompt('en', 'please-hold', toneWav(1200, 1.5));
    const { customer, agent, s } = await bridged(['PCMU'], 'PCMU');
    customer.startTone(1000);
    agent.startTone(440);
    await waitFor(() => customer.received.length >= 4000, 5000, 'audio');
    // a waiting-room announcement that comes too late is not played over the conversation
    expect(await s.playPrompts(['please-hold'], 'en')).toMatchObject({ skipped: true, completed: false });
    const done = s.playPrompts(['please-hold'], 'en', { duringCall: true });
    await sleep(1000);
    expect(customer.peak(0.6)).toBe(1200);
    expect(customer.toneShare(440, 0.6)).toBeLessThan(0.05);
    expect((await done).completed).toBe(true);
    await sleep(400);
    customer.clear();
    await sleep(700);
    expect(customer.peak(0.5)).toBe(440);
  });

  it('music on hold loops past the end of its file', async () => {
    media.customPrompt(null, 'music-on-hold', toneWav(500, 0.6));
    const customer = await peer();
    const s = session();
    customer.useRemote(await s.answerCustomer(customer.sdp(['PCMU'])));
    await s.startMusicOnHold();
    await sleep(2000);
    customer.clear();
    await sleep(600);
    expect(customer.peak(0.5)).toBe(500);
    await s.stopMusicOnHold();
  });

  it('hold plays music to the customer and cuts the agent; resume reconnects them', async () => {
    media.customPrompt(null, 'music-on-hold', toneWav(500, 5));
    const { customer, agent, s } = await bridged(['PCMU'], 'PCMU');
    customer.startTone(1000);
    agent.startTone(440);
    await waitFor(() => customer.received.length >= 8000, 5000, 'audio');
    await s.hold();
    expect(s.state).toBe('held');
    await sleep(400);
    customer.clear();
    agent.clear();
    await sleep(1100);
    expect(customer.peak(1)).toBe(500);
    expect(agent.level(1)).toBeLessThan(50);
    await s.resume();
    expect(s.state).toBe('bridged');
    await sleep(300);
    customer.clear();
    agent.clear();
    await sleep(1100);
    expect(customer.peak(1)).toBe(440);
    expect(agent.peak(1)).toBe(1000);
  });

  it('a transfer replaces the agent leg without touching the customer', async () => {
    const { customer, agent, s } = await bridged(['PCMU'], 'PCMU');
    customer.startTone(1000);
    agent.startTone(440);
    await waitFor(() => customer.received.length >= 4000, 5000, 'audio');
    expect(customer.peak(0.5)).toBe(440);
    const agent2 = await peer();
    // the second agent's phone speaks only PCMA: the new agent leg transcodes, the customer leg is untouched
    const offer = await s.offerToAgent({ kind: 'rtp', codecs: ['PCMA'] });
    // the call layer hangs up the first agent (BYE): its phone stops sending
    agent.stop();
    const before = customer.remote;
    await s.answerFromAgent(agent2.answerFor(offer, 'PCMA'));
    agent2.startTone(700);
    await sleep(300);
    customer.clear();
    agent2.clear();
    await sleep(1100);
    expect(customer.remote).toEqual(before);
    expect(customer.peak(1)).toBe(700);
    expect(agent2.peak(1)).toBe(1000);
    const old = agent.receivedPackets;
    await sleep(300);
    expect(agent.receivedPackets - old).toBeLessThan(3);
    // the PCMA agent runs through a chained rtpengine call; a transfer on to a PCMU phone releases it
    expect((await media.engine.ng.query({ 'call-id': `${s.callId}~1` })).result).toBe('ok');
    const agent3 = await peer();
    const offer3 = await s.offerToAgent({ kind: 'rtp' });
    agent2.stop();
    await s.answerFromAgent(agent3.answerFor(offer3, 'PCMU'));
    agent3.startTone(900);
    await sleep(300);
    customer.clear();
    await sleep(800);
    expect(customer.peak(0.5)).toBe(900);
    await expect(media.engine.ng.query({ 'call-id': `${s.callId}~1` })).rejects.toMatchObject({ code: 'MEDIA_ERR_NG_FAILED' });
  });

  it('a blind transfer puts the customer back in the waiting room (music, then the next agent), from bridged or held', async () => {
    media.customPrompt(null, 'music-on-hold', toneWav(500, 5));
    for (const fromHeld of [false, true]) {
      // a PCMA agent: its leg runs through a chained call, which the return to the waiting room deletes
      const { customer, agent, s } = await bridged(['PCMU'], 'PCMA');
      customer.startTone(1000);
      agent.startTone(440);
      await waitFor(() => customer.peak(0.5) === 440, 5000, 'the agent at the customer');
      if (fromHeld) await s.hold();
      await s.returnToWaitingRoom();
      expect(s.state).toBe('waiting');
      await expect(media.engine.ng.query({ 'call-id': `${s.callId}~1` })).rejects.toMatchObject({ code: 'MEDIA_ERR_NG_FAILED' });
      await s.startMusicOnHold();
      await sleep(400);
      customer.clear();
      await sleep(900);
      expect(customer.peak(0.8)).toBe(500); // music, not the agent any more
      const old = agent.receivedPackets;
      await sleep(300);
      expect(agent.receivedPackets - old).toBeLessThan(3); // and the agent no longer hears the customer
      agent.stop();
      const next = await peer();
      await s.answerFromAgent(next.answerFor(await s.offerToAgent({ kind: 'rtp' }), 'PCMU'));
      next.startTone(900);
      await waitFor(() => customer.peak(0.5) === 900 && next.peak(0.5) === 1000, 5000, 'the next agent and the customer hear each other');
    }
  });

  for (const agentCodec of ['PCMU', 'PCMA'] as const) {
    it(`music on hold stops when an agent (${agentCodec}) is connected`, async () => {
      media.customPrompt(null, 'music-on-hold', toneWav(500, 5));
      const customer = await peer();
      const agent = await peer();
      const s = session();
      customer.useRemote(await s.answerCustomer(customer.sdp(['PCMU'])));
      customer.startTone(1000);
      await s.startMusicOnHold();
      await sleep(600);
      expect(customer.peak(0.4)).toBe(500);
      const offer = await s.offerToAgent({ kind: 'rtp', codecs: [agentCodec] });
      await s.answerFromAgent(agent.answerFor(offer, agentCodec));
      agent.startTone(440);
      await sleep(500);
      customer.clear();
      await sleep(1100);
      expect(customer.peak(1)).toBe(440);
      expect(customer.toneShare(500, 1)).toBeLessThan(0.05);
      expect(agent.peak(1)).toBe(1000);
      // a late request for music (the call layer raced the agent's answer) does not play over the conversation
      await expect(s.startMusicOnHold()).rejects.toMatchObject({ code: 'MEDIA_ERR_WRONG_ORDER' });
    });
  }

  it('an agent who does not answer leaves the caller in the waiting room, hearing prompts', async () => {
    media.customPrompt('en', 'please-hold', toneWav(1200, 1));
    const customer = await peer();
    const s = session();
    customer.useRemote(await s.answerCustomer(customer.sdp(['PCMU'])));
    await s.offerToAgent({ kind: 'rtp', codecs: ['PCMA'] });
    expect(s.state).toBe('agent-offered');
    await s.cancelAgentOffer();
    expect(s.state).toBe('waiting');
    await expect(media.engine.ng.query({ 'call-id': `${s.callId}~1` })).rejects.toMatchObject({ code: 'MEDIA_ERR_NG_FAILED' });
    await expect(s.answerFromAgent(customer.sdp(['PCMU']))).rejects.toMatchObject({ code: 'MEDIA_ERR_WRONG_ORDER' });
    const played = s.playPrompts(['please-hold'], 'en');
    await sleep(700);
    expect(customer.peak(0.5)).toBe(1200);
    expect((await played).completed).toBe(true);
  });

  it('close releases the call in rtpengine, also after an abnormal end', async () => {
    const { customer, s } = await bridged(['PCMU'], 'PCMU');
    customer.startTone(1000);
    await sleep(200);
    await s.close();
    await s.close();
    await expect(media.engine.ng.query({ 'call-id': s.callId })).rejects.toMatchObject({ code: 'MEDIA_ERR_NG_FAILED' });
    expect(media.engine.session(s.callId)).toBeUndefined();
    await expect(s.hold()).rejects.toThrow(/closed/);
  });
});
