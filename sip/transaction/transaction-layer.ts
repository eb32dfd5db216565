import type { Logger } from 'pino';
import { createResponse, SipRequest, SipResponse, type SipMessage } from '../message/message.ts';
import { randomToken } from '../message/grammar.ts';
import { validateRequest, validateResponse } from '../message/validate.ts';
import { MAGIC_COOKIE, viaBranch } from '../message/via.ts';
import type { Flow, SendTarget } from '../transport/flow.ts';
import { viaTransport } from '../transport/flow.ts';
import type { TransportLayer } from '../transport/transport-layer.ts';
import {
  InviteClientTransaction,
  NonInviteClientTransaction,
  type ClientTransaction,
  type ClientTransactionUser,
} from './client-transactions.ts';
import {
  InviteServerState,
  InviteServerTransaction,
  NonInviteServerTransaction,
  type ServerTransaction,
} from './server-transactions.ts';
import { ownString, responseTarget, type TransactionContext } from './transaction.ts';
import type { TimerConfig } from './timers.ts';
import { TimerQueues } from './timer-queues.ts';

export interface TransactionStats {
  serverTransactions: number;
  clientTransactions: number;
  invalidRequests: number;
  droppedResponses: number;
  /**
   * Request retransmissions that came before we had sent any response: the client waited T1 (500 ms) or more
   * for us, a sign that we are behind (overload control reads it).
   */
  unansweredRetransmissions: number;
  /** Our own retransmissions: requests (timers A, E), responses awaiting an ACK (timer G), 2xx awaiting an ACK (the TU's). */
  retransmissions: number;
}

/**
 * Matches messages to transactions (RFC 3261 17.1.3 / 17.2.3), creates server transactions for new requests,
 * answers invalid requests statelessly, and hands the rest to the transaction user (the UA core).
 */
export class TransactionLayer {
  /** New request with its server transaction; ACKs that match no transaction (2xx ACKs) come with `tx` undefined. */
  onRequest: (req: SipRequest, tx: ServerTransaction | undefined, flow: Flow) => void = () => {};
  /** Responses matching no client transaction (e.g. 2xx retransmissions after the transaction ended). */
  onStrayResponse: (res: SipResponse, flow: Flow) => void = () => {};
  readonly stats: TransactionStats = { serverTransactions: 0, clientTransactions: 0, invalidRequests: 0, droppedResponses: 0, unansweredRetransmissions: 0, retransmissions: 0 };
  private readonly servers = new Map<string, InviteServerTransaction | NonInviteServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly serverCtx: TransactionContext;
  private readonly clientCtx: TransactionContext;
  private readonly clock: TimerQueues;
  private closed = false;

  constructor(
    private readonly transport: TransportLayer,
    private readonly logger: Logger,
    readonly timers: TimerConfig,
  ) {
    const send = (data: Buffer, target: SendTarget, onError?: (err: Error) => void): void => this.transport.send(data, target, onError);
    this.clock = new TimerQueues((err) => this.logger.error({ err }, 'transaction timer handler threw'));
    const clock = this.clock;
    const retransmitted = (): void => void this.stats.retransmissions++;
    this.serverCtx = { timers, logger, clock, send, retransmitted, forget: (k) => void this.servers.delete(k) };
    this.clientCtx = { timers, logger, clock, send, retransmitted, forget: (k) => void this.clients.delete(k) };
    transport.onMessage = (msg, flow) => {
      if (msg instanceof SipRequest) this.receiveRequest(msg, flow);
      else this.receiveResponse(msg as SipResponse, flow);
    };
  }

  get activeServerTransactions(): number {
    return this.servers.size;
  }

  get activeClientTransactions(): number {
    return this.clients.size;
  }

  private serverKey(req: SipRequest): string {
    const via = req.via;
    const method = req.method === 'ACK' ? 'INVITE' : req.method;
    const branch = viaBranch(via);
    if (branch !== undefined && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length) {
      return ownString(`${branch}|${via.host}:${via.port ?? ''}|${method}`);
    }
    // RFC 3261 17.2.3: RFC 2543 matching by Request-URI, tags, Call-ID, CSeq and top Via
    return ownString(`2543|${req.callId}|${req.cseq.seq}|${req.fromTag ?? ''}|${via.host}:${via.port ?? ''}|${branch ?? ''}|${method}`);
  }

