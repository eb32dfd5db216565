/**
 * Call (task) state machine. Callbacks are calls of kind 'callback' and follow the same states.
 *
 *   scheduled ──due──▶ waiting ──offer──▶ offered ──accept──▶ assigned ──connected──▶ connected
 *                        ▲                  │                     │                      │
 *                        └── miss/cancel ───┘                     └──── ended / transfer ┘
 *   waiting/offered/scheduled ──abandon / overflow out──▶ (removed)
 *   assigned/connected ──ended──▶ (removed);  ──transfer to queue──▶ waiting (new queue)
 *   assigned/connected ──consult completed (it was the consult call)──▶ (removed: its agent took the other call)
 */
export const CallState = {
  Scheduled: 'scheduled',
  Waiting: 'waiting',
  Offered: 'offered',
  Assigned: 'assigned',
  Connected: 'connected',
  Ended: 'ended',
} as const;
export type CallState = (typeof CallState)[keyof typeof CallState];

const ALLOWED: Record<CallState, readonly CallState[]> = {
  scheduled: ['waiting', 'ended'],
  waiting: ['offered', 'ended', 'waiting'],
  offered: ['waiting', 'assigned', 'ended'],
  assigned: ['connected', 'waiting', 'ended'],
  connected: ['waiting', 'ended'],
  ended: [],
};

/** The same table as a switch: a keyed lookup by a state string plus includes() is slow on the hot path. */
export function callTransitionAllowed(from: CallState, to: CallState): boolean {
  switch (from) {
    case 'scheduled':
      return to === 'waiting' || to === 'ended';
    case 'waiting':
      return to === 'offered' || to === 'ended' || to === 'waiting';
    case 'offered':
      return to === 'waiting' || to === 'assigned' || to === 'ended';
    case 'assigned':
      return to === 'connected' || to === 'waiting' || to === 'ended';
    case 'connected':
      return to === 'waiting' || to === 'ended';
    default:
      return false;
  }
}

/** The transition table as data (documentation and tests): callTransitionAllowed must agree with it. */
export const CALL_TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = ALLOWED;
