// A SIP caller in a process of its own (so that it keeps its timing while the server's event loop is blocked):
// sends `count` INVITEs over UDP, one every `gapMs`, retransmits each one like RFC 3261 timer A (500 ms, doubling)
// until any response comes, ACKs the final responses (non-2xx), and prints one JSON line when every call has its final
// response or `giveUpMs` has passed: { finals: { "486": n, "503": m }, unanswered, retransmissions }.
// Usage: node udp-caller.mjs <port> <count> <gapMs> [giveUpMs]
import dgram from 'node:dgram';

const [port, count, gapMs, giveUpMs = '15000'] = process.argv.slice(2).map(Number);
const sock = dgram.createSocket('udp4');
const calls = new Map();
const finals = {};
let retransmissions = 0;
let sent = 0;

function invite(n, local) {
  return [
    `INVITE sip:queue@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-flood-${process.pid}-${n};rport`,
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1>;tag=f${n}`,
    `To: <sip:queue@127.0.0.1>`,
    `Call-ID: flood-${process.pid}-${n}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller@127.0.0.1:${local}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function ack(n, local, toHeader) {
  return [
    `ACK sip:queue@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-flood-${process.pid}-${n};rport`,
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1>;tag=f${n}`,
    toHeader,
    `Call-ID: flood-${process.pid}-${n}`,
    'CSeq: 1 ACK',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function finish() {
  const unanswered = [...calls.values()].filter((c) => c.final === undefined).length;
  process.stdout.write(`${JSON.stringify({ finals, unanswered, retransmissions })}\n`);
  sock.close();
  process.exit(0);
}

sock.on('message', (buf) => {
  const text = buf.toString();
  const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1]);
  const n = Number(/Call-ID: flood-\d+-(\d+)/i.exec(text)?.[1]);
  const call = calls.get(n);
  if (!call || !status) return;
  call.answered = true;
  if (status < 200 || call.final !== undefined) return;
  call.final = status;
  clearTimeout(call.timer);
  finals[status] = (finals[status] ?? 0) + 1;
  const to = /^(To|t):.*$/im.exec(text)?.[0] ?? 'To: <sip:queue@127.0.0.1>';
  if (status >= 300) sock.send(ack(n, sock.address().port, to), port, '127.0.0.1');
  if ([...calls.values()].every((c) => c.final !== undefined) && sent === count) finish();
});

sock.bind(0, '127.0.0.1', () => {
  const local = sock.address().port;
  const start = (n) => {
    const text = invite(n, local);
    const call = { final: undefined, answered: false, timer: undefined };
    calls.set(n, call);
    let wait = 500;
    const retransmit = () => {
      if (call.answered) return;
      retransmissions++;
      sock.send(text, port, '127.0.0.1');
      wait *= 2;
      call.timer = setTimeout(retransmit, wait);
    };
    sock.send(text, port, '127.0.0.1');
    call.timer = setTimeout(retransmit, wait);
  };
  const tick = setInterval(() => {
    start(sent++);
    if (sent === count) clearInterval(tick);
  }, gapMs);
  setTimeout(finish, giveUpMs);
});