  private receiveRequest(req: SipRequest, flow: Flow): void {
    const problem = validateRequest(req);
    if (problem) {
      this.stats.invalidRequests++;
      if (req.method === 'ACK' || !req.has('via')) return; // RFC 3261 17: never answer an ACK
      const res = createResponse(req, problem.status, problem.reason, randomToken(4));
      for (const [n, v] of problem.headers ?? []) res.append(n, v);
      this.sendStateless(res, responseTarget(req, flow));
      return;
    }
    const key = this.serverKey(req);
    const existing = this.servers.get(key);
    if (existing) {
      if (req.method === 'ACK' && existing instanceof InviteServerTransaction && existing.state === InviteServerState.Accepted) {
        this.deliver(req, undefined, flow); // RFC 2543-style ACK for a 2xx: the TU's
        return;
      }
      if (req.method !== 'ACK' && !existing.answered) this.stats.unansweredRetransmissions++;
      existing.receive(req);
      return;
    }
    if (req.method === 'ACK') {
      this.deliver(req, undefined, flow);
      return;
    }
    if (this.closed) return;
    const tx =
      req.method === 'INVITE'
        ? new InviteServerTransaction(key, this.serverCtx, req, flow)
        : new NonInviteServerTransaction(key, this.serverCtx, req, flow);
    this.servers.set(key, tx);
    this.stats.serverTransactions++;
    this.deliver(req, tx, flow);
  }

  private deliver(req: SipRequest, tx: ServerTransaction | undefined, flow: Flow): void {
    try {
      this.onRequest(req, tx, flow);
    } catch (err) {
      this.logger.error({ err, method: req.method, callId: req.callId }, 'request handler threw');
      if (tx && !tx.finalSent) tx.respond(createResponse(req, 500, 'Server Internal Error', randomToken(4)));
    }
  }

  /** The INVITE server transaction a CANCEL refers to (RFC 3261 9.2). */
  findInviteFor(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = this.serverKey(cancel).replace(/\|CANCEL$/, '|INVITE');
    const tx = this.servers.get(key);
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  private receiveResponse(res: SipResponse, flow: Flow): void {
    const bad = validateResponse(res);
    if (bad !== undefined) {
      this.stats.droppedResponses++;
      this.logger.debug({ reason: bad }, 'dropped invalid response');
      return;
    }
    const via = res.via;
    // RFC 3261 18.1.2: a response whose top Via is not ours is discarded
    const ours = this.transport.sentBy(flow.protocol);
    if (via.host !== ours.host.toLowerCase()) {
      this.stats.droppedResponses++;
      return;
    }
    const branch = viaBranch(via) ?? '';
    const tx = this.clients.get(`${branch}|${res.cseq.method}`);
    if (tx) tx.receive(res);
    else this.onStrayResponse(res, flow);
  }

  /** Our Via for a request leaving on `protocol`. */
  makeVia(protocol: SendTarget['protocol'], branch = MAGIC_COOKIE + randomToken(10)): string {
    const { host, port } = this.transport.sentBy(protocol);
    return `SIP/2.0/${viaTransport(protocol)} ${host}:${port};branch=${branch};rport`;
  }

  /** Sends a request in a new client transaction. A top Via is added unless the request already has one. */
  sendRequest(req: SipRequest, target: SendTarget, tu: ClientTransactionUser): ClientTransaction {
    if (this.closed) throw new Error('transaction layer closed');
    let branch: string;
    if (req.has('via')) {
      branch = viaBranch(req.via) ?? '';
    } else {
      // our own Via: its branch is known, no need to parse it back
      branch = MAGIC_COOKIE + randomToken(10);
      req.prepend('via', this.makeVia(target.protocol, branch));
    }
    const key = ownString(`${branch}|${req.method}`);
    const tx =
      req.method === 'INVITE'
        ? new InviteClientTransaction(key, this.clientCtx, req, target, tu)
        : new NonInviteClientTransaction(key, this.clientCtx, req, target, tu);
    this.clients.set(key, tx);
    this.stats.clientTransactions++;
    tx.start();
    return tx;
  }

  /** Stateless send (2xx ACKs, 2xx retransmissions, stateless error responses). */
  sendStateless(msg: SipMessage, target: SendTarget): void {
    this.sendBytes(msg.toBuffer(), target);
  }

  /** A retransmission the TU makes itself (a 2xx to an INVITE until its ACK comes): sent statelessly, and counted. */
  retransmitStateless(msg: SipMessage, target: SendTarget): void {
    this.stats.retransmissions++;
    this.sendStateless(msg, target);
  }

  /** Stateless send of bytes serialized earlier. */
  sendBytes(data: Buffer, target: SendTarget): void {
    if (this.closed) return;
    this.transport.send(data, target, this.statelessSendFailed);
  }

  private readonly statelessSendFailed = (err: Error): void => this.logger.debug({ err: err.message }, 'stateless send failed');

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const tx of [...this.servers.values()]) tx.terminate();
    for (const tx of [...this.clients.values()]) tx.terminate();
    this.clock.close();
  }
}
