import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { parseMessage } from '../../sip/message/parser.ts';
import { SipParseError } from '../../sip/message/errors.ts';
import { SipRequest } from '../../sip/message/message.ts';
import { validateRequest } from '../../sip/message/validate.ts';
import type { Flow } from '../../sip/transport/flow.ts';
import { RawUdp, SDP, startStack } from './helpers.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

let certDir: string;
let cert: string;
let key: string;
beforeAll(() => {
  certDir = mkdtempSync(path.join(os.tmpdir(), 'sip-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(path.join(certDir, 'cert.pem'), 'utf8');
  key = readFileSync(path.join(certDir, 'key.pem'), 'utf8');
});
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

const options = (proto: string, port: number, id: string): string =>
  `OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${proto} 127.0.0.1:${port};branch=z9hG4bK${id}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: ${id}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

describe('transports', () => {
  it('answers OPTIONS over TLS when a certificate is configured', async () => {
    const stack = await startStack({ tls: { cert, key, port: 0 } });
    cleanup.push(() => stack.close());
    const sock = tls.connect({ host: '127.0.0.1', port: stack.ports.tls!, rejectUnauthorized: false });
    cleanup.push(() => sock.destroy());
    await new Promise((r) => sock.once('secureConnect', r));
    let got = '';
    sock.on('data', (d) => (got += d));
    sock.write(options('TLS', sock.localPort!, 'tls1'));
    for (let i = 0; i < 100 && !got.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(got).toMatch(/^SIP\/2.0 200 OK/);
  });

  it('answers OPTIONS over WSS with the sip subprotocol and refuses a WebSocket without it', async () => {
    const stack = await startStack({ tls: { cert, key, port: 0, wssPort: 0 } });
    cleanup.push(() => stack.close());
    const ws = new WebSocket(`wss://127.0.0.1:${stack.ports.wss}/sip`, 'sip', { rejectUnauthorized: false });
    cleanup.push(() => ws.terminate());
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const reply = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    ws.send(options('WSS', 1, 'wss1'));
    expect(await reply).toMatch(/^SIP\/2.0 200 OK/);
    const plain = new WebSocket(`wss://127.0.0.1:${stack.ports.wss}/sip`, { rejectUnauthorized: false });
    cleanup.push(() => plain.terminate());
    const closed = await new Promise<number>((r) => {
      plain.once('close', (code) => r(code));
      plain.once('error', () => r(-1));
    });
    expect(closed).not.toBe(1000);
  });

  it('attaches the WebSocket transport to an existing HTTP server on /sip only', async () => {
    const http = await import('node:http');
    const server = http.createServer((_q, s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const stack = await startStack({ ws: { server } });
    cleanup.push(() => stack.close());
    const port = (server.address() as net.AddressInfo).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sip`, 'sip');
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const reply = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    ws.send(options('WS', 1, 'ws1'));
    expect(await reply).toContain('Call-ID: ws1');
  });

  it('advertises the port of an HTTP server it shares that starts listening after the stack', async () => {
    const http = await import('node:http');
    const server = http.createServer((_q, s) => s.end('ok'));
    const stack = await startStack({ ws: { server } });
    cleanup.push(() => stack.close());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as net.AddressInfo).port;
    expect(stack.contactUri('ws')).toBe(`sip:b2bua@127.0.0.1:${port};transport=ws`);
  });

  it('answers a call set up with a sips: Request-URI over TLS with a SIPS Contact (RFC 3261 12.1.1); over TCP it gets 416', async () => {
    const stack = await startStack({ tls: { cert, key, port: 0 }, trustedSources: ['127.0.0.1'] });
    cleanup.push(() => stack.close());
    stack.on('incomingCall', (c) => void c.answer(SDP(5000)).catch(() => {}));
    const invite = (proto: string, port: number, id: string) => {
      const body = SDP(4000);
      return `INVITE sips:sales@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${proto} 127.0.0.1:${port};branch=z9hG4bK${id}\r\nMax-Forwards: 70\r\n` +
        `From: <sips:a@127.0.0.1>;tag=1\r\nTo: <sips:sales@127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: 1 INVITE\r\nContact: <sips:a@127.0.0.1:${port}>\r\n` +
        `Content-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    const secure = tls.connect({ host: '127.0.0.1', port: stack.ports.tls!, rejectUnauthorized: false });
    cleanup.push(() => secure.destroy());
    await new Promise((r) => secure.once('secureConnect', r));
    let got = '';
    secure.on('data', (d) => (got += d));
    secure.write(invite('TLS', secure.localPort!, 'sips1'));
    await vi.waitFor(() => expect(got).toMatch(/SIP\/2.0 200 OK[^]*\r\n\r\n/));
    expect(got).toContain(`Contact: <sips:b2bua@127.0.0.1:${stack.ports.tls}>`);
    const plain = net.connect(stack.ports.tcp!, '127.0.0.1');
    cleanup.push(() => plain.destroy());
    await new Promise((r) => plain.once('connect', r));
    let refused = '';
    plain.on('data', (d) => (refused += d));
    plain.write(invite('TCP', plain.localPort!, 'sips2'));
    await vi.waitFor(() => expect(refused).toMatch(/^SIP\/2.0 416 Unsupported URI Scheme: sips needs TLS/));
  });

  it('drops a datagram larger than the maximum message size and closes a stream that exceeds it', async () => {
    const stack = await startStack({ maxMessageSize: 2000 });
    cleanup.push(() => stack.close());
    const ua = await new RawUdp().open();
    cleanup.push(() => ua.close());
    const big = options('UDP', ua.port, 'big').replace('Content-Length: 0', `X-Pad: ${'a'.repeat(3000)}\r\nContent-Length: 0`);
    ua.send(big, stack.ports.udp!);
    const sock = net.connect(stack.ports.tcp!, '127.0.0.1');
    cleanup.push(() => sock.destroy());
    await new Promise((r) => sock.once('connect', r));
    const closed = new Promise((r) => sock.once('close', r));
    sock.write(big);
    await closed;
    expect(stack.stats().dropped).toBe(2);
  });

  /** A TCP connection to `port`, open; `replies` collects what comes back, `closed` settles when the server closes it. */
  const tcpClient = async (port: number) => {
    const sock = net.connect(port, '127.0.0.1');
    cleanup.push(() => sock.destroy());
    let text = '';
    sock.on('data', (d) => (text += d.toString()));
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    await new Promise((r, j) => {
      sock.once('connect', r);
      sock.once('error', j);
    });
    return { sock, closed, replies: () => text };
  };
  const isClosed = (p: Promise<void>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

  it('limits the inbound connections of one address (TCP and WebSocket together) and in all, and frees a slot when one closes', async () => {
    const stack = await startStack({ ws: { port: 0 }, connections: { perSource: 3, firstMessageMs: 0 } });
    cleanup.push(() => stack.close());
    const held = [await tcpClient(stack.ports.tcp!), await tcpClient(stack.ports.tcp!)];
    const ws = new WebSocket(`ws://127.0.0.1:${stack.ports.ws}/sip`, 'sip');
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    // the fourth, over TCP or as a WebSocket, is closed at once
    const over = await tcpClient(stack.ports.tcp!);
    expect(await isClosed(over.closed, 2000)).toBe(true);
    const overWs = new WebSocket(`ws://127.0.0.1:${stack.ports.ws}/sip`, 'sip');
    cleanup.push(() => overWs.terminate());
    await new Promise((r) => overWs.once('close', r));
    expect(stack.stats().refusedConnections).toBe(2);
    // the three it holds work
    held[0]!.sock.write(options('TCP', 1, 'held0'));
    await expect.poll(() => held[0]!.replies()).toMatch(/^SIP\/2.0 200 OK/);
    expect(await isClosed(held[1]!.closed, 50)).toBe(false);
    // one goes: a new one takes its slot
    held[1]!.sock.destroy();
    await held[1]!.closed;
    await expect
      .poll(async () => {
        const next = await tcpClient(stack.ports.tcp!);
        const refused = await isClosed(next.closed, 200);
        next.sock.destroy();
        return refused;
      })
      .toBe(false);

    const capped = await startStack({ connections: { perSource: 0, total: 2, firstMessageMs: 0 } });
    cleanup.push(() => capped.close());
    const a = await tcpClient(capped.ports.tcp!);
    const b = await tcpClient(capped.ports.tcp!);
    const c = await tcpClient(capped.ports.tcp!);
    expect(await isClosed(c.closed, 2000)).toBe(true);
    expect(await isClosed(a.closed, 50)).toBe(false);
    expect(await isClosed(b.closed, 50)).toBe(false);
  });

  it('closes an inbound connection that brings no SIP message in time, or leaves a message unfinished, and keeps one that talks', async () => {
    const stack = await startStack({ ws: { port: 0 }, tls: { cert, key, port: 0 }, connections: { firstMessageMs: 400 } });
    cleanup.push(() => stack.close());
    const quiet = await tcpClient(stack.ports.tcp!);
    // a TCP connection to the TLS port that never starts its handshake
    const noHandshake = await tcpClient(stack.ports.tls!);
    const junk = await tcpClient(stack.ports.tcp!);
    junk.sock.write('hello\r\nContent-Length: 0\r\n\r\n'); // framed, but not SIP: does not count
    const talking = await tcpClient(stack.ports.tcp!);
    talking.sock.write(options('TCP', 1, 'talk1'));
    // one that talked, then begins a message and never ends it (dribbling it would hold it in memory for ever)
    const dribbling = await tcpClient(stack.ports.tcp!);
    dribbling.sock.write(options('TCP', 1, 'drib1'));
    await expect.poll(() => dribbling.replies()).toContain('Call-ID: drib1');
    dribbling.sock.write('OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKdrib2\r\n');
    const ws = new WebSocket(`ws://127.0.0.1:${stack.ports.ws}/sip`, 'sip');
    cleanup.push(() => ws.terminate());
    const wsClosed = new Promise<void>((r) => ws.once('close', () => r()));
    expect(await isClosed(quiet.closed, 3000)).toBe(true);
    expect(await isClosed(junk.closed, 1000)).toBe(true);
    expect(await isClosed(wsClosed, 1000)).toBe(true);
    expect(await isClosed(dribbling.closed, 1000)).toBe(true);
    expect(await isClosed(noHandshake.closed, 1000)).toBe(true);
    expect(await isClosed(talking.closed, 300)).toBe(false);
    talking.sock.write(options('TCP', 1, 'talk2'));
    await expect.poll(() => talking.replies()).toContain('Call-ID: talk2');
    expect(stack.stats().silentConnections).toBe(4);
    expect(stack.stats().dropped).toBe(1);
  });

  it('refuses to start on a SIP port whose TCP number is taken, naming EADDRINUSE, and leaves its UDP port free', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startStack({ udpPort: port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const again = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        again.once('error', reject);
        again.bind(port, '127.0.0.1', () => resolve());
      });
      again.close();
    } finally {
      blocker.close();
    }
  });

  it('sends the datagrams of one turn in order, and those still pending when it closes', async () => {
    const stack = await startStack();
    let closed = false;
    cleanup.push(() => closed || stack.close());
    const peer = await new RawUdp().open();
    cleanup.push(() => peer.sock.close());
    const n = 50;
    for (let i = 0; i < n; i++) {
      stack.transport.send(Buffer.from(options('UDP', peer.port, `burst-${i}`)), { protocol: 'udp', address: '127.0.0.1', port: peer.port });
    }
    // closed in the same turn: what was sent before still goes out
    closed = true;
    await stack.close();
    for (let i = 0; i < 100 && peer.inbox.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    expect(peer.inbox.map((m) => m.callId)).toEqual(Array.from({ length: n }, (_, i) => `burst-${i}`));
  });

  it('reports a UDP target with a bad port to the sender instead of throwing later', async () => {
    const stack = await startStack();
    cleanup.push(() => stack.close());
    const peer = await new RawUdp().open();
    cleanup.push(() => peer.sock.close());
    const errors: string[] = [];
    for (const port of [0, 70000]) {
      stack.transport.send(Buffer.from(options('UDP', 5060, `bad-${port}`)), { protocol: 'udp', address: '127.0.0.1', port }, (err) => errors.push(err.message));
    }
    stack.transport.send(Buffer.from(options('UDP', peer.port, 'good')), { protocol: 'udp', address: '127.0.0.1', port: peer.port });
    await peer.take((m) => m.callId === 'good');
    expect(errors).toEqual(['bad UDP port 0', 'bad UDP port 70000']);
  });

  it('gives the datagrams of one UDP peer one frozen flow, and another peer its own', async () => {
    const stack = await startStack();
    cleanup.push(() => stack.close());
    const flows: Flow[] = [];
    const handle = stack.transport.onMessage;
    stack.transport.onMessage = (msg, flow) => {
      flows.push(flow);
      handle(msg, flow);
    };
    const a = await new RawUdp().open();
    const b = await new RawUdp().open();
    cleanup.push(() => a.close(), () => b.close());
    for (const [peer, id] of [[a, 'a1'], [a, 'a2'], [b, 'b1']] as const) {
      peer.send(options('UDP', peer.port, id), stack.ports.udp!);
      expect((await peer.take((m) => m.callId === id)).status).toBe(200);
    }
    expect(flows).toHaveLength(3);
    expect(flows[1]).toBe(flows[0]);
    expect(flows[2]).not.toBe(flows[0]);
    expect(flows.map((f) => [f.protocol, f.remoteAddress, f.remotePort, f.localPort])).toEqual([
      ['udp', '127.0.0.1', a.port, stack.ports.udp],
      ['udp', '127.0.0.1', a.port, stack.ports.udp],
      ['udp', '127.0.0.1', b.port, stack.ports.udp],
    ]);
    // shared by every message of the peer: nobody may change it
    expect(Object.isFrozen(flows[0])).toBe(true);
  });

  it('survives a listener that throws', async () => {
    const stack = await startStack({ trustedSources: ['127.0.0.1'] });
    cleanup.push(() => stack.close());
    stack.on('bindingAdded', () => {
      throw new Error('listener bug');
    });
    const ua = await new RawUdp().open();
    cleanup.push(() => ua.close());
    const { register } = await import('./helpers.ts');
    ua.send(register({ port: stack.ports.udp!, user: '1001', clientPort: ua.port, callId: 'thr' }), stack.ports.udp!);
    expect((await ua.take((m) => m.callId === 'thr')).status).toBe(200);
  });
});

