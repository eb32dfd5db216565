import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createResponse, type SipRequest, type SipResponse } from '../message/message.ts';
import { parseNameAddr } from '../message/name-addr.ts';
import { formatUri, isSipUri, parseUri, unescapeUser } from '../message/uri.ts';
import { parseBoundedInt, randomToken } from '../message/grammar.ts';
import type { Flow } from '../transport/flow.ts';
import type { Binding, BindingRemovedReason, BindingStore } from './binding.ts';

export interface RegistrarOptions {
  realm: string;
  store: BindingStore;
  logger: Logger;
  /** RFC 3261 10.3 step 7: shorter requests get 423 with Min-Expires. Default 60 */
  minExpires?: number;
  /** longer requests are shortened. Default 3600 */
  maxExpires?: number;
  /** used when neither Expires nor the expires parameter is given. Default 3600 */
  defaultExpires?: number;
  now?: () => number;
}

export interface RegistrarEvents {
  bindingAdded: [Binding];
  bindingRefreshed: [Binding];
  bindingRemoved: [Binding, BindingRemovedReason];
}

/** `sip:<user>@<realm>` for a user name or any SIP URI (we serve one domain: the realm). */
export function normalizeAor(userOrUri: string, realm: string): string {
  let user = userOrUri;
  if (/^sips?:/i.test(userOrUri)) {
    const u = parseUri(userOrUri);
    if (!isSipUri(u) || u.user === undefined) throw new TypeError(`not an address of record: ${userOrUri}`);
    user = u.user;
  }
  return `sip:${unescapeUser(user)}@${realm}`;
}

/**
 * The registrar (RFC 3261 10.3): several contacts per AOR, Expires header and parameter, "*" to remove all,
 * Call-ID/CSeq ordering, expiry, persistence through a BindingStore, and events when bindings come and go.
 * Authentication is done by the caller before `handle()`.
 */
export class Registrar extends EventEmitter<RegistrarEvents> {
  private readonly byAor = new Map<string, Map<string, Binding>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  readonly minExpires: number;
  readonly maxExpires: number;
  readonly defaultExpires: number;

  constructor(private readonly opts: RegistrarOptions) {
    super();
    this.now = opts.now ?? Date.now;
    this.minExpires = opts.minExpires ?? 60;
    this.maxExpires = opts.maxExpires ?? 3600;
    this.defaultExpires = opts.defaultExpires ?? 3600;
  }

  /** Loads persisted bindings; WebSocket ones died with their connections and are dropped. */
  async start(): Promise<void> {
    const now = this.now();
    for (const b of await this.opts.store.loadAll()) {
      if (b.expiresAt <= now || b.transport === 'ws' || b.transport === 'wss') {
        await this.opts.store.remove(b.aor, b.contact);
        continue;
      }
      this.put({ ...b, connectionId: null });
    }
    this.sweepTimer = setInterval(() => this.sweep(), 1000);
    this.sweepTimer.unref();
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  bindingsFor(aor: string): Binding[] {
    let key: string;
    try {
      key = normalizeAor(aor, this.opts.realm);
    } catch {
      return [];
    }
    const now = this.now();
    const m = this.byAor.get(key);
    if (!m) return [];
    return [...m.values()].filter((b) => b.expiresAt > now).sort((a, b) => b.q - a.q).map((b) => ({ ...b, path: [...b.path] }));
  }

  /** Every current binding (the registrar's own objects: read, do not change). */
  *all(): Generator<Binding> {
    for (const m of this.byAor.values()) yield* m.values();
  }

  get size(): number {
    let n = 0;
    for (const m of this.byAor.values()) n += m.size;
    return n;
  }

  private put(b: Binding): void {
    let m = this.byAor.get(b.aor);
    if (!m) {
      m = new Map();
      this.byAor.set(b.aor, m);
    }
    m.set(b.contact, b);
  }

  private drop(b: Binding, reason: BindingRemovedReason): void {
    const m = this.byAor.get(b.aor);
    if (!m || m.get(b.contact) !== b) return;
    m.delete(b.contact);
    if (m.size === 0) this.byAor.delete(b.aor);
    this.persist(this.opts.store.remove(b.aor, b.contact));
    this.safeEmit('bindingRemoved', b, reason);
  }

  private safeEmit<K extends keyof RegistrarEvents>(event: K, ...args: RegistrarEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: RegistrarEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.opts.logger.error({ err, event }, 'registrar listener threw');
    }
  }

  private persist(p: Promise<void>): void {
    p.catch((err: Error) => this.opts.logger.error({ err: err.message }, 'binding store failed'));
  }

  private sweep(): void {
    const now = this.now();
    for (const m of [...this.byAor.values()]) {
      for (const b of [...m.values()]) if (b.expiresAt <= now) this.drop(b, 'expired');
    }
  }

  /** A connection closed: bindings that can only be reached through it (WebSocket) are gone. */
  connectionClosed(connectionId: string): void {
    for (const m of [...this.byAor.values()]) {
      for (const b of [...m.values()]) {
        if (b.connectionId === connectionId && (b.transport === 'ws' || b.transport === 'wss')) this.drop(b, 'connection-closed');
      }
    }
  }

