/**
 * The agent's current call, as the softphone sees it.
 * `elsewhere`: another of the agent's devices (a desk phone) took the call; the page keeps showing the caller.
 *
 *   idle ──► offered ──► ringing ──► connecting ──► active ◄──► held
 *     │                    ▲            │              │          │
 *     └────────────────────┘            │              │          │
 *       (INVITE before/without an offer)│              │          │
 *   offered | ringing | connecting ─────┴──► idle      └──────────┴──► idle
 *   (declined, offer-cancelled, CANCEL, answer failed)   (hang-up, BYE, call-ended)
 *
 * `offered` is the server's offer over the agent socket; `ringing` means the INVITE is here and Answer works.
 *   idle | offered | ringing ──► elsewhere ──► idle   (connected on another device; call-ended)
 *
 * A consult call that becomes the customer's (connected with `replaces`: the consulting agent handed the caller over)
 * keeps its state and its SIP session; only the call it is (id, context) changes.
 */
export type AgentCallState = 'idle' | 'offered' | 'ringing' | 'connecting' | 'active' | 'held' | 'elsewhere';

export const AGENT_CALL_TRANSITIONS: Readonly<Record<AgentCallState, readonly AgentCallState[]>> = {
  idle: ['offered', 'ringing', 'elsewhere'],
  offered: ['ringing', 'idle', 'elsewhere'],
  ringing: ['connecting', 'idle', 'elsewhere'],
  connecting: ['active', 'idle'],
  active: ['held', 'idle'],
  held: ['active', 'idle'],
  elsewhere: ['idle'],
};

export function canTransitionCall(from: AgentCallState, to: AgentCallState): boolean {
  return AGENT_CALL_TRANSITIONS[from].includes(to);
}
