import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { parseMessage } from '../message/parser.ts';
import { SipRequest, type SipMessage } from '../message/message.ts';
import { SipError, type MessageProblem } from '../message/errors.ts';
import { StreamFramer } from './stream-framer.ts';
import type { Flow, SendTarget, TransportProtocol } from './flow.ts';

export interface TransportOptions {
  host: string;
  udpPort: number;
  /** defaults to the UDP port number */
  tcpPort?: number | undefined;
  ws?:
    | {
        server?: http.Server | https.Server;
        port?: number;
        path?: string;
        /** The client's address from a WebSocket's HTTP upgrade request (e.g. X-Forwarded-For from a trusted proxy). */
        clientAddress?: (req: http.IncomingMessage) => string;
      }
    | undefined;
  tls?: { cert: string | Buffer; key: string | Buffer; port: number; wssPort?: number } | undefined;
  maxMessageSize: number;
  logger: Logger;
  /**
   * WebSocket keep-alive: a ping to every SIP WebSocket this often; one that has not answered the previous ping
   * (pong) by then is closed (a browser whose network vanished sends no close, and its TCP connection could stay
   * up for hours). Default 30 000; 0 = off.
   */
  wsPingMs?: number;
  /** Limits on inbound connections (TCP, TLS, WebSocket); see ConnectionLimits. */
  connections?: ConnectionLimits;
}

/**
 * What keeps a flood of connections from taking the process's file descriptors (and with them the database's and the
 * HTTP port's): inbound connections that one address holds at once, connections in all, and how long a new
 * connection may take to deliver its first SIP message (an idle or slowly dribbling one is closed). Connections we open
 * ourselves (to a phone's or a trunk's TCP/TLS address) count in the total only.
 */
export interface ConnectionLimits {
  /** inbound connections one address (the client's, behind a trusted proxy) may hold at once; default 1 000, 0 = no limit */
  perSource?: number;
  /** connections in all; default 20 000, 0 = no limit */
  total?: number;
  /**
   * an inbound connection that has not brought a SIP message this long after it opened is closed, and so is any TCP or
   * TLS connection that holds a message begun this long ago and not ended (one dribbled a few bytes at a time);
   * default 30 000 ms, 0 = never
   */
  firstMessageMs?: number;
}

export interface TransportStats {
  received: number;
  sent: number;
  /** datagrams / frames / streams that could not be parsed and were dropped */
  dropped: number;
  /** inbound connections closed at once: over ConnectionLimits.perSource or .total */
  refusedConnections: number;
  /** connections closed because no SIP message came, or a message begun did not end, within ConnectionLimits.firstMessageMs */
  silentConnections: number;
}

interface Connection {
  id: string;
  protocol: TransportProtocol;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  clientAddress?: string | undefined;
  /** the address its slot of ConnectionLimits.perSource is counted under; undefined: not counted (we opened it) */
  source?: string | undefined;
  /** closes the connection unless cleared in time (see arm: no message yet, or one begun and not ended) */
  deadline?: NodeJS.Timeout | undefined;
  write(data: Buffer): void;
  close(): void;
}


export type MessageHandler = (msg: SipMessage, flow: Flow) => void;

/**
 * The transport layer (RFC 3261 18): owns the sockets, frames and parses inbound messages, stamps
 * received/rport on requests (RFC 3581 4), and sends on the right socket or connection. Requests to a
 * WebSocket client can only go down that client's own connection (RFC 7118 5).
 */
