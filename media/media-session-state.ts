/**
 * States of a media session (one call, two legs: customer and agent).
 *
 *            answerCustomer()                  offerToAgent()                answerFromAgent()
 *   idle ───────────────────▶ waiting ─────────────────────▶ agent-offered ───────────────────▶ bridged ◀──▶ held
 *     │                          ▲   cancelAgentOffer()          │  ▲                               │  hold()/resume()
 *     │ offerFromCustomer()      └───────────────────────────────┘  └───── offerToAgent() (transfer) ┘
 *     └──────────────────────────────────────────────────────────▶ agent-offered
 *
 *   bridged | held ── returnToWaitingRoom() (blind transfer to a queue) ──▶ waiting
 *   any state ── close() / rtpengine lost the call ──▶ closed
 */
export const MediaSessionState = {
  Idle: 'idle',
  Waiting: 'waiting',
  AgentOffered: 'agent-offered',
  Bridged: 'bridged',
  Held: 'held',
  Closed: 'closed',
} as const;
export type MediaSessionState = (typeof MediaSessionState)[keyof typeof MediaSessionState];

export const sessionTransitions: Record<MediaSessionState, readonly MediaSessionState[]> = {
  idle: ['waiting', 'agent-offered', 'closed'],
  waiting: ['agent-offered', 'closed'],
  'agent-offered': ['bridged', 'waiting', 'held', 'closed'],
  bridged: ['agent-offered', 'held', 'waiting', 'closed'],
  held: ['bridged', 'agent-offered', 'waiting', 'closed'],
  closed: [],
};

export type LegName = 'customer' | 'agent';
/** How a device talks: 'webrtc' = ICE + DTLS-SRTP + rtcp-mux (browsers), 'rtp' = plain RTP/AVP (desk phones, trunks). */
export type LegKind = 'webrtc' | 'rtp';

export interface DtmfEvent {
  callId: string;
  leg: LegName;
  digit: string;
  durationMs: number;
}
