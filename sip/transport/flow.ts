/** Transport protocols we speak (RFC 3261 18, RFC 7118 for WS/WSS). */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** Where a message came from / goes to. `connectionId` names a connection-oriented flow. */
export interface Flow {
  protocol: TransportProtocol;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  connectionId: string | undefined;
  /**
   * The client's address as a trusted reverse proxy reported it (X-Forwarded-For), on a WebSocket that came
   * through one (see TransportOptions.ws.clientAddress); unset: remoteAddress is the client's.
   */
  clientAddress?: string | undefined;
}

/** The address a request comes from as far as we know it: the client's behind a trusted proxy, else the peer's. */
export function sourceOf(flow: Flow): string {
  return flow.clientAddress ?? flow.remoteAddress;
}

export interface SendTarget {
  protocol: TransportProtocol;
  address: string;
  port: number;
  /** Prefer this connection (WS clients can only be reached through their own connection). */
  connectionId?: string | undefined;
}

export function isReliable(p: TransportProtocol): boolean {
  return p !== 'udp';
}

export function viaTransport(p: TransportProtocol): string {
  return p.toUpperCase();
}

export function protocolFromVia(t: string): TransportProtocol | undefined {
  switch (t.toUpperCase()) {
    case 'UDP':
      return 'udp';
    case 'TCP':
      return 'tcp';
    case 'TLS':
      return 'tls';
    case 'WS':
      return 'ws';
    case 'WSS':
      return 'wss';
    default:
      return undefined;
  }
}

export function defaultPort(p: TransportProtocol): number {
  return p === 'tls' || p === 'wss' ? 5061 : 5060;
}