export class TransportLayer {
  readonly stats: TransportStats = { received: 0, sent: 0, dropped: 0, refusedConnections: 0, silentConnections: 0 };
  onMessage: MessageHandler = () => {};
  onConnectionClosed: (connectionId: string) => void = () => {};
  private udp: dgram.Socket | undefined;
  /**
   * Datagrams to send at the end of this turn of the event loop, in order. Sent one by one as they were made, each
   * woke the peer anew (a loopback or LAN peer such as sipp or a PBX handles a datagram faster than we make the
   * next, and goes back to sleep): waking a sleeping process costs the sender the kernel's wake-up, which on a
   * virtual machine is an inter-processor interrupt through the hypervisor, measured with bench:sip at a third of
   * the B2BUA's CPU. Sent together after the turn's received datagrams are handled (libuv reads up to 32 per
   * turn), a burst wakes the peer once.
   */
  private readonly udpData: Buffer[] = [];
  private readonly udpPorts: number[] = [];
  private readonly udpAddresses: string[] = [];
  private udpFlush: NodeJS.Immediate | undefined;
  private readonly flushUdp = (): void => {
    this.udpFlush = undefined;
    const udp = this.udp;
    const data = this.udpData;
    for (let i = 0; i < data.length; i++) {
      try {
        udp?.send(data[i]!, this.udpPorts[i]!, this.udpAddresses[i]!);
      } catch (err) {
        // (a datagram is fire-and-forget: one that cannot go is dropped, the others still go)
        this.opts.logger.debug({ err: (err as Error).message }, 'udp send failed');
      }
    }
    data.length = 0;
    this.udpPorts.length = 0;
    this.udpAddresses.length = 0;
  };
  private tcpServer: net.Server | undefined;
  private tlsServer: tls.Server | undefined;
  private wsServer: WebSocketServer | undefined;
  private wssServer: WebSocketServer | undefined;
  /** WebSockets pinged and not answered yet (see wsPingMs) */
  private readonly unanswered = new WeakSet<WebSocket>();
  private pingTimer: NodeJS.Timeout | undefined;
  private ownHttp: http.Server | undefined;
  /** the application's HTTP server, when SIP over WebSocket shares its port */
  private sharedHttp: { address(): ReturnType<net.Server['address']> } | undefined;
  private ownHttps: https.Server | undefined;
  private upgradeListener: ((req: http.IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
  private readonly connections = new Map<string, Connection>();
  /** protocol:address:port -> connection id */
  private readonly byRemote = new Map<string, string>();
  private nextConnId = 1;
  /** inbound connections held per source address (see ConnectionLimits) */
  private readonly perSource = new Map<string, number>();
  private readonly limits: Required<ConnectionLimits>;
  private lastRefusalLog = 0;
  private closed = false;
  /** bound ports, known after start() */
  readonly ports: Partial<Record<TransportProtocol, number>> = {};

  /**
   * One frozen Flow per UDP peer (address, then port), shared by all its datagrams: a server transaction keeps its
   * request's flow while it lingers (up to 32 s), and a flow and an address string per datagram was some 150 bytes per
   * call kept that long. At most MAX_UDP_FLOWS in all (then the cache starts over: a flood from spoofed sources cannot
   * grow it).
   */
  private readonly udpFlows = new Map<string, Map<number, Flow>>();
  private udpFlowCount = 0;

  constructor(private readonly opts: TransportOptions) {
    const c = opts.connections ?? {};
    this.limits = { perSource: c.perSource ?? 1000, total: c.total ?? 20_000, firstMessageMs: c.firstMessageMs ?? 30_000 };
  }

  private udpFlow(address: string, port: number): Flow {
    let flow = this.udpFlows.get(address)?.get(port);
    if (flow !== undefined) return flow;
    if (this.udpFlowCount >= MAX_UDP_FLOWS) {
      this.udpFlows.clear();
      this.udpFlowCount = 0;
    }
    let byPort = this.udpFlows.get(address);
    if (byPort === undefined) {
      byPort = new Map();
      this.udpFlows.set(address, byPort);
    }
    flow = Object.freeze({ protocol: 'udp', remoteAddress: address, remotePort: port, localAddress: this.opts.host, localPort: this.ports.udp ?? 0, connectionId: undefined });
    byPort.set(port, flow);
    this.udpFlowCount++;
    return flow;
  }

  /** The UDP socket on udpPort (0: any free port), with large buffers (see start). */
  private async bindUdp(): Promise<dgram.Socket> {
    const host = this.opts.host;
    const udp = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false, lookup: literalLookup });
    udp.on('message', (buf, rinfo) => this.receive(buf, true, this.udpFlow(rinfo.address, rinfo.port)));
    udp.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'udp socket error'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.opts.udpPort, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    try {
      udp.setRecvBufferSize(UDP_BUFFER_BYTES);
      udp.setSendBufferSize(UDP_BUFFER_BYTES);
    } catch {
      // the kernel may cap buffer sizes; defaults still work
    }
    return udp;
  }

