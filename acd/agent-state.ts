/**
 * Agent state machine.
 *
 *   logged-out ──login──▶ not-ready(reason) ◀──────────────┐
 *        ▲                   │    ▲                        │ (N consecutive misses,
 *        │ logout            ready│  │not-ready(reason)     │  or not-ready requested)
 *        │ (from any)        ▼    │                        │
 *        └──────────────── ready ──offer──▶ reserved ──accept──▶ busy ──call ended──▶ wrap-up
 *                            ▲               │  (ringing)         │                    │
 *                            │   miss/cancel │                    │ (no wrap-up time)  │ timer / done
 *                            └───────────────┴────────────────────┴────────────────────┘
 *
 * "Available" (routable) = state ready, device up, no call attached.
 */
export const AgentState = {
  LoggedOut: 'logged-out',
  NotReady: 'not-ready',
  Ready: 'ready',
  Reserved: 'reserved',
  Busy: 'busy',
  WrapUp: 'wrap-up',
} as const;
export type AgentState = (typeof AgentState)[keyof typeof AgentState];

const ALLOWED: Record<AgentState, readonly AgentState[]> = {
  'logged-out': ['not-ready'],
  'not-ready': ['ready', 'logged-out'],
  ready: ['reserved', 'not-ready', 'logged-out'],
  reserved: ['busy', 'ready', 'not-ready', 'logged-out'],
  busy: ['wrap-up', 'ready', 'not-ready', 'logged-out'],
  'wrap-up': ['ready', 'not-ready', 'logged-out'],
};

export function agentTransitionAllowed(from: AgentState, to: AgentState): boolean {
  return ALLOWED[from].includes(to);
}
