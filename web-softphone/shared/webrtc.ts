/**
 * Small WebRTC helpers for the pages that take a server's offer directly (no SIP): the supervisor's listen and coach,
 * the agent page's coach stream.
 */

/** Waits for the ICE candidates: the answer carries them all (the server takes no trickled ones). */
export function iceGathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', done);
  });
}
