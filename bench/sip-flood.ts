/**
 * Profiling aid: what a flood of requests without credentials leaves behind in the SIP stack.
 *   scripts/in-netns.sh node --expose-gc --import tsx bench/sip-flood.ts [requests] [REGISTER|OPTIONS]
 * Sends `requests` (default 100 000) REGISTERs without credentials (or OPTIONS) as fast as one socket can, from
 * different user names and branches, to a stack in this process; two seconds after, prints how many were answered,
 * the server transactions left and the heap they keep (after a full GC), per request. The stack answers these
 * statelessly (sip/stack.ts answerStatelessly): nothing should be kept. Datagrams the kernel drops while the stack is
 * busy are not answered; the figure per request counts the answered ones.
 */
import dgram from 'node:dgram';
import { pino } from 'pino';
import { createSipServer, MemoryCredentialStore } from '../sip/index.ts';

if (process.env.CALLFLOW_NETNS !== '1') {
  console.error('run through scripts/in-netns.sh (loopback-only namespace)');
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const N = Number(process.argv[2] ?? 100_000);
const method = process.argv[3] === 'OPTIONS' ? 'OPTIONS' : 'REGISTER';
const stack = createSipServer({
  host: '127.0.0.1', udpPort: 0, realm: 'flood.test', logger: pino({ level: 'silent' }), credentials: new MemoryCredentialStore(), overload: { maxLoad: 0 },
});
await stack.start();
const port = stack.ports.udp!;
const sock = dgram.createSocket('udp4');
await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
const from = sock.address().port;
let answered = 0;
sock.on('message', () => answered++);
gc();
const before = process.memoryUsage().heapUsed;
let sent = 0;
await new Promise<void>((resolve) => {
  const burst = (): void => {
    for (let i = 0; i < 200 && sent < N; i++, sent++) {
      const id = `flood${sent}`;
      const extra = method === 'REGISTER' ? `Contact: <sip:u${sent}@127.0.0.1:${from}>\r\n` : '';
      sock.send(
        `${method} sip:flood.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${from};branch=z9hG4bK${id}\r\nFrom: <sip:u${sent}@flood.test>;tag=${id}\r\n` +
          `To: <sip:u${sent}@flood.test>\r\nCall-ID: ${id}\r\nCSeq: 1 ${method}\r\n${extra}Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
        port,
        '127.0.0.1',
      );
    }
    if (sent < N) setImmediate(burst);
    else resolve();
  };
  burst();
});
await new Promise((r) => setTimeout(r, 2000));
gc();
const kept = process.memoryUsage().heapUsed - before;
const s = stack.stats();
console.log(JSON.stringify({ method, sent: N, answered, serverTransactions: s.serverTransactions, heapKeptMB: +(kept / 1e6).toFixed(1), bytesPerAnswered: Math.round(kept / Math.max(1, answered)) }));
sock.close();
await stack.close();
