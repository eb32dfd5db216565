/**
 * The agent's consult (attended transfer) about the call on this page's phone, as the page sees it.
 *
 *   holding ──► ringing ──► talking ◄──► completing
 *      │           │           │             │
 *      └───────────┴───────────┴─────────────┴──► ended
 *
 * `holding`: the customer is being put on hold; the consult INVITE goes once they are.
 * `ringing`: the consult call is placed (the server answers it at once: music) until the server says the other agent answered.
 * `talking`: the agent talks with the other agent; Complete transfer works.
 * `completing`: Complete transfer was asked; refused, the consult goes on (talking); done, it is over (the server hangs up).
 * `ended`: refused, cancelled, hung up by the other side, handed over, or the agent signed out.
 */
export type ConsultState = 'holding' | 'ringing' | 'talking' | 'completing' | 'ended';

export const CONSULT_TRANSITIONS: Readonly<Record<ConsultState, readonly ConsultState[]>> = {
  holding: ['ringing', 'ended'],
  ringing: ['talking', 'ended'],
  talking: ['completing', 'ended'],
  completing: ['talking', 'ended'],
  ended: [],
};

export function canTransitionConsult(from: ConsultState, to: ConsultState): boolean {
  return CONSULT_TRANSITIONS[from].includes(to);
}
