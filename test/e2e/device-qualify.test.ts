import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaresipPhone, makeTone } from '../support/baresip.ts';
import { type Harness, createAgent, eventually, startCallCenter } from './support/harness.ts';

/** The server sends OPTIONS to registered desk phones (SIP_QUALIFY_SECONDS, 1 s here) and takes a silent one out of routing. */
describe('a desk phone that dies without unregistering', () => {
  let h: Harness;
  let dir: string;
  let token: string;
  const phones: BaresipPhone[] = [];
  let sipPassword: string;

  const phone = (): BaresipPhone => {
    const p = new BaresipPhone({
      dir: path.join(dir, `phone-${phones.length}`), sipPort: 5602, ctrlPort: 5702, rtpMin: 22400, answer: 'auto',
      toneWav: makeTone(path.join(dir, 'tone.wav'), 1000), registrar: `127.0.0.1:${h.sipPort}`, username: '1001', password: sipPassword,
    });
    phones.push(p);
    return p;
  };
  const deviceUp = async (): Promise<boolean> => (await h.api('GET', '/api/agent/state', undefined, token)).body.deviceUp as boolean;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-qualify-'));
    h = await startCallCenter({ rtpPortMin: 44700, rtpPortMax: 44799, env: { SIP_QUALIFY_SECONDS: '1' } });
    expect((await h.api('POST', '/api/skills', { name: 'support' }, h.admin)).status).toBe(201);
    const mari = await createAgent(h, { login: 'mari', name: 'Mari Tamm', languages: { et: 5 }, sipUser: '1001' });
    sipPassword = mari.sipPassword;
    const first = phone();
    await first.start();
    await first.waitRegistered();
    token = await h.login('mari', mari.password);
    const r = await h.api('PUT', '/api/agent/state', { state: 'ready' }, token);
    expect(r.body).toMatchObject({ state: 'ready', deviceUp: true });
  }, 120_000);

  afterAll(async () => {
    for (const p of phones) await p.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is taken out of routing when it stops answering OPTIONS, and back in when it registers again', async () => {
    // baresip answers the OPTIONS: after several rounds its agent's device is still up
    await new Promise((r) => setTimeout(r, 3500));
    expect(await deviceUp()).toBe(true);

    await phones[0]!.crash();
    const t0 = Date.now();
    await eventually(async () => !(await deviceUp()), 15_000, 'the device to go down');
    // found by the next OPTIONS (1 s) plus the 5 s without an answer, long before its registration expires
    expect(Date.now() - t0).toBeLessThan(12_000);
    const state = await h.api('GET', '/api/agent/state', undefined, token);
    expect(state.body).toMatchObject({ state: 'ready', deviceUp: false });

    const again = phone();
    await again.start();
    await again.waitRegistered();
    await eventually(deviceUp, 10_000, 'the device to come back');
  });
});
