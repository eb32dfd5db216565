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

/** The same table as a switch: a keyed lookup by a state string plus includes() is slow on the hot path. */
export function agentTransitionAllowed(from: AgentState, to: AgentState): boolean {
  switch (from) {
    case 'logged-out':
      return to === 'not-ready';
    case 'not-ready':
      return to === 'ready' || to === 'logged-out';
    case 'ready':
      return to === 'reserved' || to === 'not-ready' || to === 'logged-out';
    case 'reserved':
      return to === 'busy' || to === 'ready' || to === 'not-ready' || to === 'logged-out';
    case 'busy':
      return to === 'wrap-up' || to === 'ready' || to === 'not-ready' || to === 'logged-out';
    case 'wrap-up':
      return to === 'ready' || to === 'not-ready' || to === 'logged-out';
    default:
      return false;
  }
}

/** The transition table as data (documentation and tests): agentTransitionAllowed must agree with it. */
export const AGENT_TRANSITIONS: Readonly<Record<AgentState, readonly AgentState[]>> = ALLOWED;
