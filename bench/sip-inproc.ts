/**
 * Profiling aid for the SIP stack's own CPU cost: `npx tsx bench/sip-inproc.ts [calls]` (add `node --cpu-prof
 * --import tsx` to profile). The same call flow as bench:sip (INVITE/100/180/200/ACK/BYE/200 through the B2BUA's
 * fixed test route), but the two sipp peers are simulated in this process and datagrams are handed to the
 * transport layer directly instead of going through the kernel, so what it prints is our parse / transaction /
 * dialog / B2BUA / serialize work per call, without syscalls and without competing for the CPU with sipp.
 * It is not the benchmark of the issue (that is bench/sip.ts with real sipp over UDP).
 * It also prints what a finished call keeps while its transactions linger (heap after GC per lingering call), and
 * with SIP_INPROC_ALLOC=1 the bytes allocated per call and where (V8's sampling heap profiler, garbage included;
 * SIP_INPROC_ALLOC=survivors counts only what outlived the young generation's collections, SIP_INPROC_TOP=N sites).
 * SIP_INPROC_WINDOW=N: calls in progress at once (default 200; bench:sip at 3 000 calls/s has a few dozen).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { createSipServer, MemoryCredentialStore } from '../sip/index.ts';
import type { SendTarget } from '../sip/transport/flow.ts';
import { startTestRouter } from './sip-router.ts';

const CALLS = Number(process.argv[2] ?? 100_000);
const WINDOW = Number(process.env.SIP_INPROC_WINDOW ?? 200);
const IP = '127.0.0.1';
const UAC_PORT = 20000;
const UAS_PORT = 20002;

const stack = createSipServer({ host: IP, udpPort: 0, realm: 'bench.local', trustedSources: [IP], logger: pino({ level: 'warn' }), credentials: new MemoryCredentialStore() });
await stack.start();
startTestRouter(stack, () => `sip:bench@${IP}:${UAS_PORT}`);
const ourPort = stack.ports.udp!;

const outbox: Array<{ data: Buffer; port: number }> = [];
const transport = stack.transport as unknown as {
  send(data: Buffer, target: SendTarget): void;
  receive(buf: Buffer, datagram: boolean, flow: object): void;
};
transport.send = (data, target) => void outbox.push({ data, port: target.port });
const deliver = (text: string, fromPort: number): void =>
  transport.receive(Buffer.from(text), true, { protocol: 'udp', remoteAddress: IP, remotePort: fromPort, localAddress: IP, localPort: ourPort, connectionId: undefined });

const header = (msg: string, name: string): string => {
  const i = msg.indexOf(`\r\n${name}: `);
  return msg.slice(i + name.length + 4, msg.indexOf('\r\n', i + 2));
};
const allVias = (msg: string): string =>
  msg
    .split('\r\n')
    .filter((l) => l.startsWith('Via: ') || l.startsWith('v: '))
    .join('\r\n');
const SDP = 'v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

let started = 0;
let done = 0;
function startCall(): void {
  const n = started++;
  deliver(
    `INVITE sip:bench@${IP}:${ourPort} SIP/2.0\r\nVia: SIP/2.0/UDP ${IP}:${UAC_PORT};branch=z9hG4bK-${n}-1\r\nFrom: sipp <sip:sipp@${IP}:${UAC_PORT}>;tag=${n}SIPpTag001\r\n` +
      `To: <sip:bench@${IP}:${ourPort}>\r\nCall-ID: ${n}-bench@${IP}\r\nCSeq: 1 INVITE\r\nContact: <sip:sipp@${IP}:${UAC_PORT}>\r\nMax-Forwards: 70\r\n` +
      `Content-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`,
    UAC_PORT,
  );
}

/** The simulated sipp UAS: 180 + 200 to an INVITE, 200 to a BYE. */
function uas(msg: string): void {
  const method = msg.slice(0, msg.indexOf(' '));
  if (method === 'ACK') return;
  const common = `${allVias(msg)}\r\nFrom: ${header(msg, 'From')}\r\nTo: ${header(msg, 'To')}${method === 'INVITE' ? ';tag=uas1' : ''}\r\nCall-ID: ${header(msg, 'Call-ID')}\r\nCSeq: ${header(msg, 'CSeq')}\r\n`;
  if (method === 'INVITE') {
    deliver(`SIP/2.0 180 Ringing\r\n${common}Contact: <sip:uas@${IP}:${UAS_PORT}>\r\nContent-Length: 0\r\n\r\n`, UAS_PORT);
    deliver(`SIP/2.0 200 OK\r\n${common}Contact: <sip:uas@${IP}:${UAS_PORT}>\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`, UAS_PORT);
  } else {
    deliver(`SIP/2.0 200 OK\r\n${common}Content-Length: 0\r\n\r\n`, UAS_PORT);
  }
}

