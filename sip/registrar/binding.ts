import type { TransportProtocol } from '../transport/flow.ts';

/**
 * One registered contact (RFC 3261 10.3). These are the fields the persistent store must keep
 * (suggested table `sip_bindings`, primary key (aor, contact)).
 */
export interface Binding {
  /** address of record, normalized: `sip:<user>@<realm>` */
  aor: string;
  /** the Contact URI as registered */
  contact: string;
  /** epoch milliseconds */
  expiresAt: number;
  /** transport the REGISTER arrived on */
  transport: TransportProtocol;
  /** source address/port of the REGISTER (RFC 3581 received/rport): where requests are sent */
  sourceAddress: string;
  sourcePort: number;
  /** connection the REGISTER came on (TCP/TLS/WS); meaningless after a restart */
  connectionId: string | null;
  /** +sip.instance and reg-id (RFC 5626) if the UA sent them */
  instanceId: string | null;
  regId: number | null;
  callId: string;
  cseq: number;
  /** Path header values (RFC 3327), in order */
  path: string[];
  /** q value 0..1, default 1 */
  q: number;
  userAgent: string | null;
  /** the authenticated digest username, if any */
  username: string | null;
}

/** One binding per (AOR, contact): the key the registrar's users index bindings by. */
export function bindingKey(b: Pick<Binding, 'aor' | 'contact'>): string {
  return `${b.aor}\n${b.contact}`;
}

/** Registrar persistence: bindings survive a restart. The lead implements it on PostgreSQL. */
export interface BindingStore {
  loadAll(): Promise<Binding[]>;
  upsert(binding: Binding): Promise<void>;
  remove(aor: string, contact: string): Promise<void>;
}

export class MemoryBindingStore implements BindingStore {
  private readonly rows = new Map<string, Binding>();

  async loadAll(): Promise<Binding[]> {
    return [...this.rows.values()].map((b) => ({ ...b, path: [...b.path] }));
  }

  async upsert(binding: Binding): Promise<void> {
    this.rows.set(bindingKey(binding), { ...binding, path: [...binding.path] });
  }

  async remove(aor: string, contact: string): Promise<void> {
    this.rows.delete(bindingKey({ aor, contact }));
  }

  get size(): number {
    return this.rows.size;
  }
}

/** Why a binding went away. */
export type BindingRemovedReason = 'unregistered' | 'expired' | 'connection-closed';
