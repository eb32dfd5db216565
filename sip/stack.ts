import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createResponse, SipRequest, type SipResponse } from './message/message.ts';
import { randomToken } from './message/grammar.ts';
import { InvalidStateError, SipError } from './message/errors.ts';
import { parseNameAddr } from './message/name-addr.ts';
import { formatUri } from './message/uri.ts';
import { checkRequestSemantics } from './core/request-checks.ts';
import { OverloadControl, type OverloadOptions, type OverloadState } from './core/overload.ts';
import { Qualifier, type QualifyOptions } from './core/qualify.ts';
import { TransportLayer, type TransportOptions } from './transport/transport-layer.ts';
import { type Flow, type SendTarget, type TransportProtocol, sourceOf } from './transport/flow.ts';
import { TransactionLayer } from './transaction/transaction-layer.ts';
import { responseTarget } from './transaction/transaction.ts';
import { InviteServerTransaction, NOOP, type ServerTransaction } from './transaction/server-transactions.ts';
import { DEFAULT_TIMERS, type TimerConfig } from './transaction/timers.ts';
import { DigestAuthenticator, type DigestResult } from './auth/digest.ts';
import { AuthLockout, type LockoutOptions } from './auth/lockout.ts';
import { TrustedSources } from './auth/trusted.ts';
import type { CredentialStore } from './auth/credential-store.ts';
import type { DigestAlgorithm } from './auth/ha1.ts';
import type { ClientCredentials } from './auth/digest-client.ts';
import { Registrar, normalizeAor } from './registrar/registrar.ts';
import { MemoryBindingStore, type Binding, type BindingRemovedReason, type BindingStore } from './registrar/binding.ts';
import { dialogId, targetFromUri } from './dialog/dialog.ts';
import { MIN_SE_SECONDS, planAsUas, refusal } from './dialog/session-timer.ts';
import type { CallLeg } from './b2bua/call-leg.ts';
import { ALLOW } from './core/request-checks.ts';
import { IncomingCall } from './b2bua/incoming-call.ts';
import { OutgoingCall } from './b2bua/outgoing-call.ts';
import type { LegContext } from './b2bua/context.ts';
import { KeyTable } from './core/key-table.ts';

export interface SipStackOptions {
  /** address to bind and to put in Via/Contact, e.g. '127.0.0.1' */
  host: string;
  /** UDP port (0 = any free port) */
  udpPort: number;
  /** TCP port; defaults to the same number as the bound UDP port */
  tcpPort?: number;
  /** digest realm, also the domain of our AORs */
  realm: string;
  /** IPs / CIDRs whose REGISTER and INVITE are not challenged */
  trustedSources?: string[];
  ws?: TransportOptions['ws'];
  /** limits on inbound TCP, TLS and WebSocket connections (see transport/transport-layer.ts ConnectionLimits) */
  connections?: TransportOptions['connections'];
  tls?: { cert: string | Buffer; key: string | Buffer; port: number; wssPort?: number };
  logger: Logger;
  /** default 65535 (RFC 3261 18.1.1 allows any size on streams; one UDP datagram carries at most ~64 kB) */
  maxMessageSize?: number;
  credentials: CredentialStore;
  bindings?: BindingStore;
  timers?: Partial<TimerConfig>;
  digestAlgorithms?: DigestAlgorithm[];
  /**
   * Requests whose User-Agent matches (or that have none) get only the MD5 challenge, because such clients read a
   * single challenge and cannot do SHA-256 (RFC 8760 deviation for interop). Default: no User-Agent, sipp, SIP.js,
   * JsSIP, baresip 0.x/1.x and older desk phone families.
   */
  md5OnlyUserAgents?: RegExp;
  nonceTtlMs?: number;
  lockout?: LockoutOptions;
  registrar?: { minExpires?: number; maxExpires?: number; defaultExpires?: number };
  userAgent?: string;
  /** established calls are ended with BYE after this long; default 4 h, 0 = never (a backstop: RFC 4028 session timers end calls whose caller asked for them and stopped refreshing) */
  maxCallDurationMs?: number;
  /** RFC 4028 Min-SE: the smallest session interval a caller may ask for (422 below it); default and floor in the RFC: 90 s */
  sessionMinSeconds?: number;
  /** OPTIONS to registered UDP/TCP/TLS devices to find those that went away (core/qualify.ts); default every 30 s */
  qualify?: QualifyOptions;
  /** new INVITEs refused with 503 while the process is overloaded (core/overload.ts); default maxLoad 0.9 */
  overload?: OverloadOptions;
}

