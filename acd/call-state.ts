/**
 * Call (task) state machine. Callbacks are calls of kind 'callback' and follow the same states.
 *
 *   scheduled ──due──▶ waiting ──offer──▶ offered ──accept──▶ assigned ──connected──▶ connected
 *                        ▲                  │                     │                      │
 *                        └── miss/cancel ───┘                     └──── ended / transfer ┘
 *   waiting/offered/scheduled ──abandon / overflow out──▶ (removed)
 *   assigned/connected ──ended──▶ (removed);  ──transfer to queue──▶ waiting (new queue)
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

export function callTransitionAllowed(from: CallState, to: CallState): boolean {
  return ALLOWED[from].includes(to);
}