  async start(): Promise<void> {
    const { host } = this.opts;
    // UDP and TCP on the same port number unless tcpPort says otherwise. With port 0 the kernel picks a free UDP
    // port, whose number TCP may have in use (a connection's local port elsewhere): then pick again.
    this.tcpServer = net.createServer((sock) => this.acceptInbound(sock, 'tcp'));
    const sameAsUdp = this.opts.tcpPort === undefined || this.opts.tcpPort === this.opts.udpPort;
    for (let attempt = 1; ; attempt++) {
      const udp = await this.bindUdp();
      try {
        this.ports.tcp = await listen(this.tcpServer, sameAsUdp ? udp.address().port : this.opts.tcpPort!, host);
        this.udp = udp;
        this.ports.udp = udp.address().port;
        break;
      } catch (err) {
        udp.close();
        const retry = this.opts.udpPort === 0 && sameAsUdp && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20;
        if (!retry) throw err;
      }
    }
    // A datagram takes some 2.7 kB of receive buffer (measured on loopback with 500-byte messages): 8 MB holds
    // about 3 000, a fifth of a second at 2 500 calls/s. The kernel caps the size at net.core.rmem_max (Debian's
    // default gives some 150 datagrams: a 10 ms pause under load then drops requests, which come back as
    // retransmissions half a second later); the operator is told once at start.
    const pingMs = this.opts.wsPingMs ?? 30_000;
    if (pingMs > 0 && (this.opts.ws !== undefined || this.opts.tls !== undefined)) {
      this.pingTimer = setInterval(() => this.pingWebSockets(), pingMs);
      this.pingTimer.unref();
    }
    const got = this.udp.getRecvBufferSize();
    if (got < UDP_BUFFER_BYTES) {
      this.opts.logger.warn(
        { requested: UDP_BUFFER_BYTES, got },
        `SIP UDP receive buffer is ${Math.round(got / 1024)} kB (net.core.rmem_max caps it): bursts may drop datagrams; raise it with sysctl -w net.core.rmem_max=${UDP_BUFFER_BYTES / 2}`,
      );
    }

    const ws = this.opts.ws;
    if (ws) {
      const path = ws.path ?? '/sip';
      this.wsServer = this.makeWsServer('ws');
      const server = ws.server ?? (this.ownHttp = http.createServer((_req, res) => res.writeHead(426).end()));
      this.upgradeListener = (req, socket, head) => {
        const url = (req.url ?? '').split('?')[0];
        if (url !== path) return; // other upgrade paths belong to other handlers
        this.wsServer!.handleUpgrade(req, socket, head, (client) => this.wsServer!.emit('connection', client, req));
      };
      server.on('upgrade', this.upgradeListener);
      if (this.ownHttp) this.ports.ws = await listen(this.ownHttp, ws.port ?? 0, host);
      else {
        // (the HTTP server may start listening after us: then sentBy reads its port when first asked)
        this.sharedHttp = server;
        this.wsPortOf();
      }
    }
    const t = this.opts.tls;
    if (t) {
      // the TLS handshake counts in the time a connection has to bring its first message (Node's default is 120 s, during
      // which a connection that never completes its handshake is not yet counted in the limits)
      const handshakeTimeout = this.limits.firstMessageMs > 0 ? this.limits.firstMessageMs : 120_000;
      this.tlsServer = tls.createServer({ cert: t.cert, key: t.key, handshakeTimeout }, (sock) => this.acceptInbound(sock, 'tls'));
      // (Node 20 only reports a handshake that timed out or failed; the connection stays open unless closed here)
      const dropFailedHandshake = (_err: Error, sock: Duplex): void => void sock.destroy();
      this.tlsServer.on('tlsClientError', dropFailedHandshake);
      this.ports.tls = await listen(this.tlsServer, t.port, host);
      if (t.wssPort !== undefined) {
        this.wssServer = this.makeWsServer('wss');
        this.ownHttps = https.createServer({ cert: t.cert, key: t.key, handshakeTimeout }, (_req, res) => res.writeHead(426).end());
        this.ownHttps.on('tlsClientError', dropFailedHandshake);
        const path = ws?.path ?? '/sip';
        this.ownHttps.on('upgrade', (req, socket, head) => {
          if ((req.url ?? '').split('?')[0] !== path) return socket.destroy();
          this.wssServer!.handleUpgrade(req, socket, head, (client) => this.wssServer!.emit('connection', client, req));
        });
        this.ports.wss = await listen(this.ownHttps, t.wssPort, host);
      }
    }
  }