/** The simulated sipp UAC: ACK and BYE after the 200 to its INVITE; the 200 to its BYE ends the call. */
function uac(msg: string): void {
  if (!msg.startsWith('SIP/2.0 200')) return;
  const cseq = header(msg, 'CSeq');
  if (cseq.endsWith('BYE')) {
    done++;
    return;
  }
  const contact = header(msg, 'Contact');
  const target = contact.slice(contact.indexOf('<') + 1, contact.indexOf('>'));
  const n = header(msg, 'Call-ID').split('-')[0];
  const dialog = `From: ${header(msg, 'From')}\r\nTo: ${header(msg, 'To')}\r\nCall-ID: ${header(msg, 'Call-ID')}\r\n`;
  deliver(`ACK ${target} SIP/2.0\r\nVia: SIP/2.0/UDP ${IP}:${UAC_PORT};branch=z9hG4bK-${n}-2\r\n${dialog}CSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`, UAC_PORT);
  deliver(`BYE ${target} SIP/2.0\r\nVia: SIP/2.0/UDP ${IP}:${UAC_PORT};branch=z9hG4bK-${n}-3\r\n${dialog}CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`, UAC_PORT);
}

function pump(): void {
  while (outbox.length > 0) {
    const { data, port } = outbox.shift()!;
    const text = data.toString('utf8');
    if (port === UAS_PORT) uas(text);
    else if (port === UAC_PORT) uac(text);
  }
}

async function run(calls: number): Promise<number> {
  const goal = done + calls;
  const cpu0 = process.cpuUsage();
  while (done < goal) {
    while (started - done < WINDOW && started < goal) startCall();
    pump();
    await new Promise((r) => setImmediate(r)); // let promise continuations (answer on ACK) run
    pump();
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / calls;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const heapAtStart = heapAfterGc();

await run(Math.min(20_000, CALLS)); // warm-up
const sampling = process.env.SIP_INPROC_ALLOC !== undefined ? await startAllocationSampling() : undefined;
const { PerformanceObserver, constants } = await import('node:perf_hooks');
const gcMs = { minor: 0, major: 0, other: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcMs.minor += e.duration;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcMs.major += e.duration;
    else gcMs.other += e.duration;
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
const us = await run(CALLS);
gcObserver.disconnect();
if (sampling !== undefined) await sampling.report(CALLS);
const mem = process.memoryUsage();
console.log(`gc pauses per call: minor ${((gcMs.minor * 1000) / CALLS).toFixed(1)} µs, major ${((gcMs.major * 1000) / CALLS).toFixed(1)} µs, other ${((gcMs.other * 1000) / CALLS).toFixed(1)} µs`);
console.log(`in-process B2BUA: ${CALLS} calls, ${us.toFixed(1)} µs CPU per call (${Math.round(1e6 / us)} calls/s on one core without I/O); ` +
  `heap ${Math.round(mem.heapUsed / 1048576)} MB, external ${Math.round(mem.external / 1048576)} MB, ${JSON.stringify(stack.stats())}`);
// What a finished call leaves behind while its transactions linger (RFC 3261 timers J, L, M: 32 s): every call of
// the run still lingers unless the run took longer than that. Two server transactions per call (INVITE, BYE).
const lingeringCalls = stack.stats().serverTransactions / 2;
console.log(`held while lingering: ${Math.round((heapAfterGc() - heapAtStart) / lingeringCalls)} bytes per finished call (${lingeringCalls} calls lingering)`);
await stack.close();
process.exit(0);

/**
 * SIP_INPROC_ALLOC=1: V8's sampling heap profiler over the measured run, garbage included; prints bytes
 * allocated per call and the functions that allocate most (built-ins under their caller).
 */
async function startAllocationSampling(): Promise<{ report(calls: number): Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMinorGC: process.env.SIP_INPROC_ALLOC !== 'survivors', includeObjectsCollectedByMajorGC: true });
  return {
    async report(calls: number): Promise<void> {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      const bySite = new Map<string, number>();
      let total = 0;
      const walk = (node: typeof profile.head, caller: string): void => {
        const f = node.callFrame;
        const own = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
        const builtin = f.url === '' || f.url.startsWith('node:');
        const site = builtin ? `${own} <- ${caller}` : own;
        total += node.selfSize;
        bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
        for (const child of node.children) walk(child, builtin ? caller : own);
      };
      walk(profile.head, '');
      console.log(`allocated: ${Math.round(total / calls)} bytes per call (sampled); most:`);
      for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.SIP_INPROC_TOP ?? 25))) console.log(`  ${String(Math.round(bytes / calls)).padStart(7)} ${site}`);
      session.disconnect();
    },
  };
}