export interface SipStackEvents {
  /** an authenticated (or trusted) INVITE outside a dialog; answer, progress or reject it */
  incomingCall: [IncomingCall];
  bindingAdded: [Binding];
  bindingRefreshed: [Binding];
  /** a device went away: unregistered, expired, or its WebSocket/connection closed */
  bindingRemoved: [Binding, BindingRemovedReason];
  /** a registered device stopped (false) or started again (true) answering its OPTIONS */
  bindingReachability: [Binding, boolean];
}

export interface PlaceCallOptions {
  /** a binding from bindingsFor(), or a SIP URI to call directly (e.g. 'sip:1001@127.0.0.1:5070;transport=tcp') */
  target: Binding | string;
  /** From: a SIP URI or name-addr, e.g. '"Queue Sales" <sip:sales@example.com>' */
  from: string;
  /** To: defaults to the binding's AOR or the target URI */
  to?: string;
  /** our SDP offer; undefined: an INVITE without one (late offer: the callee offers in its 2xx, OutgoingCall.acknowledge answers) */
  sdp?: string;
  /** extra request headers, e.g. { 'X-Call-Token': 'abc' } */
  headers?: Record<string, string>;
  /** answer a 401/407 challenge with these, once (a SIP trunk's account at its provider); never logged */
  auth?: ClientCredentials;
}

export interface SipStackStats {
  received: number;
  sent: number;
  dropped: number;
  /** inbound connections closed at once (over the limits per address or in all) */
  refusedConnections: number;
  /** connections closed because no SIP message came in time after they opened, or a message begun did not end in time */
  silentConnections: number;
  invalidRequests: number;
  droppedResponses: number;
  activeDialogs: number;
  bindings: number;
  authFailures: number;
  serverTransactions: number;
  clientTransactions: number;
  /** event-loop load, share of new INVITEs refused and how many were (overload control) */
  overload: OverloadState;
}

/**
 * The SIP stack: transports, transactions, registrar with digest auth, OPTIONS, and B2BUA primitives.
 * Composition root code creates it with createSipServer(options), then start() / close().
 */
export class SipStack extends EventEmitter<SipStackEvents> {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly registrar: Registrar;
  private readonly auth: DigestAuthenticator;
  private readonly lockout: AuthLockout;
  private readonly trusted: TrustedSources;
  private readonly log: Logger;
  /** dialog id -> leg (see KeyTable: not a Map) */
  private readonly dialogs = new KeyTable<string, CallLeg>();
  /** INVITE server transaction key -> its call, until the call or that transaction ends (see KeyTable: not a Map) */
  private readonly pendingInvites = new KeyTable<string, IncomingCall>();
  /** every leg until it closes, by a number of its own */
  private readonly legs = new KeyTable<number, CallLeg>();
  private nextLegId = 0;
  private readonly legCtx: LegContext;
  private authFailures = 0;
  private started = false;
  private closed = false;
  private readonly userAgent: string;
  private readonly md5OnlyUa: RegExp;
  private readonly overload: OverloadControl;
  private readonly qualifier: Qualifier;

