/**
 * Silent monitoring (a supervisor listens in) on the real rtpengine: a headless Chromium answers the listener offer
 * and must hear, on two streams kept apart, the customer and the agent, while neither hears anything new.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MediaSession } from '../../media/index.ts';
import { parseAudio } from '../../media/sdp.ts';
import { BrowserPeer } from './helpers/browser-peer.ts';
import { RtpPeer } from './helpers/rtp-peer.ts';
import { startTestMedia, waitFor, type TestMedia } from './helpers/env.ts';

let media: TestMedia;
const browsers: BrowserPeer[] = [];
const peers: RtpPeer[] = [];
const sessions: MediaSession[] = [];
let n = 0;

beforeAll(async () => {
  media = await startTestMedia(43000, 43199);
});
afterAll(async () => {
  await media?.cleanup();
});
afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close();
  for (const p of peers.splice(0)) p.close();
  for (const s of sessions.splice(0)) await s.close();
});

async function peer(): Promise<RtpPeer> {
  const p = await RtpPeer.create();
  peers.push(p);
  return p;
}
async function browser(toneHz: number): Promise<BrowserPeer> {
  const b = await BrowserPeer.launch(toneHz);
  browsers.push(b);
  return b;
}
function session(): MediaSession {
  const s = media.engine.createSession(`listen-${process.pid}-${++n}`);
  sessions.push(s);
  return s;
}
const near = (hz: number, want: number): boolean => Math.abs(hz - want) < 15;

describe('a listener (silent monitoring)', () => {
  it('hears the phone caller and the desk phone on two streams, adds nothing to the call, and leaves without a trace', async () => {
    const caller = await peer();
    const agent = await peer();
    const s = session();
    caller.useRemote(await s.answerCustomer(caller.sdp(['PCMU'])));
    await s.answerFromAgent(agent.answerFor(await s.offerToAgent({ kind: 'rtp' }), 'PCMU'));
    caller.startTone(600);
    agent.startTone(900);
    await waitFor(() => caller.peak(1) === 900 && agent.peak(1) === 600, 8000, 'caller and agent hear each other');

    const offer = await s.listenOffer();
    const d = parseAudio(offer.sdp);
    expect(d.webrtc).toBe(true);
    expect(offer.sdp.match(/^m=audio /gm)).toHaveLength(2);
    expect(offer.sdp).toMatch(/a=sendonly/);
    const listener = await browser(1000); // its microphone is never asked for: a listener sends nothing
    await s.listenAnswer(offer.id, await listener.listenTo(offer.sdp));
    await listener.streams(1500);
    const [customer, agentSide] = await listener.streams(1000);
    expect(near(customer!.peakHz, 600), `customer stream ${JSON.stringify(customer)}`).toBe(true);
    expect(near(agentSide!.peakHz, 900), `agent stream ${JSON.stringify(agentSide)}`).toBe(true);
    expect(customer!.toneShare).toBeGreaterThan(0.7);
    expect(agentSide!.toneShare).toBeGreaterThan(0.7);
    // the parties hear each other as before, and only each other
    caller.clear();
    agent.clear();
    await waitFor(() => caller.peak(1) === 900 && agent.peak(1) === 600, 8000, 'the call goes on');
    expect(caller.toneShare(900)).toBeGreaterThan(0.7);
    expect(agent.toneShare(600)).toBeGreaterThan(0.7);

    // a second listener at once
    const offer2 = await s.listenOffer();
    expect(offer2.id).not.toBe(offer.id);
    const listener2 = await browser(1000);
    await s.listenAnswer(offer2.id, await listener2.listenTo(offer2.sdp));
    await listener2.streams(1500);
    const both = await listener2.streams(1000);
    expect(both.map((x) => near(x.peakHz, 600) || near(x.peakHz, 900))).toEqual([true, true]);

    // the first one leaves: its streams stop, the second one and the call go on
    await s.stopListening(offer.id);
    await listener.streams(1500);
    const after = await listener.streams(1000);
    expect(after.every((x) => x.rms < 0.01), `after leaving ${JSON.stringify(after)}`).toBe(true);
    const still = await listener2.streams(1000);
    expect(near(still[0]!.peakHz, 600) && near(still[1]!.peakHz, 900)).toBe(true);
    caller.clear();
    await waitFor(() => caller.peak(1) === 900, 8000, 'the call still goes on');
  });

  it('hears a browser caller and a browser agent (Opus), also after hold and resume', async () => {
    const customer = await browser(700);
    const agent = await browser(500);
    const s = session();
    await customer.accept(await s.answerCustomer(await customer.offer()));
    await s.answerFromAgent(await agent.answer(await s.offerToAgent({ kind: 'webrtc' })));
    expect(near((await agent.measure(1500)).peakHz, 700)).toBe(true);

    const offer = await s.listenOffer();
    expect(parseAudio(offer.sdp).codecs[0]?.name).toBe('opus');
    const listener = await browser(1000);
    await s.listenAnswer(offer.id, await listener.listenTo(offer.sdp));
    await listener.streams(1500);
    const [c1, a1] = await listener.streams(1000);
    expect(near(c1!.peakHz, 700), JSON.stringify(c1)).toBe(true);
    expect(near(a1!.peakHz, 500), JSON.stringify(a1)).toBe(true);

    await s.hold({ music: false });
    await listener.streams(1200);
    const held = await listener.streams(1000);
    expect(held.every((x) => x.rms < 0.01), `on hold nobody talks to anybody ${JSON.stringify(held)}`).toBe(true);
    await s.resume();
    await listener.streams(1500);
    const [c2, a2] = await listener.streams(1000);
    expect(near(c2!.peakHz, 700), JSON.stringify(c2)).toBe(true);
    expect(near(a2!.peakHz, 500), JSON.stringify(a2)).toBe(true);
  });

  it('refuses to listen before an agent is connected; an answer rtpengine refuses leaves nothing behind', async () => {
    const caller = await peer();
    const agent = await peer();
    const s = session();
    caller.useRemote(await s.answerCustomer(caller.sdp(['PCMU'])));
    await expect(s.listenOffer()).rejects.toMatchObject({ code: 'MEDIA_ERR_WRONG_ORDER' });
    await s.answerFromAgent(agent.answerFor(await s.offerToAgent({ kind: 'rtp' }), 'PCMU'));
    const bad = await s.listenOffer();
    await expect(s.listenAnswer(bad.id, 'v=0\r\nnot an answer\r\n')).rejects.toMatchObject({ code: 'MEDIA_ERR_NG_FAILED' });
    await s.stopListening(bad.id);
    caller.startTone(600);
    agent.startTone(900);
    const offer = await s.listenOffer();
    const listener = await browser(1000);
    await s.listenAnswer(offer.id, await listener.listenTo(offer.sdp));
    await listener.streams(1500);
    const [c, a] = await listener.streams(1000);
    expect(near(c!.peakHz, 600) && near(a!.peakHz, 900), JSON.stringify([c, a])).toBe(true);
  });

  it('a coach is heard on the agent\'s page only: not by the caller, and not in the agent\'s call', async () => {
    const caller = await peer();
    const agent = await peer();
    const s = session();
    caller.useRemote(await s.answerCustomer(caller.sdp(['PCMU'])));
    await expect(s.coachPublish('v=0\r\n')).rejects.toMatchObject({ code: 'MEDIA_ERR_WRONG_ORDER' });
    await s.answerFromAgent(agent.answerFor(await s.offerToAgent({ kind: 'rtp' }), 'PCMU'));
    caller.startTone(600);
    agent.startTone(900);
    await waitFor(() => caller.peak(1) === 900 && agent.peak(1) === 600, 8000, 'caller and agent hear each other');

    const coach = await browser(1000); // the coach's microphone: 1 kHz
    const published = await s.coachPublish(await coach.offer());
    await coach.accept(published.sdp);
    const offer = await s.coachOffer(published.id);
    expect(offer.sdp.match(/^m=audio /gm)).toHaveLength(1);
    const agentPage = await browser(1000);
    await s.listenAnswer(offer.id, await agentPage.listenTo(offer.sdp));
    await agentPage.streams(1500);
    const [heard] = await agentPage.streams(1000);
    expect(near(heard!.peakHz, 1000), JSON.stringify(heard)).toBe(true);
    expect(heard!.toneShare).toBeGreaterThan(0.7);
    caller.clear();
    agent.clear();
    await waitFor(() => caller.received.length >= 8000 && agent.received.length >= 8000, 5000, 'a second of the call');
    expect([caller.peak(1), agent.peak(1)]).toEqual([900, 600]);
    expect(caller.toneShare(900)).toBeGreaterThan(0.7);
    expect(agent.toneShare(600)).toBeGreaterThan(0.7);

    await s.stopListening(offer.id);
    await agentPage.streams(1500);
    expect((await agentPage.streams(1000))[0]!.rms).toBeLessThan(0.01);
  });
});
