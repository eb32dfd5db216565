import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryBindingStore, type SipStack } from '../../sip/index.ts';
import type { SipResponse } from '../../sip/message/message.ts';
import { parseDigestHeader } from '../../sip/auth/digest.ts';
import { digestResponse, RawUdp, register, startStack, waitFor } from './helpers.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(over: Parameters<typeof startStack>[0] = {}): Promise<{ stack: SipStack; ua: RawUdp; port: number }> {
  const stack = await startStack(over);
  cleanup.push(() => stack.close());
  const ua = await new RawUdp().open();
  cleanup.push(() => ua.close());
  return { stack, ua, port: stack.ports.udp! };
}

const byCallId = (id: string) => (m: { callId: string }): boolean => m.callId === id;

/** REGISTER, 401, REGISTER with digest; returns the final response. */
async function registerWithAuth(ua: RawUdp, port: number, o: { user: string; password: string; ua?: string; expires?: number; contact?: string; callId?: string }): Promise<SipResponse> {
  const callId = o.callId ?? `c-${Math.random()}`;
  ua.send(register({ port, user: o.user, clientPort: ua.port, callId, cseq: 1, ua: o.ua, expires: o.expires, contact: o.contact }), port);
  const ch = await ua.take(byCallId(callId));
  expect(ch.status).toBe(401);
  const auth = digestResponse(ch.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: o.user, password: o.password });
  ua.send(register({ port, user: o.user, clientPort: ua.port, callId, cseq: 2, ua: o.ua, expires: o.expires, contact: o.contact, auth }), port);
  return ua.take(byCallId(callId));
}

