import proxyAddr from '@fastify/proxy-addr';
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { SipResponse } from '../../sip/message/message.ts';
import { parseMessage } from '../../sip/message/parser.ts';
import { digestResponse, register, startStack } from './helpers.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/**
 * SIP over WebSocket behind a reverse proxy (TRUSTED_PROXIES): the digest lockout counts failures per client
 * address as the trusted proxy reports it in X-Forwarded-For, so one client guessing passwords does not lock out
 * every browser behind the proxy; without a trusted proxy the header is ignored (a client cannot dodge the lockout).
 */
describe('SIP over WebSocket through a reverse proxy', () => {
  async function wsStack(trustLoopbackProxy: boolean): Promise<string> {
    const server = http.createServer((_q, s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => server.close(r)));
    // (As server/server.ts wires it from TRUSTED_PROXIES.)
    const trust = proxyAddr.compile(['127.0.0.1']);
    const stack = await startStack({
      ws: { server, ...(trustLoopbackProxy ? { clientAddress: (req: http.IncomingMessage) => proxyAddr(req, trust) } : {}) },
      lockout: { maxFailures: 2, lockMs: 60_000 },
    });
    cleanup.push(() => stack.close());
    return `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/sip`;
  }

  /** A browser behind the proxy (forwardedFor) that REGISTERs over its WebSocket; answers the status. */
  async function client(url: string, forwardedFor?: string) {
    const ws = new WebSocket(url, 'sip', forwardedFor === undefined ? {} : { headers: { 'X-Forwarded-For': forwardedFor } });
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    let n = 0;
    const send = async (password?: string): Promise<number> => {
      const callId = `ws-${forwardedFor ?? 'proxy'}-${++n}`;
      const reply = () =>
        new Promise<SipResponse>((resolve) =>
          ws.once('message', (d) => resolve(parseMessage(Buffer.from(d.toString()), { datagram: false }) as SipResponse)),
        );
      let res = reply();
      ws.send(register({ port: 5060, user: '1001', clientPort: 5999, callId, ua: 'Browser/1' }));
      const challenge = await res;
      if (password === undefined || challenge.status !== 401) return challenge.status;
      const auth = digestResponse(challenge.getAll('www-authenticate')[0]!, { method: 'REGISTER', uri: 'sip:127.0.0.1:5060', user: '1001', password });
      res = reply();
      ws.send(register({ port: 5060, user: '1001', clientPort: 5999, callId, cseq: 2, auth, ua: 'Browser/1' }));
      return (await res).status;
    };
    return { send };
  }

  it('locks out the guessing client only, by the address the trusted proxy reports', async () => {
    const url = await wsStack(true);
    const guesser = await client(url, '198.51.100.7');
    expect(await guesser.send('wrong')).toBe(401);
    expect(await guesser.send('wrong')).toBe(401);
    expect(await guesser.send()).toBe(403);
    expect(await (await client(url, '198.51.100.7')).send()).toBe(403); // a new connection from the same client
    expect(await (await client(url, '198.51.100.8')).send('secret')).toBe(200); // another browser behind the proxy
    expect(await (await client(url)).send()).toBe(401); // the proxy itself is not locked out
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const url = await wsStack(false);
    const guesser = await client(url, '198.51.100.7');
    expect(await guesser.send('wrong')).toBe(401);
    expect(await guesser.send('wrong')).toBe(401);
    expect(await (await client(url, '198.51.100.9')).send('secret')).toBe(403);
  });
});
