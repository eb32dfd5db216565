import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallState, type IncomingCall, type OutgoingCall, type SipStack } from '../../sip/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../sip/message/message.ts';
import { RawUdp, SDP, digestResponse, startStack } from './helpers.ts';

/**
 * Bad input, structured: valid messages with a few lines deleted, doubled, garbled or added (the headers the
 * stack reads: Via, CSeq, Content-Length, Session-Expires, Refer-To...), sent over UDP to a running stack, outside
 * and inside an established call. Whatever comes in, the stack must not throw (vitest fails on an uncaught error
 * or an unhandled rejection) and must keep answering; a call that got a mutated request can still be hung up. SIP_FUZZ_SEED / SIP_FUZZ_RUNS explore other inputs (the default seed keeps CI repeatable).
 */
const SEED = Number(process.env.SIP_FUZZ_SEED ?? 4475);
const RUNS = Number(process.env.SIP_FUZZ_RUNS ?? 150);

let stack: SipStack;
let ua: RawUdp;
let port: number;
let n = 0;

beforeAll(async () => {
  stack = await startStack({ trustedSources: ['127.0.0.1'], timers: { T1: 50 } });
  stack.on('incomingCall', (call: IncomingCall) => {
    call.setReinviteHandler((offer) => offer.replace(/m=audio \d+/, 'm=audio 6002'));
    call.progress(180);
    void call.answer(SDP(6000)).catch(() => {});
  });
  ua = await new RawUdp().open();
  port = stack.ports.udp!;
});

afterAll(async () => {
  ua?.close();
  await stack?.close();
});

const HEADERS = ['Via', 'CSeq', 'Content-Length', 'Content-Type', 'Session-Expires', 'Min-SE', 'Require', 'Supported', 'Refer-To', 'Contact',
  'Route', 'Record-Route', 'Expires', 'Max-Forwards', 'From', 'To', 'Call-ID', 'Authorization', 'Proxy-Authorization', 'Event', 'x', 'k', 'l', 'v'];
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '<', '>', '"', ';', '=', ',', ';;', '<sip:', 'sip:@', '"unterminated', '1800;refresher=', '-1', '99999999999999999999',
    'SIP/2.0/UDP', 'SIP/2.0/UDP 127.0.0.1;branch=', 'z9hG4bK', '1 INVITE', '2 BYE', 'abc INVITE', '0', 'timer', '100rel', '\t', 'a'.repeat(3000)),
  fc.integer({ min: -5, max: 2 ** 33 }).map(String),
);
type Mutation = { kind: 'delete' | 'double'; at: number } | { kind: 'value'; at: number; value: string } | { kind: 'add'; name: string; value: string } | { kind: 'cut'; at: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('double' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('value' as const), at: fc.nat(), value: nasty }),
  fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom(...HEADERS), value: nasty }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

