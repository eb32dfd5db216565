import { SipRequest, type SipMessage } from '../message/message.ts';
import { parseNameAddr } from '../message/name-addr.ts';
import { formatUri, isSipUri, parseUri } from '../message/uri.ts';
import type { Flow, SendTarget, TransportProtocol } from '../transport/flow.ts';

/**
 * A dialog (RFC 3261 12): identified by Call-ID, local tag and remote tag; keeps the route set, the remote
 * target (refreshed by target refresh requests, 12.2.1.2 / 12.2.2) and both CSeq counters.
 */
export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** From/To header values as sent by us / the peer */
  readonly localParty: string;
  readonly remoteParty: string;
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: string;
  readonly routeSet: string[];
  /** where in-dialog requests go when there is no route set: the peer's own flow (symmetric signalling) */
  flowTarget: SendTarget | undefined;

  constructor(init: {
    callId: string;
    localTag: string;
    remoteTag: string;
    localParty: string;
    remoteParty: string;
    localSeq: number;
    remoteSeq: number | undefined;
    remoteTarget: string;
    routeSet: string[];
    flowTarget: SendTarget | undefined;
  }) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localParty = init.localParty;
    this.remoteParty = init.remoteParty;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.flowTarget = init.flowTarget;
  }

  get id(): string {
    return dialogId(this.callId, this.localTag, this.remoteTag);
  }

  /** RFC 3261 12.1.1: UAS side, from the INVITE and our response's tag. */
  static asUas(req: SipRequest, localTag: string, flow: Flow): Dialog {
    const contact = req.get('contact');
    return new Dialog({
      callId: req.callId,
      localTag,
      remoteTag: req.fromTag ?? '',
      localParty: withTag(req.get('to')!, localTag),
      remoteParty: req.get('from')!,
      localSeq: 0,
      remoteSeq: req.cseq.seq,
      // (no Contact: an RFC 2543 caller, whose requests go to its From address)
      remoteTarget: contact ? formatUri(parseNameAddr(contact).uri) : formatUri(req.from.uri),
      routeSet: req.getAll('record-route'),
      flowTarget: targetFromFlow(flow),
    });
  }

  /** RFC 3261 12.1.2: UAC side, from our INVITE and the peer's 2xx (route set reversed). */
  static asUac(req: SipRequest, res: SipMessage, target: SendTarget): Dialog {
    const contact = res.get('contact');
    return new Dialog({
      callId: req.callId,
      localTag: req.fromTag ?? '',
      remoteTag: res.toTag ?? '',
      localParty: req.get('from')!,
      remoteParty: res.get('to')!,
      localSeq: req.cseq.seq,
      remoteSeq: undefined,
      remoteTarget: contact ? formatUri(parseNameAddr(contact).uri) : req.uri,
      routeSet: res.getAll('record-route').slice().reverse(),
      flowTarget: target,
    });
  }

  /**
   * RFC 3261 12.2.2: a request with a lower CSeq than the last one is out of order (500).
   * Returns false when it must be rejected.
   */
  acceptRemoteSeq(req: SipRequest): boolean {
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    const seq = req.cseq.seq;
    if (this.remoteSeq !== undefined && seq <= this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }

  /** RFC 3261 12.2.1.2 / 12.2.2: target refresh from a re-INVITE or its 2xx. */
  refreshTarget(msg: SipMessage): void {
    const c = msg.get('contact');
    if (!c) return;
    try {
      this.remoteTarget = formatUri(parseNameAddr(c).uri);
    } catch {
      // keep the old target
    }
  }

  /** RFC 3261 12.2.1.1: a request within the dialog. */
  createRequest(method: string, opts: { cseq?: number; body?: string; contentType?: string; headers?: Record<string, string> } = {}): SipRequest {
    let uri = this.remoteTarget;
    const routes = this.routeSet.slice();
    if (routes.length > 0) {
      const first = parseNameAddr(routes[0]!);
      if (!(isSipUri(first.uri) && first.uri.params.has('lr'))) {
        // strict router: Request-URI is the first route, remote target goes last
        uri = formatUri(first.uri);
        routes.shift();
        routes.push(`<${this.remoteTarget}>`);
      }
    }
    const req = new SipRequest(method, uri);
    if (routes.length) req.set('route', routes);
    req.set('max-forwards', '70');
    req.set('from', this.localParty);
    req.set('to', this.remoteParty);
    req.set('call-id', this.callId);
    const seq = opts.cseq ?? ++this.localSeq;
    req.set('cseq', `${seq} ${method}`);
    for (const [k, v] of Object.entries(opts.headers ?? {})) req.set(k, v);
    if (opts.body !== undefined) {
      req.set('content-type', opts.contentType ?? 'application/sdp');
      req.body = Buffer.from(opts.body, 'utf8');
    }
    return req;
  }

  /** Where a request built by createRequest goes (route set first, else our flow to the peer, else the target). */
  nextHop(): SendTarget {
    if (this.routeSet.length > 0) return targetFromUri(formatUri(parseNameAddr(this.routeSet[0]!).uri), this.flowTarget);
    return targetFromUri(this.remoteTarget, this.flowTarget);
  }
}

export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

function withTag(header: string, tag: string): string {
  return /;\s*tag\s*=/i.test(header) ? header : `${header};tag=${tag}`;
}

export function targetFromFlow(flow: Flow): SendTarget {
  return { protocol: flow.protocol, address: flow.remoteAddress, port: flow.remotePort, connectionId: flow.connectionId };
}

/**
 * Resolves a SIP URI to a transport target (RFC 3263 simplified: IP literals or names the OS resolves,
 * transport from the URI, default port). WebSocket URIs (host *.invalid) need the flow they registered on.
 */
export function targetFromUri(uriText: string, flow: SendTarget | undefined): SendTarget {
  const uri = parseUri(uriText);
  if (!isSipUri(uri)) throw new TypeError(`cannot route to ${uriText}`);
  const tp = (uri.params.get('transport') ?? '').toLowerCase();
  let protocol: TransportProtocol = uri.scheme === 'sips' ? 'tls' : 'udp';
  if (tp === 'tcp' || tp === 'tls' || tp === 'ws' || tp === 'wss' || tp === 'udp') protocol = tp;
  if (protocol === 'ws' || protocol === 'wss' || uri.host.endsWith('.invalid')) {
    if (!flow || flow.connectionId === undefined) throw new TypeError(`no connection for ${uriText}`);
    return flow;
  }
  // symmetric signalling: prefer the flow we already have with this peer (NAT friendly)
  if (flow && flow.protocol === protocol) return flow;
  const host = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
  return { protocol, address: host, port: uri.port ?? (protocol === 'tls' ? 5061 : 5060) };
}
