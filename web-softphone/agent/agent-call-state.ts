/**
 * The agent's current call, as the softphone sees it.
 *
 *   idle ──► offered ──► ringing ──► connecting ──► active ◄──► held
 *     │                    ▲            │              │          │
 *     └────────────────────┘            │              │          │
 *       (INVITE before/without an offer)│              │          │
 *   offered | ringing | connecting ─────┴──► idle      └──────────┴──► idle
 *   (declined, offer-cancelled, CANCEL, answer failed)   (hang-up, BYE, call-ended)
 *
 * `offered` is the server's offer over the agent socket; `ringing` means the INVITE is here and Answer works.
 */
export type AgentCallState = 'idle' | 'offered' | 'ringing' | 'connecting' | 'active' | 'held';

export const AGENT_CALL_TRANSITIONS: Readonly<Record<AgentCallState, readonly AgentCallState[]>> = {
  idle: ['offered', 'ringing'],
  offered: ['ringing', 'idle'],
  ringing: ['connecting', 'idle'],
  connecting: ['active', 'idle'],
  active: ['held', 'idle'],
  held: ['active', 'idle'],
};

export function canTransitionCall(from: AgentCallState, to: AgentCallState): boolean {
  return AGENT_CALL_TRANSITIONS[from].includes(to);
}
