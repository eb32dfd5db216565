import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, startMedia, type MediaSession } from '../../media/index.ts';
import { rtpengineConfig } from '../../media/rtpengine-process.ts';
import { NgClient } from '../../media/ng-client.ts';
import { RtpPeer } from './helpers/rtp-peer.ts';
import { startTestMedia, testLogger, waitFor, type TestMedia } from './helpers/env.ts';

describe('rtpengine lifecycle', () => {
  let media: TestMedia;
  let peers: RtpPeer[] = [];
  let sessions: MediaSession[] = [];
  beforeAll(async () => {
    media = await startTestMedia(42000, 42499);
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

  async function bridgedCall(id: string) {
    const customer = await RtpPeer.create();
    const agent = await RtpPeer.create();
    peers.push(customer, agent);
    const s = media.engine.createSession(id);
    sessions.push(s);
    const agentOffer = await s.offerFromCustomer(customer.sdp(['PCMU']), { kind: 'rtp' });
    customer.useRemote(await s.answerFromAgent(agent.answerFor(agentOffer, 'PCMU')));
    customer.startTone(1000);
    agent.startTone(440);
    await waitFor(() => agent.received.length >= 4000 && customer.received.length >= 4000, 5000, `audio both ways in ${id}`);
    return { customer, agent, s };
  }

  it('a killed rtpengine is restarted by the supervisor, the loss is reported and new sessions work', async () => {
    const before = await bridgedCall('before-kill');
    const pid = media.engine.rtpenginePid;
    expect(pid).toBeGreaterThan(0);
    const lost: string[] = [];
    before.s.on('mediaLost', () => lost.push(before.s.callId));
    const exit = new Promise((r) => media.engine.once('rtpengineExit', r));
    const restarted = new Promise<{ pid: number | undefined; restarts: number }>((r) => media.engine.once('rtpengineRestarted', r));
    process.kill(pid!, 'SIGKILL');
    await exit;
    expect(lost).toEqual(['before-kill']);
    const info = await restarted;
    expect(info.restarts).toBe(1);
    expect(info.pid).not.toBe(pid);
    expect(media.engine.rtpenginePid).toBe(info.pid);
    // the old call is gone with the old process: the call layer hangs up its phones and closes it (must not throw)
    before.customer.stop();
    before.agent.stop();
    await before.s.close();
    const after = await bridgedCall('after-restart');
    expect(after.agent.peak(0.5)).toBe(1000);
    expect(after.customer.peak(0.5)).toBe(440);
  });

  it('offerFromCustomer and answerFromAgent bridge a call without a waiting room', async () => {
    const { s, customer, agent } = await bridgedCall('direct');
    expect(s.state).toBe('bridged');
    expect(agent.toneShare(1000, 0.5)).toBeGreaterThan(0.9);
    expect(customer.toneShare(440, 0.5)).toBeGreaterThan(0.9);
  });

  it('using a closed session or engine is refused, and a second close is harmless', async () => {
    const s = media.engine.createSession('closing');
    await s.close();
    await s.close();
    await expect(s.answerCustomer('v=0\r\n')).rejects.toMatchObject({ name: 'InvalidStateError' });
    expect(() => media.engine.createSession('bad id with spaces')).toThrow(TypeError);
    expect(() => media.engine.createSession('dup')).not.toThrow();
    expect(() => media.engine.createSession('dup')).toThrow(/already exists/);
    await media.engine.session('dup')!.close();
  });

  it('an SDP without audio is refused with a stable code naming the call', async () => {
    const s = media.engine.createSession('no-audio');
    sessions.push(s);
    const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\n';
    await expect(s.answerCustomer(sdp)).rejects.toMatchObject({ code: 'MEDIA_ERR_BAD_SDP', callId: 'no-audio' });
    await expect(s.offerToAgent({ kind: 'rtp' })).rejects.toMatchObject({ code: 'MEDIA_ERR_WRONG_ORDER' });
  });
});

describe('starting the media bridge', () => {
  it('a missing rtpengine binary gives an error naming the apt-get install command', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'media-missing-'));
    try {
      const err = await startMedia({ dataDir, logger: testLogger, ngPort: 0, rtpPortMin: 42900, rtpPortMax: 42999, rtpengineBinary: '/nonexistent/rtpengine' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect(err).toMatchObject({ code: 'MEDIA_ERR_RTPENGINE_MISSING' });
      expect((err as Error).message).toContain('apt-get install rtpengine-daemon');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an existing rtpengine named by rtpengineUrl is used instead of starting one', async () => {
    const own = await startTestMedia(42500, 42599);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'media-url-'));
    try {
      const viaUrl = await startMedia({ dataDir, logger: testLogger, rtpengineUrl: `udp://127.0.0.1:${own.engine.ngPort}` });
      expect(viaUrl.rtpenginePid).toBeUndefined();
      expect(viaUrl.ngPort).toBe(own.engine.ngPort);
      const caller = await RtpPeer.create();
      const s = viaUrl.createSession('via-url');
      const answer = await s.answerCustomer(caller.sdp(['PCMA']));
      expect(answer).toMatch(/m=audio 425\d\d RTP\/AVP 8/);
      await viaUrl.close();
      caller.close();
      // closing the engine that uses someone else's rtpengine leaves it running
      expect((await own.engine.ng.ping()).result).toBe('pong');
    } finally {
      await own.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an rtpengine that does not answer fails the ng request with a timeout naming the call', async () => {
    const ng = new NgClient({ host: '127.0.0.1', port: 9, timeoutMs: 50, retries: 2, logger: testLogger });
    try {
      const t0 = Date.now();
      await expect(ng.query({ 'call-id': 'lost-call-7' })).rejects.toMatchObject({ code: 'MEDIA_ERR_NG_TIMEOUT', message: expect.stringContaining('lost-call-7') });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140); // three tries of 50 ms
    } finally {
      ng.close();
    }
  });

  it('the generated config is userspace-only, on the configured addresses and ports', () => {
    const conf = rtpengineConfig({
      dir: '/x', ngPort: 23000, rtpPortMin: 30000, rtpPortMax: 30999, listenAddress: '10.0.0.5', advertisedAddress: '203.0.113.7', dtmfLogPort: 23001, logger: testLogger,
    });
    expect(conf).toContain('table = -1');
    expect(conf).toContain('interface = pub/10.0.0.5!203.0.113.7');
    expect(conf).toContain('listen-ng = 127.0.0.1:23000');
    expect(conf).toContain('port-min = 30000');
    expect(conf).toContain('port-max = 30999');
    expect(conf).toContain('dtmf-log-dest = 127.0.0.1:23001');
    expect(conf).not.toMatch(/^;/m);
    const tuned = rtpengineConfig({
      dir: '/x', ngPort: 1, rtpPortMin: 2, rtpPortMax: 3, listenAddress: '127.0.0.1', dtmfLogPort: 4, logger: testLogger, extraConfig: { 'poller-per-thread': true, 'log-level': 7 },
    });
    expect(tuned).toContain('poller-per-thread = true');
    expect(tuned.match(/^log-level = /gm)).toHaveLength(1);
    expect(tuned).toContain('log-level = 7');
    expect(() => rtpengineConfig({ dir: '/x', ngPort: 1, rtpPortMin: 2, rtpPortMax: 3, listenAddress: '127.0.0.1', dtmfLogPort: 4, logger: testLogger, extraConfig: { 'table\ninterface': 1 } })).toThrow(TypeError);
  });
});