  /** sent-by host and port for our Via on `protocol`. */
  sentBy(protocol: TransportProtocol): { host: string; port: number } {
    if (protocol === 'ws' && this.ports.ws === undefined) this.wsPortOf();
    return { host: this.opts.host, port: this.ports[protocol] ?? this.ports.udp ?? 5060 };
  }

  /** The port of the HTTP server that SIP over WebSocket shares, once it listens. */
  private wsPortOf(): void {
    const a = this.sharedHttp?.address();
    if (a && typeof a === 'object') this.ports.ws = a.port;
  }

  hasConnection(id: string): boolean {
    return this.connections.has(id);
  }

  /**
   * Sends raw bytes. Connection-oriented targets reuse a live connection or open one (TCP/TLS only); `onError`
   * hears of a failure there. UDP sends are fire-and-forget, as datagrams are.
   */
  send(data: Buffer, target: SendTarget, onError?: (err: Error) => void): void {
    if (this.closed) return failLater(onError, 'transport closed');
    this.stats.sent++;
    if (target.protocol === 'udp') {
      if (!this.udp) return failLater(onError, 'udp not started');
      // (checked now: dgram would throw in the deferred send, where nobody could hear of it)
      if (!(Number.isInteger(target.port) && target.port > 0 && target.port < 65536)) return failLater(onError, `bad UDP port ${target.port}`);
      this.udpData.push(data);
      this.udpPorts.push(target.port);
      this.udpAddresses.push(target.address);
      this.udpFlush ??= setImmediate(this.flushUdp);
      return;
    }
    this.sendStream(data, target).catch((err: Error) => onError?.(err));
  }

  private async sendStream(data: Buffer, target: SendTarget): Promise<void> {
    let conn = target.connectionId !== undefined ? this.connections.get(target.connectionId) : undefined;
    if (!conn) {
      const id = this.byRemote.get(`${target.protocol}:${target.address}:${target.port}`);
      if (id !== undefined) conn = this.connections.get(id);
    }
    if (!conn) {
      if (target.protocol === 'ws' || target.protocol === 'wss') {
        throw new SipError('SIP_ERR_TRANSPORT', 'WebSocket flow is gone', 430);
      }
      conn = await this.connect(target.protocol as 'tcp' | 'tls', target.address, target.port);
    }
    conn.write(data);
  }

