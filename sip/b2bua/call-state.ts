/**
 * State of one call leg (either direction).
 *
 *   Initial ──1xx with tag──> Early ──2xx──> Established ──BYE (either side)──> Terminated
 *      │                        │                                                  ▲
 *      └──── reject / CANCEL / failure / timeout ──────────────────────────────────┘
 *
 * Initial -> Established is allowed (answer without ringing).
 */
export enum CallState {
  Initial = 'initial',
  Early = 'early',
  Established = 'established',
  Terminated = 'terminated',
}

export const CALL_MOVES: Record<CallState, CallState[]> = {
  [CallState.Initial]: [CallState.Early, CallState.Established, CallState.Terminated],
  [CallState.Early]: [CallState.Established, CallState.Terminated],
  [CallState.Established]: [CallState.Terminated],
  [CallState.Terminated]: [],
};
