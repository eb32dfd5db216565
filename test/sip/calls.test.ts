import { afterEach, describe, expect, it } from 'vitest';
import { ANSWERED_ELSEWHERE, CallState, type IncomingCall, type SipStack } from '../../sip/index.ts';
import type { SipRequest, SipResponse } from '../../sip/message/message.ts';
import { RawUdp, SDP, credentials, digestResponse, startStack, waitFor } from './helpers.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Two stacks on loopback: `a` places calls into `b`, which trusts loopback. */
async function pair(): Promise<{ a: SipStack; b: SipStack; uri: (proto?: string) => string }> {
  const a = await startStack({ trustedSources: ['127.0.0.1'], timers: { T1: 50 } });
  const b = await startStack({ trustedSources: ['127.0.0.1'], timers: { T1: 50 } });
  cleanup.push(() => a.close(), () => b.close());
  return { a, b, uri: (proto = 'udp') => `sip:agent@127.0.0.1:${proto === 'udp' ? b.ports.udp : b.ports.tcp};transport=${proto}` };
}

describe('call legs', () => {
  for (const proto of ['udp', 'tcp']) {
    it(`sets up a call over ${proto}, rings, answers, and ends it with BYE from the caller`, async () => {
      const { a, b, uri } = await pair();
      const incoming = waitFor<IncomingCall>(b, 'incomingCall');
      const out = a.placeCall({ target: uri(proto), from: 'sip:queue@test.local', sdp: SDP(4000), headers: { 'X-Call-Token': 'tok-1' } });
      const call = await incoming;
      expect(call.header('X-Call-Token')).toBe('tok-1');
      expect(call.remoteSdp).toContain('m=audio 4000');
      expect(call.identity.trusted).toBe(true);
      const ringing = waitFor<[number, string | undefined]>(out, 'provisional');
      call.progress(180);
      expect((await ringing)[0]).toBe(180);
      const answered = waitFor<string>(out, 'answered');
      const acked = call.answer(SDP(5000));
      expect(await answered).toContain('m=audio 5000');
      await acked;
      expect(call.state).toBe(CallState.Established);
      expect(b.stats().activeDialogs).toBe(1);
      const bye = waitFor(call, 'bye');
      await out.bye();
      await bye;
      expect(call.state).toBe(CallState.Terminated);
      expect(b.stats().activeDialogs).toBe(0);
      expect(a.stats().activeDialogs).toBe(0);
    });
  }

  it('places a call without an offer (late offer): the callee offers in its 200, our answer goes in the ACK', async () => {
    const { a, b, uri } = await pair();
    const incoming = waitFor<IncomingCall>(b, 'incomingCall');
    const out = a.placeCall({ target: uri(), from: 'sip:callback@test.local' });
    const call = await incoming;
    expect(call.remoteSdp).toBeUndefined();
    expect(call.request.has('content-type')).toBe(false);
    const answered = waitFor<string>(out, 'answered');
    const acked = call.answer(SDP(5000));
    expect(await answered).toContain('m=audio 5000');
    // the ACK waits for our answer: the callee's 200 is retransmitted meanwhile (T1 = 50 ms) and not yet acknowledged
    await new Promise((r) => setTimeout(r, 120));
    expect(call.remoteSdp).toBeUndefined();
    out.acknowledge(SDP(4000));
    await acked;
    expect(call.remoteSdp).toContain('m=audio 4000');
    expect(out.localSdp).toContain('m=audio 4000');
    const bye = waitFor(call, 'bye');
    await out.bye();
    await bye;
  });

  it('a late offer answered without an offer fails with 488 and is hung up', async () => {
    const { a } = await pair();
    const peer = await new RawUdp().open();
    cleanup.push(() => peer.close());
    const out = a.placeCall({ target: `sip:x@127.0.0.1:${peer.port}`, from: 'sip:callback@test.local' });
    const failed = waitFor<[number, string]>(out, 'failed');
    const invite = await peer.take<SipRequest>((m) => 'method' in m && m.method === 'INVITE');
    const copy = (h: string) => invite.getAll(h).map((v) => `${h}: ${v}`).join('\r\n');
    peer.send(
      `SIP/2.0 200 OK\r\n${copy('via')}\r\n${copy('from')}\r\nTo: ${invite.get('to')};tag=peer1\r\nCall-ID: ${invite.callId}\r\n` +
        `CSeq: 1 INVITE\r\nContact: <sip:x@127.0.0.1:${peer.port}>\r\nContent-Length: 0\r\n\r\n`,
      a.ports.udp!,
    );
    expect((await failed)[0]).toBe(488);
    const ack = await peer.take<SipRequest>((m) => 'method' in m && m.method === 'ACK');
    expect(ack.body.length).toBe(0);
    await peer.take<SipRequest>((m) => 'method' in m && m.method === 'BYE');
  });

  it("answers a provider's digest challenge once with the trunk's credentials (same Call-ID, next CSeq); wrong ones fail with the 407", async () => {
    // the provider: a stack that trusts no one and knows the trunk's account
    const a = await startStack({ trustedSources: ['127.0.0.1'], timers: { T1: 50 } });
    const provider = await startStack({ timers: { T1: 50 }, credentials: credentials({ '1001': 'secret1001' }) });
    cleanup.push(() => a.close(), () => provider.close());
    const incoming = waitFor<IncomingCall>(provider, 'incomingCall');
    const out = a.placeCall({ target: `sip:+3725551234@127.0.0.1:${provider.ports.udp}`, from: 'sip:callback@test.local', sdp: SDP(4000), auth: { username: '1001', password: 'secret1001' } });
    const call = await incoming;
    expect(call.identity).toMatchObject({ username: '1001', trusted: false });
    expect(call.request.cseq.seq).toBe(2);
    expect(call.callId).toBe(out.callId);
    const answered = waitFor<string>(out, 'answered');
    void call.answer(SDP(5000));
    expect(await answered).toContain('m=audio 5000');
    await out.bye();

    const wrong = a.placeCall({ target: `sip:+3725551234@127.0.0.1:${provider.ports.udp}`, from: 'sip:callback@test.local', sdp: SDP(4000), auth: { username: '1001', password: 'wrong' } });
    expect((await waitFor<[number, string]>(wrong, 'failed'))[0]).toBe(407);
    const none = a.placeCall({ target: `sip:+3725551234@127.0.0.1:${provider.ports.udp}`, from: 'sip:callback@test.local', sdp: SDP(4000) });
    expect((await waitFor<[number, string]>(none, 'failed'))[0]).toBe(407);
  });

  it('cancels before answer: the callee sees cancel and the caller gets 487', async () => {
    const { a, b, uri } = await pair();
    const incoming = waitFor<IncomingCall>(b, 'incomingCall');
    const out = a.placeCall({ target: uri(), from: 'sip:queue@test.local', sdp: SDP(4000) });
    const call = await incoming;
    const ringing = waitFor(out, 'provisional');
    call.progress(180);
    await ringing;
    const cancelled = waitFor(call, 'cancel');
    const failed = waitFor<[number, string]>(out, 'failed');
    out.cancel();
    await cancelled;
    expect((await failed)[0]).toBe(487);
  });

  it('a CANCEL carries the RFC 3326 Reason it is given (a call answered on another device)', async () => {
    const a = await startStack({ timers: { T1: 50 } });
    cleanup.push(() => a.close());
    const phone = await new RawUdp().open();
    cleanup.push(() => phone.close());
    const out = a.placeCall({ target: `sip:1201@127.0.0.1:${phone.port}`, from: 'sip:q@test.local', sdp: SDP(4000) });
    const invite = await phone.take<SipRequest>((m) => 'method' in m && m.method === 'INVITE');
    const reply = (req: SipRequest, status: string) =>
      [`SIP/2.0 ${status}`, ...req.getAll('via').map((v) => `Via: ${v}`), `From: ${req.get('from')}`, `To: ${req.get('to')};tag=ph1`, `Call-ID: ${req.callId}`, `CSeq: ${req.get('cseq')}`, 'Content-Length: 0', '', ''].join('\r\n');
    const ringing = waitFor(out, 'provisional');
    phone.send(reply(invite, '180 Ringing'), a.ports.udp!);
    await ringing;
    const failed = waitFor<[number, string]>(out, 'failed');
    out.cancel(ANSWERED_ELSEWHERE);
    const cancel = await phone.take<SipRequest>((m) => 'method' in m && m.method === 'CANCEL');
    expect(cancel.get('reason')).toBe('SIP;cause=200;text="Call completed elsewhere"');
    expect(cancel.get('cseq')).toBe(`${invite.cseq.seq} CANCEL`);
    phone.send(reply(cancel, '200 OK'), a.ports.udp!);
    phone.send(reply(invite, '487 Request Terminated'), a.ports.udp!);
    expect((await failed)[0]).toBe(487);
  });

  it('passes a re-INVITE (hold) to the handler and returns its answer', async () => {
    const { a, b, uri } = await pair();
    const incoming = waitFor<IncomingCall>(b, 'incomingCall');
    const out = a.placeCall({ target: uri(), from: 'sip:queue@test.local', sdp: SDP(4000) });
    const call = await incoming;
    await Promise.all([call.answer(SDP(5000)), waitFor(out, 'answered')]);
    call.setReinviteHandler((offer) => SDP(5002) + (offer.includes('sendonly') ? 'a=recvonly\r\n' : ''));
    const answer = await out.reinvite(SDP(4000) + 'a=sendonly\r\n');
    expect(answer).toContain('a=recvonly');
    expect(call.remoteSdp).toContain('a=sendonly');
    // and the other way round, from the UAS side
    out.setReinviteHandler(() => SDP(4004));
    expect(await call.reinvite(SDP(5006))).toContain('m=audio 4004');
    await call.bye();
  });

  it('reports DTMF sent by INFO and REFER targets', async () => {
    const { a, b, uri } = await pair();
    const incoming = waitFor<IncomingCall>(b, 'incomingCall');
    const out = a.placeCall({ target: uri(), from: 'sip:queue@test.local', sdp: SDP(4000) });
    const call = await incoming;
    await Promise.all([call.answer(SDP(5000)), waitFor(out, 'answered')]);
    // drive INFO and REFER through the dialog of the outgoing leg
    const d = out.dialog!;
    const digits: string[] = [];
    call.on('dtmf', (dg) => digits.push(dg));
    const first: string[] = [];
    call.once('dtmf', (dg) => first.push(dg)); // a once() listener hears one digit only
    const send = (req: SipRequest): void => void a.transactions.sendRequest(req, d.nextHop(), { onResponse: () => {} });
    send(d.createRequest('INFO', { body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' }));
    send(d.createRequest('INFO', { body: '#', contentType: 'application/dtmf' }));
    const refer = waitFor<[string, string | undefined]>(call, 'refer');
    send(d.createRequest('REFER', { headers: { 'refer-to': '<sip:1002@test.local>' } }));
    expect((await refer)[0]).toBe('sip:1002@test.local');
    expect(digits).toEqual(['5', '#']);
    expect(first).toEqual(['5']);
    await call.bye();
  });

  it('ends a call that outlives the maximum call duration with BYE', async () => {
    const a = await startStack({ trustedSources: ['127.0.0.1'] });
    const b = await startStack({ trustedSources: ['127.0.0.1'], maxCallDurationMs: 300 });
    cleanup.push(() => a.close(), () => b.close());
    const incoming = waitFor<IncomingCall>(b, 'incomingCall');
    const out = a.placeCall({ target: `sip:x@127.0.0.1:${b.ports.udp}`, from: 'sip:q@test.local', sdp: SDP(4000) });
    const call = await incoming;
    const closed = waitFor<string>(call, 'close', 3000);
    await Promise.all([call.answer(SDP(5000)), waitFor(out, 'answered')]);
    const remoteBye = waitFor(out, 'bye', 3000);
    expect(await closed).toBe('max-duration');
    await remoteBye;
    expect(b.stats().activeDialogs).toBe(0);
  });

  it('rejects with the status the call layer chooses', async () => {
    const { a, b, uri } = await pair();
    b.once('incomingCall', (c) => c.reject(486, 'Busy Here'));
    const out = a.placeCall({ target: uri(), from: 'sip:queue@test.local', sdp: SDP(4000) });
    const [status, reason] = await waitFor<[number, string]>(out, 'failed');
    expect(status).toBe(486);
    expect(reason).toBe('Busy Here');
  });

  it('challenges an INVITE from an untrusted source with 407', async () => {
    const b = await startStack();
    cleanup.push(() => b.close());
    const ua = await new RawUdp().open();
    cleanup.push(() => ua.close());
    ua.send(`INVITE sip:1001@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bKinv1;rport\nMax-Forwards: 70\nFrom: <sip:x@y>;tag=1\nTo: <sip:1001@test.local>\nCall-ID: inv407\nCSeq: 1 INVITE\nContact: <sip:x@127.0.0.1:${ua.port}>\nContent-Length: 0\n\n`, b.ports.udp!);
    const res = await ua.take((m) => m.callId === 'inv407' && 'status' in m && (m as { status: number }).status >= 200);
    expect(res.status).toBe(407);
    expect(res.get('proxy-authenticate')).toContain('Digest realm="test.local"');
  });

  it('refuses an INVITE with no hop left (483), one without Contact (400), and a sips: Request-URI over UDP (416)', async () => {
    const b = await startStack({ trustedSources: ['127.0.0.1'] });
    cleanup.push(() => b.close());
    const ua = await new RawUdp().open();
    cleanup.push(() => ua.close());
    let offered = 0;
    b.on('incomingCall', (c: IncomingCall) => {
      offered++;
      c.reject(486, 'Busy Here');
    });
    const invite = (id: string, o: { uri?: string; branch?: string; mf?: string; contact?: boolean } = {}): string =>
      `INVITE ${o.uri ?? 'sip:sales@127.0.0.1'} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=${o.branch ?? `z9hG4bK${id}`};rport\n` +
      `Max-Forwards: ${o.mf ?? '70'}\nFrom: <sip:x@y>;tag=1\nTo: <sip:sales@test.local>\nCall-ID: ${id}\nCSeq: 1 INVITE\n` +
      `${o.contact === false ? '' : `Contact: <sip:x@127.0.0.1:${ua.port}>\n`}Content-Length: 0\n\n`;
    const final = async (id: string): Promise<SipResponse> =>
      (await ua.take((m) => m.callId === id && 'status' in m && (m as SipResponse).status >= 200)) as SipResponse;
    ua.send(invite('mf0', { mf: '0' }), b.ports.udp!);
    expect(await final('mf0')).toMatchObject({ status: 483, reason: 'Too Many Hops' });
    ua.send(invite('noct', { contact: false }), b.ports.udp!);
    expect(await final('noct')).toMatchObject({ status: 400, reason: 'Missing Contact header field' });
    ua.send(invite('sips', { uri: 'sips:sales@127.0.0.1' }), b.ports.udp!);
    expect(await final('sips')).toMatchObject({ status: 416, reason: 'Unsupported URI Scheme: sips needs TLS' });
    expect(offered).toBe(0);
    // an INVITE with a hop left reaches the call layer; so does an RFC 2543 one without Contact (RFC 4475 3.4.1)
    ua.send(invite('mf1', { mf: '1' }), b.ports.udp!);
    expect((await final('mf1')).status).toBe(486);
    ua.send(invite('old', { contact: false, branch: 'rfc2543-1' }), b.ports.udp!);
    expect((await final('old')).status).toBe(486);
    expect(offered).toBe(2);
  });

  it('carries Max-Forwards over, one less, to the call it places on behalf of another (RFC 7332 3)', async () => {
    const { a, b, uri } = await pair();
    const c = await startStack({ trustedSources: ['127.0.0.1'], timers: { T1: 50 } });
    cleanup.push(() => c.close());
    const incoming = waitFor<IncomingCall>(b, 'incomingCall');
    const out = a.placeCall({ target: uri(), from: 'sip:queue@test.local', sdp: SDP(4000), headers: { 'max-forwards': '5' } });
    const call = await incoming;
    expect(call.onwardMaxForwards).toBe(4);
    const onward = waitFor<IncomingCall>(c, 'incomingCall');
    b.placeCall({ target: `sip:x@127.0.0.1:${c.ports.udp}`, from: 'sip:agent@test.local', sdp: SDP(4002), headers: { 'max-forwards': String(call.onwardMaxForwards) } });
    expect((await onward).request.get('max-forwards')).toBe('4');
    out.cancel();
  });

  it('an INVITE cancelled while its credentials are being checked gets 487 only, not a late 407 too', async () => {
    const slow = credentials();
    const lookup = slow.lookup.bind(slow);
    slow.lookup = async (u) => {
      await new Promise((r) => setTimeout(r, 400));
      return lookup(u);
    };
    const b = await startStack({ credentials: slow });
    cleanup.push(() => b.close());
    const ua = await new RawUdp().open();
    cleanup.push(() => ua.close());
    const inv = (branch: string, cseq: number, extra = '') =>
      `INVITE sip:1001@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=${branch};rport\nMax-Forwards: 70\nFrom: <sip:1002@test.local>;tag=c1\nTo: <sip:1001@test.local>\nCall-ID: invcancel\nCSeq: ${cseq} INVITE\nContact: <sip:1002@127.0.0.1:${ua.port}>\n${extra}Content-Length: 0\n\n`;
    ua.send(inv('z9hG4bKic1', 1), b.ports.udp!);
    const challenge = await ua.take((m) => m.callId === 'invcancel' && 'status' in m && (m as SipResponse).status === 407);
    const auth = digestResponse(challenge.getAll('proxy-authenticate')[0]!, { method: 'INVITE', uri: 'sip:1001@127.0.0.1', user: '1002', password: 'wrong' });
    ua.send(inv('z9hG4bKic2', 2, `Proxy-Authorization: ${auth}\n`), b.ports.udp!);
    await new Promise((r) => setTimeout(r, 100)); // the lookup is under way
    ua.send(`CANCEL sip:1001@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bKic2;rport\nMax-Forwards: 70\nFrom: <sip:1002@test.local>;tag=c1\nTo: <sip:1001@test.local>\nCall-ID: invcancel\nCSeq: 2 CANCEL\nContent-Length: 0\n\n`, b.ports.udp!);
    const finals = async () => {
      await new Promise((r) => setTimeout(r, 900)); // past the lookup
      // (a set: the 487 is retransmitted until it is ACKed)
      return [...new Set(ua.inbox.filter((m) => 'status' in m && m.callId === 'invcancel' && m.cseq.seq === 2).map((m) => `${(m as SipResponse).status} ${m.cseq.method}`))];
    };
    expect((await finals()).sort()).toEqual(['200 CANCEL', '487 INVITE']);
  });

  it('retransmits an unanswered INVITE over UDP with doubling intervals and fails with 408 after timer B', async () => {
    const a = await startStack({ timers: { T1: 40 } });
    cleanup.push(() => a.close());
    const sink = await new RawUdp().open();
    cleanup.push(() => sink.close());
    const t0 = performance.now();
    const out = a.placeCall({ target: `sip:x@127.0.0.1:${sink.port}`, from: 'sip:q@test.local', sdp: SDP(4000) });
    const [status] = await waitFor<[number, string]>(out, 'failed', 5000);
    expect(status).toBe(408);
    // 64*T1 = 2560 ms: sends at 0, 40, 120, 280, 600, 1240 and (timing permitting) 2520 ms, all the same INVITE
    expect(sink.inbox.length).toBeGreaterThanOrEqual(6);
    expect(sink.inbox.length).toBeLessThanOrEqual(7);
    expect(new Set(sink.inbox.map((m) => m.get('via'))).size).toBe(1);
    // Timers never fire early (at most the 1-2 ms of clock rounding), and each retransmission is timed from the
    // previous one, so the k-th copy cannot arrive before its nominal time; stalls of a loaded machine only make
    // copies later (so gaps between arrivals are not compared: a late arrival shortens the next gap). Together
    // with the count above (6 or 7 copies within 64*T1), this fails for constant intervals and for faster growth.
    const nominal = [0, 40, 120, 280, 600, 1240];
    nominal.forEach((at, k) => expect(sink.arrivals[k]! - t0).toBeGreaterThanOrEqual(at - 3));
  });
});
