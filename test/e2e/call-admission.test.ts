import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../sip/index.ts';
import { RawUdp } from '../sip/helpers.ts';
import { type Harness, createAgent, startCallCenter } from './support/harness.ts';
import { inviteQueue } from './support/queue-invite.ts';

/** Who may call a queue: a browser with its call token and one-call credentials, or an authenticated SIP phone. */
describe('call admission', () => {
  let h: Harness;
  let udp: RawUdp;
  let deskPhone: { password: string; sipPassword: string };

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 44900, rtpPortMax: 44999 });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 } }, h.admin);
    deskPhone = await createAgent(h, { login: 'desk', name: 'Desk', languages: { en: 5 }, sipUser: '1201' });
    udp = await new RawUdp().open();
  }, 60_000);

  afterAll(async () => {
    udp?.close();
    await h?.close();
  });

  const invite = (o: { to: string; user: string; password: string; headers?: string[] }): Promise<SipResponse> => inviteQueue(h, udp, o);

  async function browserCall(): Promise<{ token: string; sip: { authorizationUsername: string; authorizationPassword: string } }> {
    const r = await h.api('POST', '/api/public/calls', { queue: 'support', language: 'en', page: { url: 'https://shop/x', title: 'X' } });
    expect(r.status).toBe(201);
    return r.body;
  }

  it('a browser call token that is forged is refused with 403', async () => {
    const call = await browserCall();
    const forged = `${call.token.slice(0, -3)}abc`;
    const res = await invite({ to: 'support', user: call.sip.authorizationUsername, password: call.sip.authorizationPassword, headers: [`X-Call-Token: ${forged}`] });
    expect(res.status).toBe(403);
    expect(res.reason).toMatch(/token/i);
  });

  it('a call token used with another caller\'s credentials is refused with 403', async () => {
    const a = await browserCall();
    const b = await browserCall();
    const res = await invite({ to: 'support', user: b.sip.authorizationUsername, password: b.sip.authorizationPassword, headers: [`X-Call-Token: ${a.token}`] });
    expect(res.status).toBe(403);
    expect(res.reason).toMatch(/another caller/);
  });

  it('a wrong password never gets past the challenge', async () => {
    const call = await browserCall();
    const res = await invite({ to: 'support', user: call.sip.authorizationUsername, password: 'not-the-password', headers: [`X-Call-Token: ${call.token}`] });
    expect([401, 403, 407]).toContain(res.status);
  });

  it('a desk phone dialling a queue that does not exist gets 404 naming it', async () => {
    const res = await invite({ to: 'nosuchqueue', user: '1201', password: deskPhone.sipPassword });
    expect(res.status).toBe(404);
    expect(res.reason).toContain('nosuchqueue');
  });

  it('the public call API names what is wrong with a request', async () => {
    const unknown = await h.api('POST', '/api/public/calls', { queue: 'nosuch', language: 'en', page: { url: 'u', title: 't' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ERR_UNKNOWN_QUEUE');
    const bad = await h.api('POST', '/api/public/calls', { queue: 'support', language: 'English', page: { url: 'u', title: 't' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/language/);
  });

  it('an agent asking for a state move that is not possible now gets 409 naming the state', async () => {
    const token = await h.login('desk', deskPhone.password);
    const done = await h.api('PUT', '/api/agent/state', { state: 'wrap-up-done' }, token);
    expect(done.status).toBe(409);
    expect(done.body.message).toMatch(/wrap-up-done.*not-ready/);
    const pause = await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'lunch' }, token);
    expect(pause.status).toBe(200);
    expect(pause.body).toMatchObject({ state: 'not-ready', reason: 'lunch', deviceUp: false });
  });
});
