/**
 * States of a customer's call in the call layer.
 *
 *   answering ──answered──▶ waiting ──offer──▶ offering ──agent answered──▶ connected
 *       │   │                 ▲ ▲                 │                            │
 *       │   └─answered─▶ menu ┘ ├── offer failed ─┘                            │
 *       │  (dialled an IVR menu)│                                              │
 *       │                       └──────── transfer to a queue ─────────────────┤
 *       │   menu / waiting / offering ──voicemail──▶ voicemail (recording) ──────┤
 *       │                  connected ──agent hung up, queue asks──▶ survey (rating) ─┤
 *       └──────────────── caller hangs up / overflow / failure (any state) ────┴──▶ ended
 */
export const CustomerCallState = {
  Answering: 'answering',
  /** in an IVR menu: the caller picks the queue (and maybe the language) by key */
  Menu: 'menu',
  Waiting: 'waiting',
  Offering: 'offering',
  Connected: 'connected',
  /** the queue overflowed to voicemail: the caller hears the prompt and leaves a message */
  Voicemail: 'voicemail',
  /** the agent hung up and the queue asks for a rating: the phone caller hears the question and presses 1–5 */
  Survey: 'survey',
  Ended: 'ended',
} as const;
export type CustomerCallState = (typeof CustomerCallState)[keyof typeof CustomerCallState];

const ALLOWED: Record<CustomerCallState, readonly CustomerCallState[]> = {
  answering: ['menu', 'waiting', 'offering', 'ended'],
  menu: ['waiting', 'voicemail', 'ended'],
  waiting: ['offering', 'voicemail', 'ended'],
  offering: ['waiting', 'connected', 'voicemail', 'ended'],
  connected: ['waiting', 'survey', 'ended'],
  voicemail: ['ended'],
  survey: ['ended'],
  ended: [],
};

export function customerCallTransitionAllowed(from: CustomerCallState, to: CustomerCallState): boolean {
  return ALLOWED[from].includes(to);
}
