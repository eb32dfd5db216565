/**
 * sip/ — our RFC 3261 stack: message, transport (UDP/TCP/TLS/WS/WSS), transaction, dialog, auth, registrar,
 * and B2BUA primitives for the call layer. It never imports server/, acd/, media/ or db/.
 *
 * ## Wiring (server/ is the composition root)
 * ```ts
 * const sip = createSipServer({
 *   host: '0.0.0.0' | '127.0.0.1', udpPort: 5060, tcpPort: 5060, realm: 'example.com',
 *   trustedSources: ['10.0.0.0/8'],                 // never challenged
 *   ws: { server: fastify.server },                  // RFC 7118 WebSocket on the HTTP port, path '/sip'
 *   tls: { cert, key, port: 5061, wssPort: 8443 },   // optional
 *   logger, maxMessageSize: 65535,
 *   credentials: CredentialStore,                    // lookup(username) -> { username, realm, ha1Md5, ha1Sha256, agentId? } | null
 *   bindings: BindingStore,                          // loadAll() / upsert(binding) / remove(aor, contact): see registrar/binding.ts
 * });
 * await sip.start(); ... await sip.close();
 * ```
 * HA1 values are made with `computeHa1(algorithm, username, realm, password)` from `sip/auth/ha1.ts`.
 *
 * ## Registrar
 * - `sip.bindingsFor('1001' | 'sip:1001@realm')` → `Binding[]` (best q first).
 * - events `bindingAdded(binding)`, `bindingRefreshed(binding)`, `bindingRemoved(binding, reason)` with reason
 *   `'unregistered' | 'expired' | 'connection-closed'` (a browser's WebSocket closed) — the ACD listens to know
 *   when an agent's device goes away.
 *
 * ## Incoming calls (UAS leg)
 * `sip.on('incomingCall', (call: IncomingCall) => …)` fires for an INVITE that passed digest auth (407 challenge)
 * or came from a trusted source. Without a listener the INVITE gets 480.
 * - identity: `call.identity.username` (authenticated digest user), `.agentId`, `.trusted`
 * - request: `call.header('X-Call-Token')`, `call.requestUri`, `call.fromUri`, `call.toUri`, `call.request`
 * - `call.remoteSdp` (offer), `call.progress(180 | 183, sdp?)`, `call.answer(sdp): Promise<void>` (resolves on ACK),
 *   `call.reject(status, reason?)`, `call.bye(): Promise<void>`, `call.reinvite(sdp): Promise<answerSdp>`
 * - events: `cancel`, `ack`, `bye`, `reinvite(offerSdp)`, `refer(targetUri, referredBy?)`, `dtmf(digit)` (INFO),
 *   `stateChange(CallState)`, `close(reason)`
 * - `call.setReinviteHandler(async (offer) => answerSdp)` supplies the answer to a re-INVITE (hold/resume);
 *   `call.notifyRefer(status)` reports transfer progress to the REFER sender.
 *
 * ## Outgoing calls (UAC leg)
 * `sip.placeCall({ target: binding | 'sip:uri', from, to?, sdp, headers? }) → OutgoingCall`
 * - events: `provisional(status, sdp?)`, `answered(sdp)`, `failed(status, reason)`, `bye`, `reinvite`, `refer`,
 *   `dtmf`, `close(reason)`
 * - `cancel()`, `bye()`, `reinvite(sdp): Promise<answerSdp>`
 * Requests to a browser go down its own WebSocket; to desk phones, to the address their REGISTER came from.
 *
 * A B2BUA bridges the two: on `incomingCall` place a call, relay `provisional` → `progress`, `answered` → `answer`,
 * `bye` on either leg → `bye()` on the other, `cancel` → `cancel()`.
 */
export { createSipServer, SipStack } from './stack.ts';
export type { SipStackOptions, SipStackEvents, PlaceCallOptions, SipStackStats } from './stack.ts';
export { IncomingCall } from './b2bua/incoming-call.ts';
export type { CallerIdentity, IncomingCallEvents } from './b2bua/incoming-call.ts';
export { ANSWERED_ELSEWHERE, OutgoingCall } from './b2bua/outgoing-call.ts';
export { bridge } from './b2bua/bridge.ts';
export type { OutgoingCallEvents } from './b2bua/outgoing-call.ts';
export { CallState } from './b2bua/call-state.ts';
export { MemoryCredentialStore } from './auth/credential-store.ts';
export type { CredentialStore, SipCredential } from './auth/credential-store.ts';
export { computeHa1 } from './auth/ha1.ts';
export type { DigestAlgorithm } from './auth/ha1.ts';
export { MemoryBindingStore, bindingKey } from './registrar/binding.ts';
export type { Binding, BindingStore, BindingRemovedReason } from './registrar/binding.ts';
export { normalizeAor } from './registrar/registrar.ts';
export { SipError, InvalidStateError, SipParseError } from './message/errors.ts';
export type { SipErrorCode } from './message/errors.ts';
export { SipRequest, SipResponse } from './message/message.ts';
export { parseMessage } from './message/parser.ts';
export type { TransportProtocol } from './transport/flow.ts';
/** a table for per-call entries that come and go, in place of a Map (why: see core/key-table.ts) */
export { KeyTable } from './core/key-table.ts';