  private connect(protocol: 'tcp' | 'tls', address: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const sock =
        protocol === 'tcp'
          ? net.connect({ host: address, port })
          : tls.connect({ host: address, port, rejectUnauthorized: false });
      const onError = (err: Error): void => reject(new SipError('SIP_ERR_TRANSPORT', `connect ${address}:${port}: ${err.message}`, 503));
      sock.once('error', onError);
      sock.once(protocol === 'tcp' ? 'connect' : 'secureConnect', () => {
        sock.off('error', onError);
        resolve(this.acceptStream(sock, protocol));
      });
    });
  }

  /** An inbound TCP or TLS connection: counted against the limits, and closed when it brings no message in time. */
  private acceptInbound(sock: net.Socket, protocol: 'tcp' | 'tls'): void {
    const source = normalizeAddress(sock.remoteAddress ?? '');
    if (!this.admit(source)) {
      sock.destroy();
      return;
    }
    this.acceptStream(sock, protocol, source);
  }

  /**
   * Frames and reads a stream connection. `source`: an inbound connection's counted address; it must bring a SIP message
   * within firstMessageMs (one we opened, without a source, may stay quiet until we send).
   */
  private acceptStream(sock: net.Socket, protocol: 'tcp' | 'tls', source?: string): Connection {
    const id = `${protocol}-${this.nextConnId++}`;
    sock.setNoDelay(true);
    const conn: Connection = {
      id,
      protocol,
      remoteAddress: normalizeAddress(sock.remoteAddress ?? ''),
      remotePort: sock.remotePort ?? 0,
      localAddress: normalizeAddress(sock.localAddress ?? ''),
      localPort: sock.localPort ?? 0,
      source,
      write: (d) => void sock.write(d),
      close: () => sock.destroy(),
    };
    this.register(conn);
    const flow = flowOf(conn);
    // an inbound connection must bring a SIP message in time; one we opened may stay quiet until we send
    let heard = source === undefined;
    if (!heard) this.arm(conn);
    const framer = new StreamFramer(
      this.opts.maxMessageSize,
      (msg) => {
        if (this.receive(msg, false, flow)) heard = true;
      },
      () => sock.write('\r\n'),
      // answered from its header block alone (RFC 3261 18.3: a stream message needs its Content-Length; 21.5.11)
      // (a header block itself over the limit is not read: the connection's closing counts it)
      (head, why) => {
        if (head.length <= this.opts.maxMessageSize) this.receive(head, why === 'too-large', flow, why === 'too-large' ? TOO_LARGE : undefined);
      },
    );
    const onData = (chunk: Buffer): void => {
      try {
        framer.push(chunk);
      } catch (err) {
        this.stats.dropped++;
        this.opts.logger.debug({ err: (err as Error).message, connectionId: id }, 'closing unframeable stream');
        // nothing more is read; what the messages before it are still owed (a 401 after the credentials' lookup,
        // the 400 or 513 just sent) goes out before the connection closes
        sock.off('data', onData);
        sock.pause();
        setTimeout(() => sock.end(() => sock.destroy()), UNFRAMEABLE_GRACE_MS).unref();
        return;
      }
      // and a message begun must end in time (what a peer dribbles is held in memory, up to maxMessageSize)
      if (heard && !framer.holding) this.disarm(conn);
      else this.arm(conn);
    };
    sock.on('data', onData);
    sock.on('error', () => {});
    sock.on('close', () => this.unregister(conn));
    return conn;
  }

  /** Takes a slot for a new inbound connection from `source`, or refuses it (counted, logged at most once a minute). */
  private admit(source: string): boolean {
    const { perSource, total } = this.limits;
    const held = this.perSource.get(source) ?? 0;
    if ((perSource > 0 && held >= perSource) || (total > 0 && this.connections.size >= total)) {
      this.stats.refusedConnections++;
      const now = Date.now();
      if (now - this.lastRefusalLog >= 60_000) {
        this.lastRefusalLog = now;
        this.opts.logger.warn(
          { source, held, perSource, connections: this.connections.size, total, refused: this.stats.refusedConnections },
          'refusing SIP connections: over the limit per address or in all (logged at most once a minute)',
        );
      }
      return false;
    }
    this.perSource.set(source, held + 1);
    return true;
  }

  /**
   * Closes `conn` firstMessageMs from now unless disarmed first: while an inbound connection has brought no SIP message
   * yet, and while a TCP/TLS connection holds part of a message. Armed already, it keeps its first deadline.
   */
  private arm(conn: Connection): void {
    const ms = this.limits.firstMessageMs;
    if (conn.deadline !== undefined || ms <= 0) return;
    conn.deadline = setTimeout(() => {
      this.stats.silentConnections++;
      this.opts.logger.debug({ connectionId: conn.id, from: `${conn.remoteAddress}:${conn.remotePort}` }, 'closing a connection that brought no SIP message, or did not end one, in time');
      conn.close();
    }, ms);
    conn.deadline.unref();
  }

  private disarm(conn: Connection): void {
    clearTimeout(conn.deadline);
    conn.deadline = undefined;
  }

  /** Pings every SIP WebSocket; closes those that did not answer the previous ping (see wsPingMs). */
  private pingWebSockets(): void {
    for (const wss of [this.wsServer, this.wssServer]) {
      for (const client of wss?.clients ?? []) {
        if (this.unanswered.has(client)) {
          this.opts.logger.info('closing a SIP WebSocket that did not answer our ping');
          client.terminate();
          continue;
        }
        this.unanswered.add(client);
        client.ping();
      }
    }
  }

  private makeWsServer(protocol: 'ws' | 'wss'): WebSocketServer {
    const clientAddress = this.opts.ws?.clientAddress;
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.opts.maxMessageSize,
      // RFC 7118 4.1: the "sip" subprotocol must be negotiated
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    wss.on('connection', (client: WebSocket, req: http.IncomingMessage) => {
      if (client.protocol !== 'sip') {
        client.close(1002, 'sip subprotocol required');
        return;
      }
      const clientAddr = clientAddress === undefined ? undefined : normalizeAddress(clientAddress(req));
      const remoteAddress = normalizeAddress(req.socket.remoteAddress ?? '');
      // (behind a trusted proxy every browser comes from the proxy's address: the limit counts each client)
      const source = clientAddr ?? remoteAddress;
      if (!this.admit(source)) {
        client.terminate();
        return;
      }
      const id = `${protocol}-${this.nextConnId++}`;
      const conn: Connection = {
        id,
        protocol,
        remoteAddress,
        remotePort: req.socket.remotePort ?? 0,
        localAddress: normalizeAddress(req.socket.localAddress ?? ''),
        localPort: req.socket.localPort ?? 0,
        clientAddress: clientAddr,
        source,
        write: (d) => client.send(d.toString('utf8')),
        close: () => client.terminate(),
      };
      this.register(conn);
      const flow = flowOf(conn);
      this.arm(conn);
      client.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        if (this.receive(buf, true, flow)) this.disarm(conn);
      });
      client.on('pong', () => this.unanswered.delete(client));
      client.on('error', () => {});
      client.on('close', () => this.unregister(conn));
    });
    return wss;
  }

  private register(conn: Connection): void {
    this.connections.set(conn.id, conn);
    this.byRemote.set(`${conn.protocol}:${conn.remoteAddress}:${conn.remotePort}`, conn.id);
  }

  private unregister(conn: Connection): void {
    this.disarm(conn);
    if (!this.connections.delete(conn.id)) return;
    if (conn.source !== undefined) {
      const held = (this.perSource.get(conn.source) ?? 1) - 1;
      if (held > 0) this.perSource.set(conn.source, held);
      else this.perSource.delete(conn.source);
    }
    const key = `${conn.protocol}:${conn.remoteAddress}:${conn.remotePort}`;
    if (this.byRemote.get(key) === conn.id) this.byRemote.delete(key);
    try {
      this.onConnectionClosed(conn.id);
    } catch (err) {
      this.opts.logger.error({ err }, 'connection-closed handler threw');
    }
  }

  /** Parses and hands on one message; true when it was a SIP message (a keep-alive or what does not parse: false). */
  /** `problem`: the answer a request must get whatever it says (a stream message too large to take: 513); a response with one is dropped. */
  private receive(buf: Buffer, datagram: boolean, flow: Flow, problem?: MessageProblem): boolean {
    // RFC 5626 3.5.1: CRLF keep-alives on UDP/WS carry no message
    if (buf.length <= 4 && buf.every((b) => b === 13 || b === 10)) {
      if (flow.protocol === 'udp' && buf.length === 4) this.udp?.send('\r\n', flow.remotePort, flow.remoteAddress);
      return false;
    }
    let msg: SipMessage;
    try {
      msg = parseMessage(buf, { datagram, maxMessageSize: this.opts.maxMessageSize });
    } catch (err) {
      this.stats.dropped++;
      this.opts.logger.debug({ err: (err as Error).message, from: `${flow.remoteAddress}:${flow.remotePort}` }, 'dropped unparseable message');
      return false;
    }
    if (problem !== undefined) {
      if (!(msg instanceof SipRequest)) {
        this.stats.dropped++;
        return false;
      }
      msg.problem = problem;
    }
    this.stats.received++;
    if (msg instanceof SipRequest) stampReceived(msg, flow);
    try {
      this.onMessage(msg, flow);
    } catch (err) {
      this.opts.logger.error({ err }, 'message handler threw');
    }
    return true;
  }

  /** Closes every socket and connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    for (const c of [...this.connections.values()]) c.close();
    this.connections.clear();
    this.byRemote.clear();
    this.perSource.clear();
    if (this.upgradeListener && this.opts.ws?.server) this.opts.ws.server.off('upgrade', this.upgradeListener);
    this.wsServer?.close();
    this.wssServer?.close();
    const closers: Array<Promise<void>> = [];
    if (this.udpFlush !== undefined) {
      // what this turn made still goes out (a BYE, the 200 to one)
      clearImmediate(this.udpFlush);
      this.flushUdp();
    }
    if (this.udp) closers.push(new Promise((r) => this.udp!.close(() => r())));
    for (const s of [this.tcpServer, this.tlsServer, this.ownHttp, this.ownHttps]) {
      if (s) closers.push(new Promise((r) => s.close(() => r())));
    }
    await Promise.all(closers);
  }
}

function flowOf(c: Connection): Flow {
  return {
    protocol: c.protocol,
    remoteAddress: c.remoteAddress,
    remotePort: c.remotePort,
    localAddress: c.localAddress,
    localPort: c.localPort,
    connectionId: c.id,
    clientAddress: c.clientAddress,
  };
}

function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(a && typeof a === 'object' ? a.port : port);
    });
  });
}

/**
 * RFC 3261 18.2.1: add "received" when the sent-by host differs from the source address;
 * RFC 3581 4: fill in an empty "rport" with the source port (and then always add received).
 */