  constructor(opts: SipStackOptions) {
    super();
    if (!opts.host) throw new TypeError('SipStack: host is required');
    if (!opts.realm) throw new TypeError('SipStack: realm is required');
    this.log = opts.logger;
    this.userAgent = opts.userAgent ?? 'callflow';
    this.md5OnlyUa = opts.md5OnlyUserAgents ?? /^(sipp|SIP\.js|JsSIP|baresip v?[01]\.|Asterisk|Grandstream|Cisco|Linksys|Sipura|snom[1-3]|PolycomSoundPoint|Yealink SIP-T[1-2])/i;
    this.transport = new TransportLayer({
      host: opts.host,
      udpPort: opts.udpPort,
      tcpPort: opts.tcpPort,
      ws: opts.ws,
      tls: opts.tls,
      maxMessageSize: opts.maxMessageSize ?? 65535,
      ...(opts.connections === undefined ? {} : { connections: opts.connections }),
      logger: this.log,
      // browsers are kept alive with WebSocket pings at the rate desk phones get OPTIONS (0 turns both off)
      wsPingMs: (opts.qualify?.intervalSeconds ?? 30) * 1000,
    });
    this.transactions = new TransactionLayer(this.transport, this.log, { ...DEFAULT_TIMERS, ...opts.timers });
    this.transactions.onRequest = (req, tx, flow) => this.onRequest(req, tx, flow);
    this.trusted = new TrustedSources(opts.trustedSources ?? []);
    this.auth = new DigestAuthenticator({
      realm: opts.realm,
      credentials: opts.credentials,
      logger: this.log,
      algorithms: opts.digestAlgorithms,
      nonceTtlMs: opts.nonceTtlMs,
    });
    this.lockout = new AuthLockout(opts.lockout);
    this.overload = new OverloadControl(opts.overload ?? {}, () => {
      const x = this.transactions.stats;
      return { received: this.transport.stats.received, retransmissions: x.unansweredRetransmissions + x.retransmissions };
    });
    this.overload.onChange = (shedding, state) => {
      if (shedding) this.log.warn(state, 'sip overload: refusing a share of new calls with 503');
      else this.log.info(state, 'sip overload over: taking every new call again');
    };
    this.registrar = new Registrar({ realm: opts.realm, store: opts.bindings ?? new MemoryBindingStore(), logger: this.log, ...opts.registrar });
    this.registrar.on('bindingAdded', (b) => this.safeEmit('bindingAdded', b));
    this.registrar.on('bindingRefreshed', (b) => this.safeEmit('bindingRefreshed', b));
    this.registrar.on('bindingRemoved', (b, r) => this.safeEmit('bindingRemoved', b, r));
    this.transport.onConnectionClosed = (id) => {
      this.registrar.connectionClosed(id);
      // (values() is a copy: a leg that ends leaves the table during the loop; one pass over the calls per closed
      // WebSocket, cheap next to the call that closing it usually ends)
      for (const leg of this.legs.values()) leg.connectionClosed(id);
    };
    this.qualifier = new Qualifier(
      {
        registrar: this.registrar,
        tl: this.transactions,
        targetOf: (b) => this.targetOf(b),
        realm: opts.realm,
        userAgent: this.userAgent,
        logger: this.log,
        onChange: (b, reachable) => this.safeEmit('bindingReachability', b, reachable),
      },
      opts.qualify,
    );
    this.legCtx = {
      tl: this.transactions,
      logger: this.log,
      userAgent: this.userAgent,
      maxCallDurationMs: opts.maxCallDurationMs ?? 4 * 3600_000,
      sessionMinSeconds: opts.sessionMinSeconds ?? MIN_SE_SECONDS,
      contactUri: (p, sips) => this.contactUri(p, sips),
      registerDialog: (id, leg) => this.dialogs.set(id, leg),
      unregisterDialog: (id) => this.dialogs.delete(id),
    };
  }