describe('parser properties', () => {
  it('arbitrary bytes either parse or fail with SipParseError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, datagram) => {
        try {
          const m = parseMessage(Buffer.from(bytes), { datagram, maxMessageSize: 65535 });
          if (m instanceof SipRequest) validateRequest(m);
        } catch (e) {
          if (!(e instanceof SipParseError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a serialized request parses back to the same headers and body', () => {
    const token = fc.stringMatching(/^[a-zA-Z0-9.!%*_+`'~-]{1,12}$/);
    fc.assert(
      fc.property(token, token, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.string({ maxLength: 200 }), (user, tag, seq, body) => {
        const r = new SipRequest('MESSAGE', `sip:${user}@example.com`);
        r.set('via', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc');
        r.set('from', `<sip:${user}@example.com>;tag=${tag}`);
        r.set('to', `<sip:x@example.com>`);
        r.set('call-id', `${tag}@h`);
        r.set('cseq', `${seq} MESSAGE`);
        r.set('content-type', 'text/plain;charset=utf-8');
        r.body = Buffer.from(body, 'utf8');
        const back = parseMessage(r.toBuffer(), { datagram: false }) as SipRequest;
        expect(validateRequest(back)).toBeUndefined();
        expect(back.fromTag).toBe(tag);
        expect(back.cseq.seq).toBe(seq);
        expect(back.bodyText).toBe(body);
      }),
      { numRuns: 500 },
    );
  });

  it('compact header names and comma-separated values are read like long names and repeated headers', () => {
    const raw = 'INVITE sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h1;branch=z9hG4bK1, SIP/2.0/TCP h2;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP h3;branch=z9hG4bK3\r\nf: <sip:x@y>;tag=1\r\nt: "A, B" <sip:a@b>\r\ni: c1\r\nCSeq: 1 INVITE\r\nm: <sip:x@h>;q=0.5, "Display, Name" <sip:y@h>\r\nl: 0\r\n\r\n';
    const m = parseMessage(Buffer.from(raw), { datagram: true }) as SipRequest;
    expect(m.getAll('via')).toHaveLength(3);
    expect(m.getAll('contact')).toEqual(['<sip:x@h>;q=0.5', '"Display, Name" <sip:y@h>']);
    expect(m.to.displayName).toBe('A, B');
    expect(validateRequest(m)).toBeUndefined();
  });

});
