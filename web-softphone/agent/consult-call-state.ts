/**
 * The agent's consult (attended transfer) about the call on this page's phone, as the page sees it.
 *
 *   holding ──► ringing ──► talking ──► joining ──► conference
 *                           ▲ ▲ │ ▲        │          │   ▲  │
 *                           │ │ │ └────────┘          │   │  │
 *                           │ │ │ (resume refused)    │   │  │
 *                           │ │ ▼                     │   │  │
 *                           │ └─ completing ◄─────────┘   │  │
 *                           │        └────────────────────┘  │ (refused: the conference goes on)
 *                           └────────────────────────────────┘ (the customer hung up)
 *
 *   every state but ended ──► ended
 *
 * `holding`: the customer is being put on hold; the consult INVITE goes once they are.
 * `ringing`: the consult call is placed (the server answers it at once: music) until the server says the other agent answered.
 * `talking`: the agent talks with the other agent; Complete transfer and Conference work.
 * `joining`: Conference was asked: the customer is being taken off hold; done, the three are mixed (conference),
 *   refused, the consult goes on (talking).
 * `conference`: the customer, the agent and the other agent hear each other (mixed on this page: conference-mix.ts);
 *   Complete transfer works; the customer hanging up leaves the consult (talking).
 * `completing`: Complete transfer was asked; refused, the consult goes on (talking, or conference if it was one and the
 *   customer is still there); done, it is over (the server hangs up).
 * `ended`: refused, cancelled (or the conference ended), hung up by the other side, handed over, or the agent signed out.
 */
export type ConsultState = 'holding' | 'ringing' | 'talking' | 'joining' | 'conference' | 'completing' | 'ended';

export const CONSULT_TRANSITIONS: Readonly<Record<ConsultState, readonly ConsultState[]>> = {
  holding: ['ringing', 'ended'],
  ringing: ['talking', 'ended'],
  talking: ['joining', 'completing', 'ended'],
  joining: ['conference', 'talking', 'ended'],
  conference: ['talking', 'completing', 'ended'],
  completing: ['talking', 'conference', 'ended'],
  ended: [],
};

export function canTransitionConsult(from: ConsultState, to: ConsultState): boolean {
  return CONSULT_TRANSITIONS[from].includes(to);
}