/** Reports a send failure asynchronously, never from inside the caller's own state change. */
function failLater(onError: ((err: Error) => void) | undefined, reason: string): void {
  if (onError) queueMicrotask(() => onError(new SipError('SIP_ERR_TRANSPORT', reason)));
}

/** UDP peers (address and port) whose Flow is kept for reuse. */
/** A stream message over the size limit is answered from its header block (RFC 3261 21.5.11). */
const TOO_LARGE: MessageProblem = { status: 513, reason: 'Message Too Large' };
/** How long a stream that could not be framed stays open (not read) for what its earlier messages are still owed. */
const UNFRAMEABLE_GRACE_MS = 1000;
const MAX_UDP_FLOWS = 8192;

/** Socket buffers asked for (Linux reports twice the size set; up to net.core.rmem_max / wmem_max is granted). */
const UDP_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * dgram resolves the address of every send with dns.lookup, which answers an IP literal on the next tick. Our
 * targets are IP literals (Via received/rport, registered contacts); a name is still resolved by dns.lookup.
 */
function literalLookup(hostname: string, options: dns.LookupOneOptions, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = net.isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dns.lookup(hostname, options, callback);
}

function stampReceived(req: SipRequest, flow: Flow): void {
  const top = req.get('via');
  if (top === undefined) return;
  let via;
  try {
    via = req.via;
  } catch {
    return; // invalid Via: the core answers 400 using the raw header
  }
  const hasRport = via.params.has('rport');
  if (via.host === flow.remoteAddress && !hasRport) return;
  via.params.set('received', flow.remoteAddress);
  if (hasRport) via.params.set('rport', String(flow.remotePort));
  const list = req.headers.get('via')!;
  let value = top.replace(/;\s*(received|rport)(\s*=\s*[^;,]*)?/gi, '');
  value += `;received=${flow.remoteAddress}`;
  if (hasRport) value += `;rport=${flow.remotePort}`;
  list[0] = value;
}
