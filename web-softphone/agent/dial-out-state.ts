/**
 * The agent's call to a phone number ("Call a number"), as the page sees it.
 *
 *   placing ──► dialing ──► ringing ──► talking ──► ended
 *
 * Forward only, a step may be skipped (the server's word of it lost while the socket was down, or never said: a
 * customer who answers at once); every state but ended ──► ended.
 *
 * `placing`: this page's phone sent the INVITE; the server has not said it dials yet (it may still refuse: 403, 486).
 * `dialing`: the server dials the number through its trunk (the first word of a call dialled from the desk phone too).
 * `ringing`: the customer's phone rings.
 * `talking`: the customer answered.
 * `ended`: hung up by either side, not answered, refused, or the agent signed out. A new call is a new one.
 */
export type DialState = 'placing' | 'dialing' | 'ringing' | 'talking' | 'ended';

export const DIAL_TRANSITIONS: Readonly<Record<DialState, readonly DialState[]>> = {
  placing: ['dialing', 'ringing', 'talking', 'ended'],
  dialing: ['ringing', 'talking', 'ended'],
  ringing: ['talking', 'ended'],
  talking: ['ended'],
  ended: [],
};

export function canTransitionDial(from: DialState, to: DialState): boolean {
  return DIAL_TRANSITIONS[from].includes(to);
}