  /**
   * Processes an authenticated REGISTER (RFC 3261 10.3 steps 4-8) and returns the response.
   * `username` is the authenticated user, or undefined for a trusted source.
   */
  async handle(req: SipRequest, flow: Flow, username: string | undefined): Promise<SipResponse> {
    const toTag = randomToken(4);
    let aor: string;
    try {
      aor = normalizeAor(formatUri(req.to.uri), this.opts.realm);
    } catch {
      return createResponse(req, 404, 'Not Found', toTag); // RFC 3261 10.3 step 5: not a valid AOR here
    }
    // a device may only register its own AOR
    if (username !== undefined && aor !== normalizeAor(username, this.opts.realm)) {
      return createResponse(req, 403, 'Forbidden: AOR does not match the authenticated user', toTag);
    }
    const now = this.now();
    const contacts = req.getAll('contact');
    const expiresHeader = req.get('expires');
    const headerExpires = expiresHeader !== undefined ? parseBoundedInt(expiresHeader, 2 ** 32 - 1) : null;
    const { seq: cseq } = req.cseq;
    const callId = req.callId;
    const existing = this.byAor.get(aor);

    if (contacts.includes('*')) {
      // RFC 3261 10.3 step 6: "*" only alone and with Expires: 0
      if (contacts.length !== 1 || headerExpires !== 0) return createResponse(req, 400, 'Bad Request: "*" needs Expires: 0 and no other Contact', toTag);
      for (const b of existing ? [...existing.values()] : []) {
        if (b.callId === callId && cseq <= b.cseq) return createResponse(req, 500, 'Server Internal Error: out of order CSeq', toTag);
      }
      for (const b of existing ? [...existing.values()] : []) this.drop(b, 'unregistered');
      return this.okResponse(req, aor, toTag);
    }

    interface Change {
      contact: string;
      expires: number;
      instanceId: string | null;
      regId: number | null;
      q: number;
    }
    const changes: Change[] = [];
    for (const raw of contacts) {
      const na = parseNameAddr(raw); // validated before
      const expParam = na.params.get('expires');
      let expires = expParam != null ? Number(expParam) : headerExpires ?? this.defaultExpires;
      if (expires !== 0 && expires < this.minExpires) {
        // RFC 3261 10.3 step 7
        const res = createResponse(req, 423, 'Interval Too Brief', toTag);
        res.set('min-expires', String(this.minExpires));
        return res;
      }
      expires = Math.min(expires, this.maxExpires);
      const qRaw = na.params.get('q');
      const q = qRaw != null && /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(qRaw) ? Number(qRaw) : 1;
      const inst = na.params.get('+sip.instance');
      const regId = na.params.get('reg-id');
      changes.push({
        contact: formatUri(na.uri),
        expires,
        instanceId: inst ? inst.replace(/^"|"$/g, '') : null,
        regId: regId ? Number(regId) : null,
        q,
      });
    }
    // RFC 3261 10.3 step 7: same Call-ID with a CSeq not higher aborts the whole update
    for (const c of changes) {
      const b = existing?.get(c.contact);
      if (b && b.callId === callId && cseq <= b.cseq) return createResponse(req, 500, 'Server Internal Error: out of order CSeq', toTag);
    }
    for (const c of changes) {
      const b = existing?.get(c.contact);
      if (c.expires === 0) {
        if (b) this.drop(b, 'unregistered');
        continue;
      }
      const binding: Binding = {
        aor,
        contact: c.contact,
        expiresAt: now + c.expires * 1000,
        transport: flow.protocol,
        sourceAddress: flow.remoteAddress,
        sourcePort: flow.remotePort,
        connectionId: flow.connectionId ?? null,
        instanceId: c.instanceId,
        regId: c.regId,
        callId,
        cseq,
        path: req.getAll('path'),
        q: c.q,
        userAgent: req.get('user-agent') ?? null,
        username: username ?? null,
      };
      // RFC 5626 6: the same instance and reg-id replaces its previous flow
      if (c.instanceId && existing) {
        for (const other of [...existing.values()]) {
          if (other !== b && other.instanceId === c.instanceId && other.regId === c.regId) this.drop(other, 'unregistered');
        }
      }
      this.put(binding);
      this.persist(this.opts.store.upsert(binding));
      this.safeEmit(b ? 'bindingRefreshed' : 'bindingAdded', binding);
    }
    return this.okResponse(req, aor, toTag);
  }

  private okResponse(req: SipRequest, aor: string, toTag: string): SipResponse {
    const res = createResponse(req, 200, 'OK', toTag);
    const now = this.now();
    const m = this.byAor.get(aor);
    for (const b of m ? m.values() : []) {
      const left = Math.max(0, Math.round((b.expiresAt - now) / 1000));
      res.append('contact', `<${b.contact}>;expires=${left}`);
    }
    res.set('date', new Date(now).toUTCString());
    if (req.has('path')) res.set('path', req.getAll('path'));
    return res;
  }
}
