import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { SipResponse } from '../../sip/index.ts';
import type { BaresipPhone } from '../support/baresip.ts';
import { RawUdp } from '../sip/helpers.ts';
import { type Harness, createAgent, deskPhone, eventually, startCallCenter } from './support/harness.ts';
import { inDialog, inviteQueue } from './support/queue-invite.ts';

/**
 * POST /api/agent/calls/:callId/link with real calls: the callers dial over raw UDP (a browser call is one with the
 * call token of POST /api/public/calls, its events socket opened here), Anna answers on a baresip desk phone.
 * The agent page and the widget: test/e2e/browser-agent.test.ts.
 */
describe('an agent sends the caller a link', () => {
  let h: Harness;
  let dir: string;
  let udp: RawUdp;
  let annaDesk: BaresipPhone;
  let anna: { id: number; token: string };
  let berit: string;
  let phoneCaller: { sipPassword: string };
  let queueId: number;
  const sockets: WebSocket[] = [];
  /** the callers' dialogs still up (hung up after each test, whatever happened in it) */
  const dialogs: SipResponse[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-link-'));
    h = await startCallCenter({ rtpPortMin: 45900, rtpPortMax: 45999 });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    const q = await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 }, wrapUpSeconds: 0 }, h.admin);
    expect(q.status).toBe(201);
    queueId = q.body.id;
    const a = await createAgent(h, { login: 'anna', name: 'Anna Tamm', languages: { en: 5 }, sipUser: '1501' });
    anna = { id: a.id, token: await h.login('anna', a.password) };
    berit = await h.login('berit', (await createAgent(h, { login: 'berit', name: 'Berit', languages: { en: 5 } })).password);
    // a desk phone's SIP account dials the queue as a phone caller does (its agent never logs in)
    phoneCaller = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser: '1502' });
    annaDesk = await deskPhone(h, dir, { user: '1501', password: a.sipPassword, port: 5862, tone: 1000, answer: 'auto' });
    udp = await new RawUdp().open();
  }, 60_000);

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    for (const ok of dialogs.splice(0)) inDialog(h, udp, ok, 'BYE');
    await eventually(() => h.server.center.activeCalls === 0, 10_000, 'no call left');
    await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, anna.token);
  });

  afterAll(async () => {
    udp?.close();
    await annaDesk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sendLink = (callId: string, body: unknown, token = anna.token) => h.api('POST', `/api/agent/calls/${encodeURIComponent(callId)}/link`, body, token);

  /** A browser caller in line: announced, dialled with its call token (answered into the waiting room), its events socket open. */
  async function browserCaller(): Promise<{ callId: string; ok: SipResponse; heard: Array<Record<string, unknown>>; events: WebSocket }> {
    const r = await h.api('POST', '/api/public/calls', { queue: 'support', language: 'en', page: { url: 'https://shop.example/tents', title: 'Tents' } });
    expect(r.status).toBe(201);
    const events = new WebSocket(r.body.eventsUrl);
    sockets.push(events);
    const heard: Array<Record<string, unknown>> = [];
    events.on('message', (data) => heard.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => events.once('open', resolve).once('error', reject));
    const ok = await inviteQueue(h, udp, { to: 'support', user: r.body.sip.authorizationUsername, password: r.body.sip.authorizationPassword, headers: [`X-Call-Token: ${r.body.token}`] });
    expect(ok.status).toBe(200);
    inDialog(h, udp, ok, 'ACK');
    dialogs.push(ok);
    await eventually(() => heard.some((m) => m.type === 'queued'), 10_000, 'the caller in line');
    return { callId: r.body.callId, ok, heard, events };
  }

  /** Anna goes ready; her desk phone answers; the id of the call she is connected to. */
  async function annaAnswers(): Promise<string> {
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
    return eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected');
  }

  async function hangUp(ok: SipResponse, callId: string): Promise<void> {
    dialogs.splice(dialogs.indexOf(ok), 1);
    inDialog(h, udp, ok, 'BYE');
    await eventually(() => h.server.center.queueOfCall(callId) === undefined, 10_000, 'the call to end');
  }

  it('the agent on a browser call sends its page links; the customer hears each at once; the queue log keeps them', async () => {
    const { callId, ok, heard, events } = await browserCaller();

    // nobody talks with the caller yet
    const early = await sendLink(callId, { url: 'https://shop.example/manual.pdf' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'ERR_INVALID_STATE', message: `call ${callId} is not connected to an agent yet (waiting): a link can be sent once you talk with the caller` });

    expect(await annaAnswers()).toBe(callId);
    await eventually(() => heard.some((m) => m.type === 'connected'), 10_000, 'the customer told they are connected');

    const sent = await sendLink(callId, { url: 'https://shop.example/manuals/tent.pdf', title: '  Tent manual ' });
    expect(sent).toEqual({ status: 202, body: { sent: true, customerConnected: true } });
    await eventually(() => heard.find((m) => m.type === 'link'), 5_000, 'the link on the customer socket');
    expect(await sendLink(callId, { url: 'HTTP://Shop.Example' })).toMatchObject({ status: 202 });
    await eventually(() => heard.filter((m) => m.type === 'link').length === 2, 5_000, 'the second link');
    expect(heard.filter((m) => m.type === 'link')).toEqual([
      { type: 'link', url: 'https://shop.example/manuals/tent.pdf', title: 'Tent manual' },
      { type: 'link', url: 'http://shop.example/', title: null }, // (written out as the browser reads it; no title: none)
    ]);

    // another agent, an admin, no token: refused
    const other = await sendLink(callId, { url: 'https://shop.example/' }, berit);
    expect(other.status).toBe(403);
    expect(other.body.message).toBe(`call ${callId} is connected to another agent: only the agent on the call may send its caller a link`);
    expect((await sendLink(callId, { url: 'https://shop.example/' }, h.admin)).status).toBe(403);
    expect((await h.api('POST', `/api/agent/calls/${callId}/link`, { url: 'https://shop.example/' })).status).toBe(401);
    const unknown = await sendLink('no-such-call', { url: 'https://shop.example/' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('call no-such-call is not in progress');

    // the customer's page went away: still sent (into the log), and the answer says nobody heard it
    await new Promise<void>((resolve) => {
      events.once('close', () => resolve());
      events.close();
    });
    expect(await sendLink(callId, { url: 'https://shop.example/3' })).toEqual({ status: 202, body: { sent: true, customerConnected: false } });

    for (let i = 4; i <= 20; i++) expect((await sendLink(callId, { url: `https://shop.example/${i}` })).status).toBe(202);
    const tooMany = await sendLink(callId, { url: 'https://shop.example/21' });
    expect(tooMany.status).toBe(429);
    expect(tooMany.body).toMatchObject({ code: 'ERR_TOO_MANY_REQUESTS', message: 'at most 20 links can be sent in one call' });

    await hangUp(ok, callId);
    const ended = await sendLink(callId, { url: 'https://shop.example/' });
    expect(ended.status).toBe(404);

    await h.server.center.log.flush();
    const log = (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body.events as Array<{ event: string; agentId: number; queueId: number; data: unknown }>;
    const links = log.filter((e) => e.event === 'LINK');
    expect(links).toHaveLength(20);
    expect(links[0]).toMatchObject({ agentId: anna.id, queueId, data: { url: 'https://shop.example/manuals/tent.pdf', title: 'Tent manual', customerConnected: true } });
    expect(links[2]).toMatchObject({ data: { url: 'https://shop.example/3', title: null, customerConnected: false } });
  }, 60_000);

  it('only an absolute http(s) URL of at most 2 000 characters, and a title of at most 200, each refused naming body.url or body.title', async () => {
    const { callId, ok } = await browserCaller();
    expect(await annaAnswers()).toBe(callId);
    const refused = async (body: unknown, message: string, field = 'body.url'): Promise<void> => {
      const r = await sendLink(callId, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body, JSON.stringify(body)).toMatchObject({ code: 'ERR_VALIDATION', field, message });
    };
    const notHttp = 'body.url must be an absolute http:// or https:// URL';
    await refused({ url: 'javascript:alert(document.cookie)' }, notHttp);
    await refused({ url: 'data:text/html,<script>alert(1)</script>' }, notHttp);
    await refused({ url: '/manuals/tent.pdf' }, notHttp);
    await refused({ url: 'shop.example/manuals' }, notHttp);
    await refused({ url: 'garbage' }, notHttp);
    await refused({ url: ' javascript:alert(1)' }, 'body.url must not contain spaces or control characters');
    await refused({ url: 'https://' }, 'body.url is not a valid URL');
    await refused({ url: 'https://shop.example@evil.example/' }, 'body.url must not carry a user name or password');
    await refused({ url: `https://shop.example/${'a'.repeat(1980)}` }, 'body.url must NOT have more than 2000 characters');
    await refused({ url: '' }, 'body.url must NOT have fewer than 1 characters');
    await refused({ title: 'no url' }, "body.url must have required property 'url'");
    await refused({ url: 'https://shop.example/', title: 'x'.repeat(201) }, 'body.title must NOT have more than 200 characters', 'body.title');
    await refused({ url: 'https://shop.example/', open: true }, 'body.open must NOT have additional properties', 'body.open');
    // the longest there may be
    expect((await sendLink(callId, { url: `https://shop.example/${'a'.repeat(1979)}`, title: 'x'.repeat(200) })).status).toBe(202);
    await hangUp(ok, callId);
  }, 60_000);

  it('a caller on a phone has no browser to open a link in', async () => {
    const ok = await inviteQueue(h, udp, { to: 'support', user: '1502', password: phoneCaller.sipPassword });
    expect(ok.status).toBe(200);
    inDialog(h, udp, ok, 'ACK');
    dialogs.push(ok);
    const callId = await annaAnswers();
    const r = await sendLink(callId, { url: 'https://shop.example/manual.pdf' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'ERR_INVALID_STATE', message: 'the caller is on a phone: there is no browser to open a link in' });
    await hangUp(ok, callId);
    await h.server.center.log.flush();
    const log = (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body.events as Array<{ event: string }>;
    expect(log.map((e) => e.event)).not.toContain('LINK');
  }, 60_000);
});