  private safeEmit<K extends keyof SipStackEvents>(event: K, ...args: SipStackEvents[K]): void {
    for (const l of this.rawListeners(event)) { // (a once() listener comes as its wrapper, which removes it)
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.log.error({ err, event }, 'listener threw');
      }
    }
  }

  async start(): Promise<void> {
    if (this.closed) throw new InvalidStateError('SipStack is closed');
    if (this.started) return;
    this.started = true;
    await this.registrar.start();
    await this.transport.start();
    this.overload.start();
    this.qualifier.start();
    this.log.info({ ports: this.transport.ports }, 'sip stack listening');
  }

  /** Bound ports per transport (after start()). */
  get ports(): Partial<Record<TransportProtocol, number>> {
    return this.transport.ports;
  }

  contactUri(protocol: TransportProtocol, sips = false): string {
    const { host, port } = this.transport.sentBy(protocol);
    // (a SIPS URI implies TLS; over a secure WebSocket its transport is "ws", RFC 7118 5.2)
    if (sips) return `sips:b2bua@${host}:${port}${protocol === 'wss' || protocol === 'ws' ? ';transport=ws' : ''}`;
    return `sip:b2bua@${host}:${port};transport=${protocol}`;
  }

  /** False while the device behind a binding does not answer the OPTIONS we send it (qualify). */
  isReachable(b: Binding): boolean {
    return this.qualifier.isReachable(b);
  }

  /** Current bindings of an AOR ('1001' or 'sip:1001@realm'), best q first. */
  bindingsFor(aor: string): Binding[] {
    return this.registrar.bindingsFor(aor);
  }

  stats(): SipStackStats {
    const t = this.transport.stats;
    const x = this.transactions.stats;
    return {
      received: t.received,
      sent: t.sent,
      dropped: t.dropped,
      refusedConnections: t.refusedConnections,
      silentConnections: t.silentConnections,
      invalidRequests: x.invalidRequests,
      droppedResponses: x.droppedResponses,
      activeDialogs: this.dialogs.size,
      bindings: this.registrar.size,
      authFailures: this.authFailures,
      serverTransactions: this.transactions.activeServerTransactions,
      clientTransactions: this.transactions.activeClientTransactions,
      overload: this.overload.state(),
    };
  }

  /** Places an outgoing INVITE to a registered device or a URI. */
  placeCall(o: PlaceCallOptions): OutgoingCall {
    if (this.closed || !this.started) throw new InvalidStateError('SipStack is not running');
    if (o.sdp !== undefined && typeof o.sdp !== 'string') throw new TypeError('placeCall: sdp must be a string');
    if (typeof o.from !== 'string' || o.from === '') throw new TypeError('placeCall: from is required');
    let requestUri: string;
    let target: SendTarget;
    let route: string[] = [];
    let to: string;
    if (typeof o.target === 'string') {
      requestUri = o.target;
      target = targetFromUri(o.target, undefined);
      to = o.to ?? `<${o.target}>`;
    } else {
      const b = o.target;
      requestUri = b.contact;
      route = b.path;
      target = this.targetOf(b);
      to = o.to ?? `<${b.aor}>`;
    }
    const from = /<.*>/.test(o.from) ? o.from : `<${o.from}>`;
    const call = new OutgoingCall(this.legCtx, { requestUri, from, to, sdp: o.sdp, headers: o.headers ?? {}, route, target, auth: o.auth });
    this.track(call);
    call.start();
    return call;
  }

  /** Where a request to a registered device goes; throws 480 for a WebSocket device whose connection is gone. */
  private targetOf(b: Binding): SendTarget {
    const alive = b.connectionId !== null && this.transport.hasConnection(b.connectionId);
    let flowTarget: SendTarget = {
      protocol: b.transport,
      address: b.sourceAddress,
      port: b.sourcePort,
      connectionId: alive ? b.connectionId! : undefined,
    };
    if (b.transport === 'ws' || b.transport === 'wss') {
      if (!alive) throw new SipError('SIP_ERR_NO_BINDING', `the WebSocket of ${b.aor} is gone`, 480);
    } else if (b.transport !== 'udp' && !alive) {
      // the phone's connection is gone (e.g. after a restart): open a new one to its Contact address
      flowTarget = targetFromUri(b.contact, undefined);
    }
    // RFC 3581 / symmetric signalling: reach the device where its REGISTER came from
    return b.path.length ? targetFromUri(formatUri(parseNameAddr(b.path[0]!).uri), undefined) : flowTarget;
  }

  private track(leg: CallLeg): void {
    const id = this.nextLegId++;
    this.legs.set(id, leg);
    leg.once('close', () => this.legs.delete(id));
  }

  // ---- request dispatch (UA core, RFC 3261 8.2) ----

  private onRequest(req: SipRequest, tx: ServerTransaction | undefined, flow: Flow): void {
    const problem = checkRequestSemantics(req, flow);
    if (problem && req.method !== 'ACK') {
      return this.respondTo(req, tx, problem.status, problem.reason, (r) => {
        for (const [n, v] of problem.headers ?? []) r.set(n, v);
      });
    }
    const toTag = req.toTag;
    if (toTag !== undefined && req.method !== 'CANCEL') {
      // RFC 3261 12.2.2: in-dialog request
      const leg = this.dialogs.get(dialogId(req.callId, toTag, req.fromTag ?? ''));
      if (!leg) {
        if (req.method !== 'ACK') this.respondTo(req, tx, 481, 'Call/Transaction Does Not Exist');
        return;
      }
      leg.handleInDialog(req, tx, flow).catch((err: unknown) => this.log.error({ err }, 'in-dialog handling failed'));
      return;
    }
    if (!tx) return; // stray ACK
    switch (req.method) {
      case 'OPTIONS':
        return this.respondTo(req, tx, 200, 'OK', (r) => {
          r.set('allow', ALLOW);
          r.set('accept', 'application/sdp');
          r.set('supported', 'path, outbound, timer');
          r.set('user-agent', this.userAgent);
        });
      case 'CANCEL': {
        // RFC 3261 9.2
        const inviteTx = this.transactions.findInviteFor(req);
        const call = inviteTx ? this.pendingInvites.get(inviteTx.key) : undefined;
        if (!inviteTx) return this.respondTo(req, tx, 481, 'Call/Transaction Does Not Exist');
        // (through its transaction: a retransmitted CANCEL gets this 200 again rather than acting twice)
        tx?.respond(createResponse(req, 200, 'OK', randomToken(4)));
        if (call) call.handleCancel();
        else if (!inviteTx.finalSent) {
          // cancelled while still being authenticated: end the INVITE here (RFC 3261 9.2)
          inviteTx.respond(createResponse(inviteTx.request, 487, 'Request Terminated', randomToken(4)));
        }
        return;
      }
      case 'REGISTER':
        void this.onRegister(req, tx, flow);
        return;
      case 'INVITE':
        // RFC 3261 16.3 / RFC 7332 3: a call we would route on (to an agent, to the trunk) must have a hop left
        if (req.maxForwards === 0) return this.respondTo(req, tx, 483, 'Too Many Hops');
        if (!this.overload.admit()) {
          const retryAfter = this.overload.retryAfterSeconds;
          return this.respondTo(req, tx, 503, 'Service Unavailable (overloaded)', (r) => {
            if (retryAfter !== undefined) r.set('retry-after', String(retryAfter));
          });
        }
        void this.onInvite(req, tx as InviteServerTransaction, flow);
        return;
      case 'BYE':
      case 'INFO':
      case 'REFER':
      case 'NOTIFY':
      case 'UPDATE':
      case 'PRACK':
        return this.respondTo(req, tx, 481, 'Call/Transaction Does Not Exist');
      default:
        return this.respondTo(req, tx, 501, 'Not Implemented', (r) => r.set('allow', ALLOW + ', REGISTER'));
    }
  }

  /**
   * Answers a request (nothing for an ACK, which has no transaction) that changes nothing here: OPTIONS, or one
   * refused (malformed, unknown dialog, not implemented). Outside an INVITE statelessly (see answerStatelessly): a
   * flood of them leaves nothing behind. An INVITE's answer goes through its transaction, which absorbs the INVITE's
   * retransmissions: answered anew, a retransmission could get another answer than the first (the overload control's
   * 503 is a share of the calls, not a rule per call).
   */
  private respondTo(req: SipRequest, tx: ServerTransaction | undefined, status: number, reason?: string, extra?: (r: SipResponse) => void): void {
    if (!tx) return;
    const r = createResponse(req, status, reason, randomToken(4));
    extra?.(r);
    if (tx.isInvite) tx.respond(r);
    else this.answerStatelessly(tx, req, r);
  }

  /**
   * Authenticates a REGISTER (401) or INVITE (407) unless the source is trusted. Returns the identity, or
   * undefined after answering the request itself.
   */
  private async authenticate(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
  ): Promise<{ username: string | undefined; agentId: string | undefined; trusted: boolean } | undefined> {
    // (Behind a trusted reverse proxy, the client's address: one client's failures must not lock out the proxy.)
    const source = sourceOf(flow);
    const isRegister = req.method === 'REGISTER';
    const headerName = isRegister ? 'authorization' : 'proxy-authorization';
    if (this.trusted.has(source)) {
      return { username: undefined, agentId: undefined, trusted: true };
    }
    if (this.lockout.isLocked(source)) {
      this.answerStatelessly(tx, req, createResponse(req, 403, 'Forbidden', randomToken(4)));
      return undefined;
    }
    let result: DigestResult;
    try {
      result = await this.auth.verify(req, headerName);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'credential lookup failed');
      tx.respond(createResponse(req, 500, 'Server Internal Error', randomToken(4)));
      return undefined;
    }
    if (result.ok) {
      this.lockout.succeed(source);
      return { username: result.username, agentId: result.agentId, trusted: false };
    }
    if (result.reason !== 'no-credentials' && !result.stale) {
      this.authFailures++;
      // never log credentials: only the reason, the source and the claimed user name
      this.log.info({ source, reason: result.reason, method: req.method }, 'sip authentication failed');
      if (this.lockout.fail(source)) this.log.warn({ source }, 'sip source locked out after repeated authentication failures');
    }
    if (result.reason === 'uri-mismatch') {
      const header = isRegister ? 'Authorization' : 'Proxy-Authorization';
      this.answerStatelessly(tx, req, createResponse(req, 400, `Bad Request: the ${header} uri is not the Request-URI`, randomToken(4)));
      return undefined;
    }
    const status = isRegister ? 401 : 407;
    const res = createResponse(req, status, isRegister ? 'Unauthorized' : 'Proxy Authentication Required', randomToken(4));
    const ua = req.get('user-agent');
    const md5Only = ua === undefined || this.md5OnlyUa.test(ua);
    res.set(isRegister ? 'www-authenticate' : 'proxy-authenticate', this.auth.challenge(result.stale, md5Only));
    this.answerStatelessly(tx, req, res);
    return undefined;
  }

  /**
   * Sends a response outside the transaction and ends it at once, as a stateless UAS does (RFC 3261 8.2.7): for
   * answers that change nothing here (challenges, refusals, OPTIONS), no retransmission needs absorbing (a retransmitted
   * request is simply answered again, a challenge with a fresh nonce) and the ACK of a non-2xx answer to an INVITE
   * matches nothing and is dropped. Through the transaction, a REGISTER's or an OPTIONS' would linger 32 s (timer J)
   * with its response: some 700 bytes per request, which a flood of requests without credentials, from any forged
   * address, grows at the rate it comes (measured: 15 MB kept for 21 700 REGISTERs).
   */
  private answerStatelessly(tx: ServerTransaction, req: SipRequest, res: SipResponse): void {
    // (a CANCEL may have ended the INVITE while its credentials were being checked: it has its answer, 487)
    if (tx.finalSent) return;
    this.transactions.sendStateless(res, responseTarget(req, tx.flow));
    tx.terminate();
  }

  private async onRegister(req: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
    const who = await this.authenticate(req, tx, flow);
    if (!who) return;
    try {
      tx.respond(await this.registrar.handle(req, flow, who.username));
    } catch (err) {
      this.log.error({ err }, 'registrar failed');
      tx.respond(createResponse(req, 500, 'Server Internal Error', randomToken(4)));
    }
  }

  private async onInvite(req: SipRequest, tx: InviteServerTransaction, flow: Flow): Promise<void> {
    const who = await this.authenticate(req, tx, flow);
    if (!who) return;
    if (this.closed || tx.finalSent) return; // cancelled meanwhile
    const sessionPlan = planAsUas(req, this.legCtx.sessionMinSeconds);
    const refused = refusal(sessionPlan, req, (r, status, reason) => createResponse(r, status, reason, randomToken(4)));
    if (refused) {
      tx.respond(refused);
      return;
    }
    if (this.listenerCount('incomingCall') === 0) {
      tx.respond(createResponse(req, 480, 'Temporarily Unavailable', randomToken(4)));
      return;
    }
    const call = new IncomingCall(this.legCtx, tx, who, sessionPlan);
    this.pendingInvites.set(tx.key, call);
    tx.onTerminated = () => this.pendingInvites.delete(tx.key);
    this.track(call);
    call.once('close', () => {
      this.pendingInvites.delete(tx.key);
      tx.onTerminated = NOOP; // the transaction may linger 32 s more (timer L): let it hold nothing
    });
    this.safeEmit('incomingCall', call);
  }

  /** Stops listening, drops calls and transactions. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.overload.stop();
    this.qualifier.stop();
    for (const leg of this.legs.values()) leg.close();
    this.registrar.close();
    this.transactions.close();
    await this.transport.close();
  }
}


/** Creates the SIP stack (call start() to listen). */
export function createSipServer(options: SipStackOptions): SipStack {
  return new SipStack(options);
}

export { normalizeAor };
export type { SipRequest };
