import type { Logger } from 'pino';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { TransportProtocol } from '../transport/flow.ts';
import type { CallLeg } from './call-leg.ts';

/** What call legs need from the stack (kept narrow so legs never reach the stack itself). */
export interface LegContext {
  tl: TransactionLayer;
  logger: Logger;
  userAgent: string;
  /** an established call is ended with BYE after this long (0 = never); guards against peers that vanish */
  maxCallDurationMs: number;
  /** RFC 4028 Min-SE: the smallest session interval we accept (422 below it) */
  sessionMinSeconds: number;
  /** our Contact URI for a transport; `sips`: a SIPS URI (a dialog set up with a sips: Request-URI, RFC 3261 12.1.1) */
  contactUri(protocol: TransportProtocol, sips?: boolean): string;
  registerDialog(id: string, leg: CallLeg): void;
  unregisterDialog(id: string): void;
}