/** Applies mutations to the header lines of a message (the start line and the body are kept, except by 'cut'). */
function mutate(text: string, ms: Mutation[]): string {
  const split = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, split).split('\r\n');
  let body = text.slice(split + 4);
  const pick = (at: number): number => 1 + (at % Math.max(1, lines.length - 1));
  for (const m of ms) {
    if (m.kind === 'add') lines.splice(pick(lines.length), 0, `${m.name}: ${m.value}`);
    else if (lines.length < 2) continue;
    else if (m.kind === 'delete') lines.splice(pick(m.at), 1);
    else if (m.kind === 'double') lines.splice(pick(m.at), 0, lines[pick(m.at)]!);
    else if (m.kind === 'value') lines[pick(m.at)] = `${lines[pick(m.at)]!.split(':')[0]}: ${m.value}`;
    else body = body.slice(0, m.at % (body.length + 1));
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function request(method: string, o: { callId: string; toTag?: string; cseq: number; body?: string; extra?: string[] }): string {
  const body = o.body ?? '';
  return [
    `${method} sip:${method === 'REGISTER' ? '' : 'queue@'}127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bK-fz-${++n};rport`,
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1>;tag=fz-${o.callId}`,
    `To: <sip:queue@127.0.0.1>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${method}`,
    `Contact: <sip:caller@127.0.0.1:${ua.port}>`,
    ...(o.extra ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

const IN_DIALOG: Array<(callId: string, toTag: string, cseq: number) => string> = [
  (c, t, s) => request('BYE', { callId: c, toTag: t, cseq: s }),
  (c, t, s) => request('INVITE', { callId: c, toTag: t, cseq: s, body: SDP(4002), extra: ['Supported: timer', 'Session-Expires: 1800;refresher=uac'] }),
  (c, t, s) => request('UPDATE', { callId: c, toTag: t, cseq: s, extra: ['Session-Expires: 1800'] }),
  (c, t, s) => request('INFO', { callId: c, toTag: t, cseq: s, extra: ['Content-Type: application/dtmf-relay'], body: 'Signal=5\r\nDuration=160\r\n' }),
  (c, t, s) => request('REFER', { callId: c, toTag: t, cseq: s, extra: ['Refer-To: <sip:1002@127.0.0.1>', 'Referred-By: <sip:caller@127.0.0.1>'] }),
  (c, t, s) => request('OPTIONS', { callId: c, toTag: t, cseq: s }),
];
const OUT_OF_DIALOG: Array<(callId: string) => string> = [
  (c) => request('INVITE', { callId: c, cseq: 1, body: SDP(4000), extra: ['Supported: timer', 'Session-Expires: 1800'] }),
  (c) => request('REGISTER', { callId: c, cseq: 1, extra: ['Expires: 60'] }),
  (c) => request('OPTIONS', { callId: c, cseq: 1 }),
  (c) => request('CANCEL', { callId: c, cseq: 1 }),
  (c) => request('MESSAGE', { callId: c, cseq: 1, body: 'hello' }),
];

const finalFor = (callId: string) => (m: SipMessage) => m.callId === callId && (m as SipResponse).status >= 200;

async function stillAnswers(): Promise<void> {
  const callId = `alive-${++n}`;
  ua.send(request('OPTIONS', { callId, cseq: 1 }), port);
  expect((await ua.take<SipResponse>(finalFor(callId), 3000)).status).toBe(200);
}

/** An established call (INVITE, 200, ACK) to send mutated in-dialog requests into. */
async function establish(callId: string): Promise<string> {
  ua.send(request('INVITE', { callId, cseq: 1, body: SDP(4000) }), port);
  const ok = await ua.take<SipResponse>(finalFor(callId), 3000);
  expect(ok.status).toBe(200);
  const toTag = ok.toTag!;
  ua.send(mutate(request('ACK', { callId, toTag, cseq: 1 }), []), port);
  return toTag;
}

describe('mutated SIP messages against a running stack', () => {
  it('outside a dialog: nothing throws and the stack keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(OUT_OF_DIALOG.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (which, ms) => {
        const callId = `fz-out-${++n}`;
        const text = mutate(OUT_OF_DIALOG[which]!(callId), ms);
        ua.send(text, port);
        await new Promise((r) => setTimeout(r, 2));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    await stillAnswers();
  });

  it('inside an established call: the same, and the call can still be hung up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(IN_DIALOG.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (which, ms) => {
        const callId = `fz-in-${++n}`;
        const toTag = await establish(callId);
        ua.send(mutate(IN_DIALOG[which]!(callId, toTag, 2), ms), port);
        await new Promise((r) => setTimeout(r, 5));
        // a clean BYE afterwards: 200 while the dialog lives, 481 if the mutated request ended it
        ua.send(request('BYE', { callId, toTag, cseq: 10 }), port);
        const bye = await ua.take<SipResponse>((m) => m.callId === callId && (m as SipResponse).status >= 200 && m.get('cseq') === '10 BYE', 3000);
        expect([200, 481]).toContain(bye.status);
      }),
      { seed: SEED, numRuns: Math.max(20, Math.round(RUNS / 3)) },
    );
    await stillAnswers();
    // no dialog is left behind: a mutated request that lost its To tag set up a new call, which is never ACKed
    // and ends after 64*T1 (3.2 s here)
    const deadline = Date.now() + 8000;
    while (stack.stats().activeDialogs > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(stack.stats().activeDialogs).toBe(0);
  });

  it('from an untrusted source: mutated digest credentials are refused with a status, never a crash', async () => {
    const stranger = await new RawUdp('127.0.0.2').open();
    try {
      // a real challenge to answer, then the answer mutated
      const callId = `fz-auth-${++n}`;
      const reg = (cseq: number, extra: string[]) =>
        request('REGISTER', { callId, cseq, extra: ['Expires: 60', ...extra] }).replace(`127.0.0.1:${ua.port}`, `127.0.0.2:${stranger.port}`);
      stranger.send(reg(1, []), port);
      const challenge = await stranger.take<SipResponse>(finalFor(callId), 3000);
      expect(challenge.status).toBe(401);
      const auth = digestResponse(challenge.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: '1001', password: 'secret' });
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), async (ms, invite) => {
          const cseq = ++n;
          const text = invite
            ? request('INVITE', { callId: `fz-auth-i-${cseq}`, cseq: 1, body: SDP(4000), extra: [`Proxy-Authorization: ${auth}`] })
                .replace(`127.0.0.1:${ua.port}`, `127.0.0.2:${stranger.port}`)
            : reg(cseq, [`Authorization: ${auth}`]);
          stranger.send(mutate(text, ms), port);
          await new Promise((r) => setTimeout(r, 2));
        }),
        { seed: SEED, numRuns: Math.max(20, Math.round(RUNS / 3)) },
      );
      await stillAnswers();
    } finally {
      stranger.close();
    }
  });

  it('as the caller: whatever mutated response the callee sends, hanging up ends our leg', async () => {
    const closing: Array<Promise<string>> = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(180, 183, 200, 486), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (status, ms) => {
        const out: OutgoingCall = stack.placeCall({ target: `sip:callee@127.0.0.1:${ua.port}`, from: 'sip:queue@test.local', sdp: SDP(5000) });
        closing.push(new Promise<string>((r) => out.once('close', r)));
        const invite = await ua.take<SipRequest>((m) => m.callId === out.callId && (m as SipRequest).method === 'INVITE', 3000);
        const lines = [`SIP/2.0 ${status} ${status === 200 ? 'OK' : 'Whatever'}`, ...invite.getAll('via').map((v) => `Via: ${v}`),
          `From: ${invite.get('from')}`, `To: ${invite.get('to')};tag=callee-${++n}`, `Call-ID: ${invite.callId}`, `CSeq: ${invite.get('cseq')}`,
          `Contact: <sip:callee@127.0.0.1:${ua.port}>`, 'Record-Route: <sip:127.0.0.1:' + ua.port + ';lr>'];
        const body = status === 200 || status === 183 ? SDP(4010) : '';
        if (body) lines.push('Content-Type: application/sdp');
        lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
        ua.send(mutate(lines.join('\r\n'), ms), port);
        await new Promise((r) => setTimeout(r, 20));
        // BYE when established, CANCEL before (sent once a provisional came; without one the INVITE times out)
        if (out.state === CallState.Established) void out.bye().catch(() => {});
        else out.cancel();
      }),
      { seed: SEED, numRuns: Math.max(20, Math.round(RUNS / 3)) },
    );
    // every leg ends: 64*T1 (3.2 s here) is the longest any of them can wait
    const reasons = await Promise.race([Promise.all(closing), new Promise<never>((_, no) => setTimeout(() => no(new Error('a leg never ended')), 10_000))]);
    for (const r of reasons) expect(['local-bye', 'cancelled', 'failed', 'timeout', 'bye']).toContain(r);
    await stillAnswers();
  }, 60_000);

  it('refuses an INVITE whose Record-Route is not a name-addr with 400 (found by this fuzzer: the call was answered and could never be hung up)', async () => {
    const callId = `fz-rr-${++n}`;
    ua.send(request('INVITE', { callId, cseq: 1, body: SDP(4000), extra: ['Record-Route: ,fWRQm8]:t'] }), port);
    const res = await ua.take<SipResponse>(finalFor(callId), 3000);
    expect(res.status).toBe(400);
    expect(res.reason).toMatch(/Record-Route/);
  });

  it('drops a 2xx whose Contact is not a URI, and our leg fails by its timeout (found by this fuzzer: the leg hung forever)', async () => {
    const before = stack.stats().droppedResponses;
    const out = stack.placeCall({ target: `sip:callee@127.0.0.1:${ua.port}`, from: 'sip:queue@test.local', sdp: SDP(5000) });
    const closed = new Promise<string>((r) => out.once('close', r));
    const invite = await ua.take<SipRequest>((m) => m.callId === out.callId && (m as SipRequest).method === 'INVITE', 3000);
    ua.send([
      'SIP/2.0 200 OK', ...invite.getAll('via').map((v) => `Via: ${v}`), `From: ${invite.get('from')}`, `To: ${invite.get('to')};tag=callee`,
      `Call-ID: ${invite.callId}`, `CSeq: ${invite.get('cseq')}`, 'Contact: 5634786154', 'Content-Length: 0', '', '',
    ].join('\r\n'), port);
    expect(await closed).toBe('timeout');
    expect(stack.stats().droppedResponses).toBeGreaterThan(before);
  });

  it('counts what it could not parse or found invalid', () => {
    const s = stack.stats();
    expect(s.received).toBeGreaterThan(RUNS);
    expect(s.dropped + s.invalidRequests).toBeGreaterThan(0);
  });
});
