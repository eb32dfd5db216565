/**
 * States of a customer's call in the call layer.
 *
 *   answering ──answered──▶ waiting ──offer──▶ offering ──agent answered──▶ connected
 *       │                     ▲                   │                            │
 *       │                     ├── offer failed ───┘                            │
 *       │                     └──────── transfer to a queue ───────────────────┤
 *       └──────────────── caller hangs up / overflow / failure (any state) ────┴──▶ ended
 */
export const CustomerCallState = {
  Answering: 'answering',
  Waiting: 'waiting',
  Offering: 'offering',
  Connected: 'connected',
  Ended: 'ended',
} as const;
export type CustomerCallState = (typeof CustomerCallState)[keyof typeof CustomerCallState];

const ALLOWED: Record<CustomerCallState, readonly CustomerCallState[]> = {
  answering: ['waiting', 'offering', 'ended'],
  waiting: ['offering', 'ended'],
  offering: ['waiting', 'connected', 'ended'],
  connected: ['waiting', 'ended'],
  ended: [],
};

export function customerCallTransitionAllowed(from: CustomerCallState, to: CustomerCallState): boolean {
  return ALLOWED[from].includes(to);
}
