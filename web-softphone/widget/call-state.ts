/**
 * The customer's call, as the widget sees it.
 *
 *   idle ──► starting ──► queued ◄──► ringing ──► connected ──► ended
 *              │  │  │        │          │            │
 *              │  │  └────────┼──────────┼────────────┼──────► ended   (hang-up, server ended it)
 *              │  └───────────┴──────────┴────────────┴──────► failed  (refused, no microphone, connection lost)
 *              └──► ringing / connected directly (the server may skip the queue)
 *   ended | failed ──► starting (call again)
 *
 * ringing ──► queued happens when the agent did not answer and the call went back to the head of the queue.
 */
export type CallState = 'idle' | 'starting' | 'queued' | 'ringing' | 'connected' | 'ended' | 'failed';

export const CALL_TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = {
  idle: ['starting'],
  starting: ['queued', 'ringing', 'connected', 'ended', 'failed'],
  queued: ['ringing', 'connected', 'ended', 'failed'],
  ringing: ['queued', 'connected', 'ended', 'failed'],
  connected: ['queued', 'ended', 'failed'], // queued again: the agent transferred the call to another queue
  ended: ['starting'],
  failed: ['starting'],
};

/** States in which a call exists (the widget holds a SIP session or is about to). */
export function isLive(state: CallState): boolean {
  return state === 'starting' || state === 'queued' || state === 'ringing' || state === 'connected';
}

export function canTransition(from: CallState, to: CallState): boolean {
  return CALL_TRANSITIONS[from].includes(to);
}