describe('registrar with digest authentication', () => {
  it('answers OPTIONS with 200 and the methods it allows', async () => {
    const { ua, port } = await setup();
    ua.send(`OPTIONS sip:127.0.0.1:${port} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bKopt1;rport\nMax-Forwards: 70\nFrom: <sip:p@x>;tag=1\nTo: <sip:127.0.0.1>\nCall-ID: opt1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n`, port);
    const res = await ua.take(byCallId('opt1'));
    expect(res.status).toBe(200);
    expect(res.get('allow')).toContain('INVITE');
    expect(res.via.params.get('rport')).toBe(String(ua.port));
  });

  it('challenges a REGISTER with SHA-256 first and MD5 second, qop=auth', async () => {
    const { ua, port } = await setup();
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'ch1', ua: 'Linphone/5.2' }), port);
    const res = await ua.take(byCallId('ch1'));
    expect(res.status).toBe(401);
    const [first, second] = res.getAll('www-authenticate').map((h) => parseDigestHeader(h)!);
    expect(first!.get('algorithm')).toBe('SHA-256');
    expect(second!.get('algorithm')).toBe('MD5');
    expect(first!.get('qop')).toBe('auth');
    expect(first!.get('realm')).toBe('test.local');
  });

  it('registers a device with SHA-256 digest and reports the binding', async () => {
    const { stack, ua, port } = await setup();
    const added = waitFor<{ aor: string; contact: string; username: string }>(stack, 'bindingAdded');
    const res = await registerWithAuth(ua, port, { user: '1001', password: 'secret', ua: 'Linphone/5.2', expires: 120 });
    expect(res.status).toBe(200);
    expect(res.get('contact')).toMatch(/expires=(119|120)/);
    const b = await added;
    expect(b.aor).toBe('sip:1001@test.local');
    expect(b.username).toBe('1001');
    expect(stack.bindingsFor('1001')).toHaveLength(1);
  });

  it('challenges a client without SHA-256 support with MD5 only and registers it', async () => {
    const { stack, ua, port } = await setup();
    ua.send(register({ port, user: '1002', clientPort: ua.port, callId: 'md5', ua: 'SIP.js/0.21.1' }), port);
    const ch = await ua.take(byCallId('md5'));
    expect(ch.getAll('www-authenticate').map((h) => parseDigestHeader(h)!.get('algorithm'))).toEqual(['MD5']);
    const res = await registerWithAuth(ua, port, { user: '1002', password: 'secret' }); // no User-Agent -> MD5 only
    expect(res.status).toBe(200);
    expect(stack.bindingsFor('sip:1002@test.local')).toHaveLength(1);
  });

  it('challenges an unknown user exactly like a known user with a wrong password', async () => {
    const { ua, port } = await setup();
    const shapes: string[] = [];
    for (const [user, password] of [['1001', 'wrong'], ['nobody', 'secret']] as const) {
      const callId = `enum-${user}`;
      ua.send(register({ port, user, clientPort: ua.port, callId, ua: 'X/1' }), port);
      const ch = await ua.take(byCallId(callId));
      const auth = digestResponse(ch.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user, password });
      ua.send(register({ port, user, clientPort: ua.port, callId, cseq: 2, auth, ua: 'X/1' }), port);
      const res = await ua.take(byCallId(callId));
      shapes.push(`${res.status} ${res.reason} ${[...res.headers.keys()].join(',')} ${res.getAll('www-authenticate').map((h) => h.replace(/nonce="[^"]+"/, '')).join('|')}`);
    }
    expect(shapes[0]).toMatch(/^401 /);
    expect(shapes[1]).toBe(shapes[0]);
  });

  it('answers challenges, OPTIONS and refusals statelessly: nothing is kept per request, a retransmission is challenged anew', async () => {
    const { stack, ua, port } = await setup();
    const req = register({ port, user: '1001', clientPort: ua.port, callId: 'stateless1', ua: 'Linphone/5.2' });
    ua.send(req, port);
    const first = await ua.take(byCallId('stateless1'));
    expect(first.status).toBe(401);
    // a transaction would have stayed 32 s (timer J) with its response; a flood of these would pile them up
    expect(stack.stats().serverTransactions).toBe(0);
    ua.send(req, port); // the same request again (same branch): challenged again, with a fresh nonce
    const again = await ua.take(byCallId('stateless1'));
    expect(again.status).toBe(401);
    const nonce = (r: SipResponse) => parseDigestHeader(r.getAll('www-authenticate')[0]!)!.get('nonce');
    expect(nonce(again)).not.toBe(nonce(first));
    // OPTIONS (keep-alives, probes) and refusals outside a dialog leave nothing behind either
    ua.send(`OPTIONS sip:127.0.0.1:${port} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bKsl2;rport\nMax-Forwards: 70\nFrom: <sip:p@x>;tag=1\nTo: <sip:127.0.0.1>\nCall-ID: stateless2\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n`, port);
    expect((await ua.take(byCallId('stateless2'))).status).toBe(200);
    ua.send(`BYE sip:127.0.0.1:${port} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bKsl3;rport\nMax-Forwards: 70\nFrom: <sip:p@x>;tag=1\nTo: <sip:127.0.0.1>;tag=nosuch\nCall-ID: stateless3\nCSeq: 1 BYE\nContent-Length: 0\n\n`, port);
    expect((await ua.take(byCallId('stateless3'))).status).toBe(481);
    expect(stack.stats().serverTransactions).toBe(0);
    // and the challenge still leads to a registration
    const res = await registerWithAuth(ua, port, { user: '1001', password: 'secret', ua: 'Linphone/5.2' });
    expect(res.status).toBe(200);
    expect(stack.stats().serverTransactions).toBe(1); // the successful REGISTER's, lingering as RFC 3261 says
  });

  it('refuses a replayed nonce count', async () => {
    const { ua, port } = await setup();
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'rp', ua: 'X/1' }), port);
    const ch = await ua.take(byCallId('rp'));
    const auth = digestResponse(ch.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: '1001', password: 'secret', nc: 1 });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'rp', cseq: 2, auth, ua: 'X/1' }), port);
    expect((await ua.take(byCallId('rp'))).status).toBe(200);
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'rp', cseq: 3, auth, ua: 'X/1' }), port);
    expect((await ua.take(byCallId('rp'))).status).toBe(401);
  });

  it('answers an expired nonce with stale=true', async () => {
    const { ua, port } = await setup({ nonceTtlMs: 50 });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'st', ua: 'X/1' }), port);
    const ch = await ua.take(byCallId('st'));
    await new Promise((r) => setTimeout(r, 120));
    const auth = digestResponse(ch.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: '1001', password: 'secret' });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'st', cseq: 2, auth, ua: 'X/1' }), port);
    const res = await ua.take(byCallId('st'));
    expect(res.status).toBe(401);
    expect(res.get('www-authenticate')).toContain('stale=true');
  });

  it('refuses a source for a while after repeated authentication failures', async () => {
    const { ua, port } = await setup({ lockout: { maxFailures: 3, lockMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const callId = `lock-${i}`;
      ua.send(register({ port, user: '1001', clientPort: ua.port, callId, ua: 'X/1' }), port);
      const ch = await ua.take(byCallId(callId));
      const auth = digestResponse(ch.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: '1001', password: 'bad' });
      ua.send(register({ port, user: '1001', clientPort: ua.port, callId, cseq: 2, auth, ua: 'X/1' }), port);
      expect((await ua.take(byCallId(callId))).status).toBe(401);
    }
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'lock-x', ua: 'X/1' }), port);
    expect((await ua.take(byCallId('lock-x'))).status).toBe(403);
  });

  it('asks a client with the right password but a used nonce count, or a nonce not of this server, again (stale=true), never locking it out', async () => {
    const { stack, ua, port } = await setup({ lockout: { maxFailures: 3, lockMs: 60_000 } });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'sj', ua: 'X/1' }), port);
    const ch = await ua.take(byCallId('sj'));
    const auth = digestResponse(ch.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: '1001', password: 'secret', nc: 1 });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'sj', cseq: 2, auth, ua: 'X/1' }), port);
    expect((await ua.take(byCallId('sj'))).status).toBe(200);
    // as sip.js does on every refresh: its last Authorization again, more often than the lockout allows failures
    for (let cseq = 3; cseq < 9; cseq++) {
      ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'sj', cseq, auth, ua: 'X/1' }), port);
      const again = await ua.take(byCallId('sj'));
      expect(again.status).toBe(401);
      expect(parseDigestHeader(again.getAll('www-authenticate')[0]!)!.get('stale')).toBe('true');
    }
    // a nonce another server issued (this one before a restart), answered with the right password
    const other = await startStack();
    cleanup.push(() => other.close());
    ua.send(register({ port: other.ports.udp!, user: '1001', clientPort: ua.port, callId: 'old', ua: 'X/1' }), other.ports.udp!);
    const foreign = await ua.take(byCallId('old'));
    const oldAuth = digestResponse(foreign.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: '1001', password: 'secret' });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'old', cseq: 2, auth: oldAuth, ua: 'X/1' }), port);
    const stale = await ua.take(byCallId('old'));
    expect(stale.status).toBe(401);
    expect(parseDigestHeader(stale.getAll('www-authenticate')[0]!)!.get('stale')).toBe('true');
    expect(stack.stats().authFailures).toBe(0);
    // and the fresh challenge is answered: not locked out
    const fresh = digestResponse(stale.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: '1001', password: 'secret' });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'old', cseq: 3, auth: fresh, ua: 'X/1' }), port);
    expect((await ua.take(byCallId('old'))).status).toBe(200);
  });

  it('does not challenge a trusted source', async () => {
    const { stack, ua, port } = await setup({ trustedSources: ['127.0.0.0/8'] });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'tr' }), port);
    expect((await ua.take(byCallId('tr'))).status).toBe(200);
    expect(stack.bindingsFor('1001')).toHaveLength(1);
  });

  it('keeps several contacts, removes them all with "*", and rejects "*" without Expires: 0', async () => {
    const { stack, ua, port } = await setup({ trustedSources: ['127.0.0.1'] });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'm', cseq: 1, contact: '<sip:a@127.0.0.1:1111>, <sip:b@127.0.0.1:2222>;expires=300' }), port);
    const ok = await ua.take(byCallId('m'));
    expect(ok.getAll('contact')).toHaveLength(2);
    expect(stack.bindingsFor('1001')).toHaveLength(2);
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'm', cseq: 2, contact: '*' }), port);
    expect((await ua.take(byCallId('m'))).status).toBe(400);
    const removed: string[] = [];
    stack.on('bindingRemoved', (b, why) => removed.push(`${b.contact} ${why}`));
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'm', cseq: 3, contact: '*', expires: 0 }), port);
    expect((await ua.take(byCallId('m'))).status).toBe(200);
    expect(stack.bindingsFor('1001')).toHaveLength(0);
    expect(removed.sort()).toEqual(['sip:a@127.0.0.1:1111 unregistered', 'sip:b@127.0.0.1:2222 unregistered']);
  });

  it('answers a too-short expiry with 423 and Min-Expires, and an out-of-order CSeq with 500', async () => {
    const { ua, port } = await setup({ trustedSources: ['127.0.0.1'] });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'e', cseq: 5, expires: 10 }), port);
    const r423 = await ua.take(byCallId('e'));
    expect(r423.status).toBe(423);
    expect(r423.get('min-expires')).toBe('60');
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'e', cseq: 6, expires: 60 }), port);
    expect((await ua.take(byCallId('e'))).status).toBe(200);
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'e', cseq: 6, expires: 60 }), port);
    expect((await ua.take(byCallId('e'))).status).toBe(500);
  });

  it('tells listeners when a binding expires', async () => {
    const { stack, ua, port } = await setup({ trustedSources: ['127.0.0.1'], registrar: { minExpires: 1 } });
    ua.send(register({ port, user: '1001', clientPort: ua.port, callId: 'x', expires: 1 }), port);
    expect((await ua.take(byCallId('x'))).status).toBe(200);
    const [b, reason] = await waitFor<[{ aor: string }, string]>(stack, 'bindingRemoved', 4000);
    expect(b.aor).toBe('sip:1001@test.local');
    expect(reason).toBe('expired');
  });

  it('keeps bindings across a restart through the binding store', async () => {
    const store = new MemoryBindingStore();
    const first = await setup({ trustedSources: ['127.0.0.1'], bindings: store });
    first.ua.send(register({ port: first.port, user: '1001', clientPort: first.ua.port, callId: 'p', expires: 300 }), first.port);
    expect((await first.ua.take(byCallId('p'))).status).toBe(200);
    await first.stack.close();
    const second = await startStack({ bindings: store });
    cleanup.push(() => second.close());
    const [b] = second.bindingsFor('1001');
    expect(b?.contact).toBe(`sip:1001@127.0.0.1:${first.ua.port}`);
    expect(b?.sourcePort).toBe(first.ua.port);
  });

  it('drops an unparseable datagram, counts it, and keeps serving', async () => {
    const { stack, ua, port } = await setup();
    ua.send(Buffer.from('this is not sip\r\n\r\n'), port);
    ua.send(Buffer.from([0, 1, 2, 3, 255, 254]), port);
    ua.send(`OPTIONS sip:127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bKok;rport\nFrom: <sip:a@b>;tag=1\nTo: <sip:c@d>\nCall-ID: alive\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n`, port);
    expect((await ua.take(byCallId('alive'))).status).toBe(200);
    expect(stack.stats().dropped).toBe(2);
  });

  it('answers a request that parses but is invalid with 400 naming the problem', async () => {
    const { ua, port } = await setup();
    ua.send(`OPTIONS sip:127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bKbad;rport\nFrom: <sip:a@b>;tag=1\nTo: <sip:c@d>\nCall-ID: bad1\nCSeq: 1 INVITE\nContent-Length: 0\n\n`, port);
    const res = await ua.take(byCallId('bad1'));
    expect(res.status).toBe(400);
    expect(res.reason).toBe('CSeq method does not match the Request-Line');
  });

  it('refuses credentials computed for another uri than the Request-URI with 400 (RFC 7616 3.4.6); parameters may differ', async () => {
    const { ua, port } = await setup();
    const attempt = async (callId: string, uri: string): Promise<SipResponse> => {
      ua.send(register({ port, user: '1001', clientPort: ua.port, callId, ua: 'X/1' }), port);
      const ch = await ua.take(byCallId(callId));
      const auth = digestResponse(ch.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri, user: '1001', password: 'secret' });
      ua.send(register({ port, user: '1001', clientPort: ua.port, callId, cseq: 2, auth, ua: 'X/1' }), port);
      return ua.take(byCallId(callId));
    };
    const other = await attempt('uri1', 'sip:other.example.com');
    expect(other.status).toBe(400);
    expect(other.reason).toBe('Bad Request: the Authorization uri is not the Request-URI');
    expect((await attempt('uri2', `sip:127.0.0.1:${port + 1}`)).status).toBe(400);
    expect((await attempt('uri3', `sip:2000@127.0.0.1:${port}`)).status).toBe(400);
    expect((await attempt('uri4', `SIP:127.0.0.1:${port};transport=udp`)).status).toBe(200);
  });

  it('answers what a TCP stream cannot frame from its header block (513 too large, 400 without Content-Length), owed answers first', async () => {
    const { stack } = await setup({ maxMessageSize: 4000 });
    const open = async (): Promise<{ sock: net.Socket; got: () => string; closed: Promise<void> }> => {
      const sock = net.connect(stack.ports.tcp!, '127.0.0.1');
      cleanup.push(() => sock.destroy());
      await new Promise((r) => sock.once('connect', r));
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      const closed = new Promise<void>((r) => sock.once('close', () => r()));
      return { sock, got: () => got, closed };
    };
    const req = (method: string, id: string, sock: net.Socket, tail: string) =>
      `${method} sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:${sock.localPort};branch=z9hG4bK${id}\r\nFrom: <sip:1001@test.local>;tag=1\r\n` +
      `To: <sip:1001@test.local>\r\nCall-ID: ${id}\r\nCSeq: 1 ${method}\r\nContact: <sip:1001@127.0.0.1:${sock.localPort};transport=tcp>\r\n${tail}`;
    // a folded Content-Length (RFC 3261 7.3.1) frames like any other
    const a = await open();
    a.sock.write(req('OPTIONS', 'fold', a.sock, 'Content-Length:\r\n 0\r\n\r\n'));
    await vi.waitFor(() => expect(a.got()).toMatch(/^SIP\/2.0 200 OK[^]*Call-ID: fold/));
    // a body over the size limit: 513, and the connection closes
    const b = await open();
    b.sock.write(req('OPTIONS', 'big', b.sock, 'Content-Type: text/plain\r\nContent-Length: 70000\r\n\r\n'));
    await b.closed;
    expect(b.got()).toMatch(/^SIP\/2.0 513 Message Too Large[^]*Call-ID: big/);
    // a REGISTER (its 401 comes after the credential check), then a message without Content-Length in the same
    // segment: the REGISTER still gets its 401, the other a 400 naming the problem, and then the connection closes
    const c = await open();
    c.sock.write(req('REGISTER', 'reg', c.sock, 'Content-Length: 0\r\n\r\n') + req('OPTIONS', 'nocl', c.sock, '\r\n'));
    await c.closed;
    expect(c.got()).toMatch(/SIP\/2.0 401 Unauthorized[^]*Call-ID: reg/);
    expect(c.got()).toMatch(/SIP\/2.0 400 Missing Content-Length[^]*Call-ID: nocl/);
    expect(stack.stats().dropped).toBe(2);
  });

  it('frames TCP messages by Content-Length across and within segments', async () => {
    const { stack } = await setup({ trustedSources: ['127.0.0.1'] });
    const sock = net.connect(stack.ports.tcp!, '127.0.0.1');
    cleanup.push(() => sock.destroy());
    await new Promise((r) => sock.once('connect', r));
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    const opt = (id: string): string =>
      `OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:${sock.localPort};branch=z9hG4bK${id}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: ${id}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
    const both = opt('tcp-a') + opt('tcp-b');
    sock.write(both.slice(0, 37));
    await new Promise((r) => setTimeout(r, 30));
    sock.write(both.slice(37));
    for (let i = 0; i < 50 && (got.match(/SIP\/2.0 200/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got).toContain('Call-ID: tcp-a');
    expect(got).toContain('Call-ID: tcp-b');
  });
});
