import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peakFrequency, rms } from '../media/helpers/audio.ts';
import { BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, agentPageReady, createAgent, deskPhone, eventually, startCallCenter, supervisorToken } from './support/harness.ts';
import { readWav } from './support/wav.ts';
import { type SipMessage, type SipRequest, type SipResponse, createResponse } from '../../sip/message/message.ts';
import { RawUdp, digestResponse } from '../sip/helpers.ts';
import { RtpPeer } from '../media/helpers/rtp-peer.ts';
import { inDialog, inviteQueue } from './support/queue-invite.ts';

/**
 * Consult (attended) transfer: Anna, on a call on her desk phone, holds the caller and dials another agent; they
 * talk; Anna completes the transfer and the caller talks with that agent, who keeps their call (a desk phone is
 * re-INVITEd with the caller's media; the browser softphone takes a new call for it at once). Anna's phone is hung
 * up and she wraps up.
 */
describe('consult transfer', () => {
  let h: Harness;
  let dir: string;
  let annaDesk: BaresipPhone;
  let kalleDesk: BaresipPhone;
  let bobPage: TestBrowser | undefined;
  let miaPage: TestBrowser | undefined;
  let annaPage: TestBrowser | undefined;
  let customer: TestBrowser | undefined;
  let anna: { id: number; password: string; sipPassword: string };
  let kalle: { id: number; password: string; sipPassword: string };
  let bob: { id: number; password: string };
  let mia: { id: number; password: string };
  let rita: { id: number; password: string; sipPassword: string };
  let annaToken: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-consult-'));
    h = await startCallCenter({ rtpPortMin: 47800, rtpPortMax: 47999 });
    for (const skill of ['support', 'billing', 'legal']) await h.api('POST', '/api/skills', { name: skill }, h.admin);
    expect((await h.api('POST', '/api/queues', { name: 'legal', skills: { legal: 1 } }, h.admin)).status).toBe(201); // (nobody has the skill)
    expect((await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 }, wrapUpSeconds: 20 }, h.admin)).status).toBe(201);
    expect((await h.api('POST', '/api/queues', { name: 'billing', skills: { billing: 1 }, wrapUpSeconds: 30 }, h.admin)).status).toBe(201);
    anna = await createAgent(h, { login: 'anna', name: 'Anna Ait', languages: { et: 5 }, skills: { support: 3 }, sipUser: '1601' });
    kalle = await createAgent(h, { login: 'kalle', name: 'Kalle Kask', languages: { et: 5 }, skills: { billing: 3 }, sipUser: '1602' });
    bob = await createAgent(h, { login: 'bob', name: 'Bob Bell', languages: { et: 5 }, skills: { billing: 3 } });
    rita = await createAgent(h, { login: 'rita', name: 'Rita Raud', languages: { et: 5 }, skills: { support: 3 }, sipUser: '1603' });
    mia = await createAgent(h, { login: 'mia', name: 'Mia Mets', languages: { et: 5 }, skills: { support: 3 } });
    await createAgent(h, { login: 'peter', name: 'Peter Pan', languages: { et: 5 }, skills: { billing: 3 } }); // never logs in
    annaDesk = await deskPhone(h, dir, { user: '1601', password: anna.sipPassword, port: 5760, tone: 1000, answer: 'auto' });
    kalleDesk = await deskPhone(h, dir, { user: '1602', password: kalle.sipPassword, port: 5660, tone: 600, answer: 'auto' });
    annaToken = await h.login('anna', anna.password);
    // (Anna's page beside her desk phone: calls to her ring both, the desk phone answers them at once)
    annaPage = await launchBrowser(makeTone(path.join(dir, 'tone-1000.wav'), 1000));
    await agentPageReady(annaPage.page, h, 'anna', anna.password);
    bobPage = await launchBrowser(makeTone(path.join(dir, 'tone-700.wav'), 700));
    await agentPageReady(bobPage.page, h, 'bob', bob.password);
    customer = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
  }, 120_000);

  afterAll(async () => {
    await customer?.close();
    await miaPage?.close();
    await annaPage?.close();
    await bobPage?.close();
    await kalleDesk?.stop();
    await annaDesk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hears = (hz: number, what: string) => eventually(async () => Math.abs((await customer!.hearing(1)).peakHz - hz) < 30, 20_000, what);
  const complete = () => h.api('POST', '/api/agent/call/consult/complete', {}, annaToken);
  const state = async (token: string) => (await h.api('GET', '/api/agent/state', undefined, token)).body.state as string;
  const closed = (phone: BaresipPhone) => phone.events.filter((e) => e.type === 'CALL_CLOSED');

  /** What a desk phone heard over the last `seconds` of its newest call (baresip records each call it has). */
  function deskHeard(phone: BaresipPhone, seconds: number): { peakHz: number; rms: number } | undefined {
    const file = phone.receivedRecording();
    if (file === undefined) return undefined;
    const { samples, rate } = readWav(file);
    if (samples.length < rate * seconds) return undefined;
    const tail = samples.subarray(samples.length - rate * seconds);
    return { peakHz: peakFrequency(tail, rate), rms: rms(tail) };
  }
  const deskHears = (phone: BaresipPhone, hz: number, what: string) => eventually(() => {
    const heard = deskHeard(phone, 1);
    return (heard !== undefined && Math.abs(heard.peakHz - hz) < 20 && heard.rms > 300) || undefined;
  }, 15_000, what).catch((err: Error) => {
    throw new Error(`${err.message}: heard ${JSON.stringify(deskHeard(phone, 1))} in ${phone.receivedRecording()} of ${readdirSync(phone.recordings).join(', ')}`);
  });

  /** The customer calls support from the demo page's widget. */
  async function dialFromDemo(): Promise<void> {
    const cp = customer!.page;
    await cp.goto(`${h.baseUrl}/demo/`);
    await cp.getByTestId('cf-call-button').click();
    await cp.getByTestId('cf-language').selectOption('et');
    await cp.getByTestId('cf-start').click();
  }

  /** Mia's page takes the customer's call, consults Bob (Consult), and Bob's page answers: they talk. */
  async function miaConsultsBob(): Promise<void> {
    const mp = miaPage!.page;
    await dialFromDemo();
    await eventually(async () => (await mp.getByTestId('answer').isEnabled()) || undefined, 20_000, "Mia's softphone ringing");
    await mp.getByTestId('answer').click();
    await hears(900, 'Mia at the caller');
    await mp.getByTestId('transfer-queue').selectOption({ label: 'Bob Bell' });
    await mp.getByTestId('consult').click();
    const bp = bobPage!.page;
    await eventually(async () => (await bp.getByTestId('answer').isEnabled()) || undefined, 20_000, "Bob's softphone ringing");
    expect(await bp.getByTestId('consult-from').textContent()).toBe('Consult from Mia Mets');
    expect(await mp.getByTestId('consult-state').textContent()).toBe('Consulting Bob Bell: ringing');
    await eventually(async () => (await customer!.hearing(1)).rms < 0.002, 10_000, 'Mia cut off while on hold');
    await bp.getByTestId('answer').click();
    await eventually(async () => (await mp.getByTestId('consult-state').textContent()) === 'Consulting Bob Bell: talking' || undefined, 10_000, 'the consult talking');
    await eventually(async () => Math.abs((await bobPage!.hearing(1)).peakHz - 900) < 30, 15_000, "Mia on Bob's softphone");
  }

  /** The customer calls support from the demo page; Anna's desk phone takes it. */
  async function callAnna(): Promise<void> {
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, annaToken)).status).toBe(200);
    await dialFromDemo();
    await eventually(() => annaDesk.events.some((e) => e.type === 'CALL_ESTABLISHED' && !e.peeruri?.includes('127.0.0.1')) || undefined, 20_000, "Anna's phone to take the call");
    await hears(1000, 'Anna at the caller');
  }

  /** The calls waiting in billing, as the ACD counts them (the consults there too). */
  function billingWaiting(): number {
    const acd = h.server.center.acd;
    return acd.engine.queueStatus(acd.queueIds().find((id) => acd.queueName(id) === 'billing')!).waiting;
  }

  /** The queue log of the newest call. */
  async function lastCall(): Promise<{ call: Record<string, unknown>; events: Array<{ event: string; agentId: number | null; data: Record<string, unknown> | null }> }> {
    await h.server.center.log.flush();
    const call = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0];
    return { call, events: (await h.api('GET', `/api/calls/${call.id}`, undefined, h.admin)).body.events };
  }

  it('to a desk phone: Anna holds the caller, consults Kalle, hands the caller over; refusals name the problem', async () => {
    expect((await complete()).body).toMatchObject({ statusCode: 409, message: 'you have no connected call' });
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, await h.login('kalle', kalle.password))).status).toBe(200);
    await callAnna();
    expect((await complete()).body).toMatchObject({ statusCode: 409, message: 'you have no consult in progress: dial the agent or queue first' });

    // Anna holds the caller (the widget plays music) and dials Peter, who is logged out: refused, her call goes on.
    expect((await annaDesk.command('hold')).ok).toBe(true);
    await eventually(async () => (await customer!.hearing(1)).rms < 0.002, 10_000, 'Anna cut off while on hold');
    await annaDesk.command('dial', `sip:peter@127.0.0.1:${h.sipPort}`);
    await eventually(() => closed(annaDesk).length === 1 || undefined, 10_000, 'the consult to Peter refused');
    expect(closed(annaDesk)[0]!.param).toBe('480 Temporarily Unavailable: peter is logged out');
    // (baresip takes the held call back when the new one fails: Anna holds it again)
    await hears(1000, 'Anna back at the caller');
    expect((await annaDesk.command('hold')).ok).toBe(true);
    await eventually(async () => (await customer!.hearing(1)).rms < 0.002, 10_000, 'Anna cut off again');

    // Kalle's desk phone answers the consult; Anna hears him, the caller hears neither.
    await annaDesk.command('dial', `sip:kalle@127.0.0.1:${h.sipPort}`);
    await kalleDesk.waitEvent('CALL_ESTABLISHED', 20_000);
    await deskHears(annaDesk, 600, "Kalle on Anna's phone");
    await deskHears(kalleDesk, 1000, "Anna on Kalle's phone");
    const held = await customer!.hearing(1);
    expect(held.rms, JSON.stringify(held)).toBeLessThan(0.002);
    expect(await state(annaToken)).toBe('busy');
    const kalleToken = await h.login('kalle', kalle.password);
    expect(await state(kalleToken)).toBe('busy');
    // The wall-board says who consults whom
    const board = (await h.api('GET', '/api/wallboard', undefined, await supervisorToken(h))).body;
    expect(board.agents.find((a: { id: number }) => a.id === anna.id)).toMatchObject({ state: 'busy', consult: { role: 'consulting', with: 'Kalle Kask' } });
    expect(board.agents.find((a: { id: number }) => a.id === kalle.id)).toMatchObject({ state: 'busy', consult: { role: 'consulted', with: 'Anna Ait' } });

    const done = await complete();
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    // The caller talks with Kalle, on the call his phone had (re-INVITEd: no new call), and he hears the caller.
    await hears(600, 'Kalle at the caller');
    await deskHears(kalleDesk, 440, "the caller on Kalle's phone");
    expect(kalleDesk.events.filter((e) => e.type === 'CALL_ESTABLISHED')).toHaveLength(1);
    await eventually(async () => /Kalle/.test((await customer!.page.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to name Kalle');
    // Anna's phone: both calls hung up; she wraps up (support's 20 s); Kalle is busy with the caller.
    await eventually(() => closed(annaDesk).length === 3 || undefined, 10_000, "Anna's calls closed");
    expect(await state(annaToken)).toBe('wrap-up');
    expect(await state(kalleToken)).toBe('busy');
    expect((await complete()).body).toMatchObject({ statusCode: 409, message: 'you have no connected call' });

    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: kalle.id, state: 'connected' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'HOLD', 'UNHOLD', 'HOLD', 'TRANSFER', 'CONNECT']);
    expect(events[6]).toMatchObject({ agentId: anna.id, data: { to: 'Kalle Kask', toAgentId: kalle.id, consult: true } });
    expect(events[7]).toMatchObject({ agentId: kalle.id, data: { waited: 0, consult: true } });
    // the consult wrote no call of its own
    expect((await h.api('GET', '/api/calls?limit=5', undefined, h.admin)).body.items).toHaveLength(1);

    // Kalle hangs up: the call ends; it was support's, so he wraps up 20 s
    await kalleDesk.command('hangup');
    await eventually(async () => (await lastCall()).call.state === 'ended' || undefined, 10_000, 'the call to end');
    const after = await lastCall();
    expect(after.call).toMatchObject({ agentId: kalle.id, endReason: 'agent-hangup' });
    expect(after.events.at(-1)).toMatchObject({ event: 'COMPLETEAGENT', agentId: kalle.id });
    expect(await state(kalleToken)).toBe('wrap-up');
    expect((await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, kalleToken)).status).toBe(200);
  }, 150_000);

  it("to a queue, cancelled on Anna's page (the desk phone's consult shows there): the agent who took it is free at once, the caller back with Anna", async () => {
    // Anna's page is open beside her desk phone: it shows the call there, and the consult she dials from the phone.
    const ap = annaPage!.page;
    const kalleToken = await h.login('kalle', kalle.password);
    const bobToken = await h.login('bob', bob.password);
    for (const token of [kalleToken, bobToken]) expect((await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, token)).status).toBe(200);
    expect((await h.api('DELETE', '/api/agent/call/consult', undefined, annaToken)).body).toMatchObject({ statusCode: 409, message: 'you have no consult in progress' });
    await callAnna();
    const before = closed(annaDesk).length;
    const kalleCalls = kalleDesk.events.filter((e) => e.type === 'CALL_ESTABLISHED').length;
    expect((await annaDesk.command('hold')).ok).toBe(true);
    await eventually(async () => (await customer!.hearing(1)).rms < 0.002, 10_000, 'Anna cut off while on hold');
    await annaDesk.command('dial', `sip:billing@127.0.0.1:${h.sipPort}`);
    // Nobody in billing is ready: the consult waits there, and no customer does (the wall-board counts customers)
    await eventually(async () => (await ap.getByTestId('consult-state').textContent()) === 'Consulting billing: ringing' || undefined, 10_000, "the consult waiting on Anna's page");
    expect(billingWaiting()).toBe(1);
    const board = (await h.api('GET', '/api/wallboard', undefined, await supervisorToken(h))).body;
    expect(board.queues.find((q: { name: string }) => q.name === 'billing')).toMatchObject({ waiting: 0, longestWaitSeconds: null });
    expect(board.totals.waiting).toBe(0);
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, kalleToken)).status).toBe(200);
    await eventually(() => kalleDesk.events.filter((e) => e.type === 'CALL_ESTABLISHED').length > kalleCalls || undefined, 20_000, "Kalle's phone to take the consult");
    await deskHears(annaDesk, 600, "Kalle on Anna's phone");
    expect(await state(kalleToken)).toBe('busy');

    await eventually(async () => (await ap.getByTestId('consult-state').textContent()) === 'Consulting billing: talking' || undefined, 10_000, "the consult on Anna's page");
    expect(await ap.getByTestId('consult-conference').isVisible()).toBe(false); // (the desk phone's media is not the page's to mix)
    await ap.getByTestId('consult-cancel').click();
    await eventually(() => closed(annaDesk).length === before + 1 || undefined, 10_000, "Anna's consult hung up");
    // (billing has 30 s of wrap-up: a consult that ended is none of Kalle's to wrap up)
    await eventually(async () => (await state(kalleToken)) === 'ready' || undefined, 5_000, 'Kalle ready at once');
    expect((await annaDesk.command('resume')).ok).toBe(true);
    await hears(1000, 'Anna back at the caller');
    expect(await state(annaToken)).toBe('busy');
    await annaDesk.command('hangup');
    await eventually(async () => (await lastCall()).call.state === 'ended' || undefined, 10_000, 'the call to end');
    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: anna.id, endReason: 'agent-hangup' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'HOLD', 'UNHOLD', 'COMPLETEAGENT']);
    expect((await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, kalleToken)).status).toBe(200);
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, bobToken)).status).toBe(200);
  }, 120_000);

  it('the caller hangs up mid-consult: a consult still waiting ends with the call; one that talks goes on, and Anna wraps up when it ends', async () => {
    const kalleToken = await h.login('kalle', kalle.password);
    const bobToken = await h.login('bob', bob.password);
    for (const token of [kalleToken, bobToken]) expect((await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, token)).status).toBe(200);
    const consultAbout = async (target: string): Promise<void> => {
      expect((await annaDesk.command('hold')).ok).toBe(true);
      await eventually(async () => (await customer!.hearing(1)).rms < 0.002, 10_000, 'Anna cut off while on hold');
      await annaDesk.command('dial', `sip:${target}@127.0.0.1:${h.sipPort}`);
    };

    // Nobody in billing is ready: the consult waits there; the caller hangs up, and it ends too.
    await callAnna();
    let before = closed(annaDesk).length;
    await consultAbout('billing');
    await eventually(() => billingWaiting() === 1 || undefined, 10_000, 'the consult waiting in billing');
    await customer!.page.getByTestId('cf-hangup').click();
    await eventually(() => closed(annaDesk).length === before + 2 || undefined, 10_000, "both of Anna's calls hung up");
    expect(billingWaiting()).toBe(0);
    await eventually(async () => (await state(annaToken)) === 'wrap-up' || undefined, 5_000, 'Anna wrapping up');

    // Kalle talks with Anna when the caller hangs up: they go on; Anna is busy until the consult ends, then wraps up.
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, kalleToken)).status).toBe(200);
    await callAnna();
    before = closed(annaDesk).length;
    const kalleCalls = kalleDesk.events.filter((e) => e.type === 'CALL_ESTABLISHED').length;
    await consultAbout('kalle');
    await eventually(() => kalleDesk.events.filter((e) => e.type === 'CALL_ESTABLISHED').length > kalleCalls || undefined, 20_000, "Kalle's phone to take the consult");
    await deskHears(annaDesk, 600, "Kalle on Anna's phone");
    await customer!.page.getByTestId('cf-hangup').click();
    await eventually(async () => (await lastCall()).call.state === 'ended' || undefined, 10_000, 'the call to end');
    expect((await lastCall()).call).toMatchObject({ agentId: anna.id, endReason: 'caller-hangup' });
    await eventually(() => closed(annaDesk).length === before + 1 || undefined, 10_000, "the caller's call hung up on Anna's phone");
    await deskHears(annaDesk, 600, "Kalle still on Anna's phone");
    expect(await state(annaToken)).toBe('busy');
    expect(await state(kalleToken)).toBe('busy');
    const board = (await h.api('GET', '/api/wallboard', undefined, await supervisorToken(h))).body;
    expect(board.agents.find((a: { id: number }) => a.id === anna.id)).toMatchObject({ state: 'busy', consult: { role: 'consulting', with: 'Kalle Kask' } });
    expect((await complete()).body).toMatchObject({ statusCode: 409, message: 'the caller hung up: there is nobody to hand over (end the consult)' });
    // (Cancel consult on her page, or the API, ends it as well as her phone would)
    expect((await h.api('DELETE', '/api/agent/call/consult', undefined, annaToken)).body).toEqual({ ended: true });
    await eventually(() => closed(annaDesk).length === before + 2 || undefined, 10_000, "Anna's consult hung up");
    expect((await h.api('DELETE', '/api/agent/call/consult', undefined, annaToken)).body).toMatchObject({ statusCode: 409, message: 'you have no consult in progress' });
    await eventually(async () => (await state(annaToken)) === 'wrap-up' || undefined, 5_000, 'Anna wrapping up after the consult');
    await eventually(async () => (await state(kalleToken)) === 'ready' || undefined, 5_000, 'Kalle ready at once');
    expect((await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, kalleToken)).status).toBe(200);
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, bobToken)).status).toBe(200);
  }, 150_000);

  it("to the browser softphone: Bob's page takes the caller on a new call at once, and keeps talking", async () => {
    await callAnna();
    const before = closed(annaDesk).length;
    expect((await annaDesk.command('hold')).ok).toBe(true);
    await eventually(async () => (await customer!.hearing(1)).rms < 0.002, 10_000, 'Anna cut off while on hold');
    const bp = bobPage!.page;
    await annaDesk.command('dial', `sip:bob@127.0.0.1:${h.sipPort}`);
    await eventually(async () => (await bp.getByTestId('answer').isEnabled()) || undefined, 20_000, "Bob's softphone ringing");
    expect(await bp.getByTestId('consult-from').textContent()).toBe('Consult from Anna Ait');
    await bp.getByTestId('answer').click();
    await deskHears(annaDesk, 700, "Bob on Anna's phone");
    await eventually(async () => Math.abs((await bobPage!.hearing(1)).peakHz - 1000) < 30, 15_000, "Anna on Bob's softphone");

    const done = await complete();
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await hears(700, 'Bob at the caller');
    await eventually(async () => Math.abs((await bobPage!.hearing(1)).peakHz - 440) < 30, 15_000, "the caller on Bob's softphone");
    await eventually(() => closed(annaDesk).length === before + 2 || undefined, 10_000, "Anna's calls closed");
    const bobToken = await h.login('bob', bob.password);
    expect(await state(bobToken)).toBe('busy');
    expect(await bp.getByTestId('consult-from').isVisible()).toBe(false);
    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: bob.id, state: 'connected' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'HOLD', 'TRANSFER', 'CONNECT']);

    // Bob hangs up on his page: the caller's call ends, Bob wraps up the support call
    await bp.getByTestId('hangup').click();
    await eventually(async () => (await lastCall()).call.state === 'ended' || undefined, 10_000, 'the call to end');
    expect((await lastCall()).call).toMatchObject({ agentId: bob.id, endReason: 'agent-hangup' });
    expect(await state(bobToken)).toBe('wrap-up');
  }, 150_000);

  it('from the agent page: Mia consults Bob with Consult, then Complete transfer; the caller talks with Bob', async () => {
    expect((await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, annaToken)).status).toBe(200);
    const bobToken = await h.login('bob', bob.password);
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, bobToken)).status).toBe(200);
    miaPage = await launchBrowser(makeTone(path.join(dir, 'tone-900.wav'), 900));
    const mp = miaPage.page;
    await agentPageReady(mp, h, 'mia', mia.password);
    await miaConsultsBob();
    const bp = bobPage!.page;

    await mp.getByTestId('consult-complete').click();
    await hears(700, 'Bob at the caller');
    await eventually(async () => Math.abs((await bobPage!.hearing(1)).peakHz - 440) < 30, 15_000, "the caller on Bob's softphone");
    await eventually(async () => !(await mp.getByTestId('consult-panel').isVisible()) || undefined, 10_000, "the consult off Mia's page");
    await eventually(async () => (await mp.getByTestId('agent-state').textContent())?.includes('wrap-up'), 10_000, 'Mia wrapping up');
    expect(await state(bobToken)).toBe('busy');
    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: bob.id, state: 'connected' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'HOLD', 'TRANSFER', 'CONNECT']);
    expect(events[4]).toMatchObject({ agentId: mia.id, data: { to: 'Bob Bell', consult: true } });
    await bp.getByTestId('hangup').click();
    await eventually(async () => (await lastCall()).call.state === 'ended' || undefined, 10_000, 'the call to end');
  }, 150_000);

  it('a conference on the agent page: Mia joins the caller and Bob (mixed in her browser), then ends it and goes on alone', async () => {
    const bobToken = await h.login('bob', bob.password);
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, bobToken)).status).toBe(200);
    const mp = miaPage!.page;
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, await h.login('mia', mia.password))).status).toBe(200);
    await miaConsultsBob();

    await mp.getByTestId('consult-conference').click();
    await eventually(async () => (await mp.getByTestId('consult-state').textContent()) === 'Conference with Bob Bell' || undefined, 10_000, 'the conference');
    // With Mia muted, what the caller and Bob hear of each other can only come through her page's mix.
    await mp.getByTestId('mute').click();
    await hears(700, 'Bob at the caller, through the conference');
    await eventually(async () => Math.abs((await bobPage!.hearing(1)).peakHz - 440) < 30, 15_000, "the caller at Bob's softphone, through the conference");
    await mp.getByTestId('mute').click();

    expect(await mp.getByTestId('consult-cancel').textContent()).toBe('End conference');
    await mp.getByTestId('consult-cancel').click();
    await eventually(async () => !(await mp.getByTestId('consult-panel').isVisible()) || undefined, 10_000, 'the conference over');
    await hears(900, 'Mia alone with the caller again');
    await eventually(async () => (await state(bobToken)) === 'ready' || undefined, 10_000, 'Bob free at once');
    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: mia.id, state: 'connected' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'HOLD', 'UNHOLD']);
    await mp.getByTestId('hangup').click();
    await eventually(async () => (await lastCall()).call.state === 'ended' || undefined, 10_000, 'the call to end');
  }, 150_000);

  it("from a desk phone's attended transfer (REFER with Replaces): the consulted agent takes the caller", async () => {
    // Rita's desk phone is raw SIP over UDP with real RTP: it sends what baresip 1.0 cannot, a REFER whose Refer-To
    // names the consult call in a Replaces header (RFC 3891), as desk phones' "attended transfer" does.
    const udp = await new RawUdp().open();
    const rtp = await RtpPeer.create();
    try {
      const isRequest = (m: SipMessage, method: string): boolean => 'method' in m && (m as SipRequest).method === method;
      const respond = (req: SipRequest, status: number, o: { tag?: string; sdp?: string } = {}): void => {
        const res = createResponse(req, status, undefined, o.tag);
        res.set('contact', `<sip:1603@127.0.0.1:${udp.port}>`);
        if (o.sdp !== undefined) {
          res.set('content-type', 'application/sdp');
          res.body = Buffer.from(o.sdp);
        }
        udp.send(res.toBuffer(), h.sipPort);
      };
      // registers with digest
      const uri = `sip:${h.realm}`;
      const reg = (cseq: number, auth?: string) => [
        `REGISTER ${uri} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${udp.port};branch=z9hG4bK-rita-reg-${cseq};rport`, 'Max-Forwards: 70',
        `From: <sip:1603@${h.realm}>;tag=ritareg`, `To: <sip:1603@${h.realm}>`, 'Call-ID: rita-register', `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:1603@127.0.0.1:${udp.port}>`, 'Expires: 300', ...(auth ? [`Authorization: ${auth}`] : []), 'Content-Length: 0', '', '',
      ].join('\r\n');
      udp.send(reg(1), h.sipPort);
      const challenge = await udp.take((m) => (m as SipResponse).callId === 'rita-register');
      udp.send(reg(2, digestResponse(challenge.get('www-authenticate')!, { method: 'REGISTER', uri, user: '1603', password: rita.sipPassword })), h.sipPort);
      expect((await udp.take((m) => (m as SipResponse).callId === 'rita-register')).status).toBe(200);

      // Only Rita is ready in support; Kalle is ready for the consult.
      expect((await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, await h.login('mia', mia.password))).status).toBe(200);
      const kalleToken = await h.login('kalle', kalle.password);
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, kalleToken)).status).toBe(200);
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, await h.login('rita', rita.password))).status).toBe(200);
      const kalleCalls = kalleDesk.events.filter((e) => e.type === 'CALL_ESTABLISHED').length;
      await dialFromDemo();

      // The caller's call rings Rita's phone: 200 with her RTP, a 500 Hz tone
      const invite = await udp.take<SipRequest>((m) => isRequest(m, 'INVITE'), 20_000);
      respond(invite, 200, { tag: 'rita1', sdp: rtp.sdp(['PCMU']) });
      rtp.useRemote(invite.bodyText);
      rtp.startTone(500);
      await udp.take((m) => isRequest(m, 'ACK') && m.callId === invite.callId, 5000);
      await hears(500, 'Rita at the caller');

      // A consult to a queue nobody who serves it is logged in to is refused at once (no waiting in silence)
      const legal = await inviteQueue(h, udp, { to: 'legal', user: '1603', password: rita.sipPassword, sdp: rtp.sdp(['PCMU']) });
      expect([legal.status, legal.reason]).toEqual([480, 'Temporarily Unavailable: nobody in legal is logged in']);
      // The consult: Rita's phone dials Kalle (digest), answered at once; Kalle's desk phone takes it
      const consult = await inviteQueue(h, udp, { to: 'kalle', user: '1603', password: rita.sipPassword, sdp: rtp.sdp(['PCMU']) });
      expect(consult.status).toBe(200);
      inDialog(h, udp, consult, 'ACK');
      await eventually(() => kalleDesk.events.filter((e) => e.type === 'CALL_ESTABLISHED').length > kalleCalls || undefined, 20_000, "Kalle's phone to take the consult");

      // REFER in the caller's dialog (Rita is its UAS: From/To the other way round), Refer-To with Replaces
      const replaces = encodeURIComponent(`${consult.callId};to-tag=${consult.toTag};from-tag=${consult.fromTag}`);
      const contact = /<([^>]+)>/.exec(invite.get('contact')!)![1];
      udp.send([
        `REFER ${contact} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${udp.port};branch=z9hG4bK-rita-refer;rport`, 'Max-Forwards: 70',
        `From: ${invite.get('to')};tag=rita1`, `To: ${invite.get('from')}`, `Call-ID: ${invite.callId}`, 'CSeq: 1 REFER',
        `Contact: <sip:1603@127.0.0.1:${udp.port}>`, `Refer-To: <sip:kalle@${h.realm}?Replaces=${replaces}>`, 'Content-Length: 0', '', '',
      ].join('\r\n'), h.sipPort);
      expect((await udp.take((m) => (m as SipResponse).callId === invite.callId && (m as SipResponse).cseq?.method === 'REFER')).status).toBe(202);
      // NOTIFYs: 100 Trying, then 200 OK (each answered); then both of Rita's calls get BYE
      const sipfrags: string[] = [];
      while (!sipfrags.some((f) => / 200 /.test(f))) {
        const notify = await udp.take<SipRequest>((m) => isRequest(m, 'NOTIFY'), 10_000);
        respond(notify, 200);
        sipfrags.push(notify.bodyText.trim());
      }
      expect(sipfrags.at(-1)).toBe('SIP/2.0 200 OK');
      for (const callId of [invite.callId, consult.callId]) respond(await udp.take<SipRequest>((m) => isRequest(m, 'BYE') && m.callId === callId, 10_000), 200);
      await hears(600, 'Kalle at the caller');
      await deskHears(kalleDesk, 440, "the caller on Kalle's phone");
      const { call, events } = await lastCall();
      expect(call).toMatchObject({ agentId: kalle.id, state: 'connected' });
      expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'TRANSFER', 'CONNECT']);
      expect(events[3]).toMatchObject({ agentId: rita.id, data: { to: 'Kalle Kask', consult: true } });
      await kalleDesk.command('hangup');
      await eventually(async () => (await lastCall()).call.state === 'ended' || undefined, 10_000, 'the call to end');
    } finally {
      rtp.close();
      udp.close();
    }
  }, 120_000);
});
