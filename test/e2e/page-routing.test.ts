import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../sip/index.ts';
import { RawUdp } from '../sip/helpers.ts';
import type { BaresipPhone } from '../support/baresip.ts';
import { type Harness, createAgent, deskPhone, startCallCenter } from './support/harness.ts';
import { inDialog, inviteQueue } from './support/queue-invite.ts';

/**
 * Routing on the page the caller is on: the queue's page rule sends a caller from a laptop page to the laptop
 * expert (not to the agent idle longest), for a while, then to anyone the queue allows. The caller is the widget's
 * call as the server sees it: POST /api/public/calls with the page, then the INVITE with its token and one-call
 * credentials (raw SIP over UDP here; the widget's own SIP is tested in test/e2e/browser-agent.test.ts); the agents
 * are desk phones (baresip) that answer by themselves.
 */
describe('routing on the page', () => {
  let h: Harness;
  let dir: string;
  const agents: Record<'gene' | 'lara', { id: number; token: string; phone: BaresipPhone }> = {} as never;
  const open: Array<{ udp: RawUdp; ok: SipResponse }> = [];

  const setState = async (who: 'gene' | 'lara', state: 'ready' | 'not-ready' | 'logged-out') => {
    const r = await h.api('PUT', '/api/agent/state', { state, ...(state === 'not-ready' ? { reason: 'other' } : {}) }, agents[who].token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  /** A browser caller on `page` dials the shop queue; returns the call id once it is answered into the queue. */
  const callFrom = async (page: { url: string; title: string; category?: string }): Promise<string> => {
    const pub = await h.api('POST', '/api/public/calls', { queue: 'shop', language: 'en', page });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    const { callId, token, sip } = pub.body as { callId: string; token: string; sip: { authorizationUsername: string; authorizationPassword: string } };
    const [username, password] = [sip.authorizationUsername, sip.authorizationPassword];
    const udp = await new RawUdp().open();
    const ok = await inviteQueue(h, udp, { to: 'shop', user: username, password, headers: [`X-Call-Token: ${token}`] });
    expect(ok.status).toBe(200);
    inDialog(h, udp, ok, 'ACK');
    open.push({ udp, ok });
    return callId;
  };
  const offers = async (callId: string) => {
    await h.server.center.log.flush();
    const events = (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body.events as Array<{ event: string; at: string; agentId: number | null }>;
    const entered = events.find((e) => e.event === 'ENTERQUEUE');
    return events.filter((e) => e.event === 'OFFER').map((e) => ({ agentId: e.agentId, afterMs: Date.parse(e.at) - Date.parse(entered!.at) }));
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-page-routing-'));
    h = await startCallCenter({ rtpPortMin: 46200, rtpPortMax: 46299 });
    for (const name of ['support', 'laptops']) expect((await h.api('POST', '/api/skills', { name }, h.admin)).status).toBe(201);
    const q = await h.api('POST', '/api/queues', {
      name: 'shop', skills: { support: 1 }, ringTimeoutSeconds: 10, wrapUpSeconds: 0,
      pageRules: [{ when: { category: 'laptops' }, skills: { laptops: 3 }, forSeconds: 4 }],
    }, h.admin);
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    let port = 5747; // (SIP 5747 and 5772, control +100, RTP 4 × port + 0..99: apart from the other test files)
    for (const [login, skills] of [['gene', { support: 3 }], ['lara', { support: 3, laptops: 4 }]] as const) {
      const a = await createAgent(h, { login, name: login, languages: { en: 5 }, skills, sipUser: `14${port % 100}` });
      const phone = await deskPhone(h, dir, { user: `14${port % 100}`, password: a.sipPassword, port, tone: 1000, answer: 'auto' });
      agents[login] = { id: a.id, token: await h.login(login, a.password), phone };
      port += 25;
    }
  }, 120_000);

  afterEach(async () => {
    for (const { udp, ok } of open.splice(0)) {
      inDialog(h, udp, ok, 'BYE');
      await new Promise((r) => setTimeout(r, 300));
      udp.close();
    }
    await setState('gene', 'logged-out');
    await setState('lara', 'logged-out');
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) await a.phone.stop();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a caller from a laptop page goes to the laptop expert, not to the agent idle longest; another page's caller to the longest idle", async () => {
    await setState('gene', 'ready');
    await new Promise((r) => setTimeout(r, 1100)); // (gene has been idle longer)
    await setState('lara', 'ready');
    const laptop = await callFrom({ url: 'https://shop.example/laptops/x1', title: 'X1', category: 'laptops' });
    await agents.lara.phone.waitEvent('CALL_ESTABLISHED', 20_000);
    expect((await offers(laptop)).map((o) => o.agentId)).toEqual([agents.lara.id]);
    const tent = await callFrom({ url: 'https://shop.example/tents/taiga', title: 'Taiga', category: 'tents' });
    await agents.gene.phone.waitEvent('CALL_ESTABLISHED', 20_000);
    expect((await offers(tent)).map((o) => o.agentId)).toEqual([agents.gene.id]);
  }, 60_000);

  it('with the expert away, the caller waits for the rule\'s 4 s, then goes to anyone the queue allows', async () => {
    await setState('lara', 'not-ready');
    await setState('gene', 'ready');
    const laptop = await callFrom({ url: 'https://shop.example/laptops/x1', title: 'X1', category: 'laptops' });
    await agents.gene.phone.waitEvent('CALL_ESTABLISHED', 20_000);
    const [offer] = await offers(laptop);
    expect(offer!.agentId).toBe(agents.gene.id);
    // (the queue log's times are the server's clock, in ms)
    expect(offer!.afterMs).toBeGreaterThanOrEqual(3900);
    expect(offer!.afterMs).toBeLessThan(8000);
  }, 60_000);
});
