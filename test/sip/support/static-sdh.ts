import type { BodyAndContentType, SessionDescriptionHandler } from 'sip.js';

/**
 * FAKE: sip.js's real SessionDescriptionHandler needs WebRTC (RTCPeerConnection), which Node does not have.
 * This one hands out a fixed SDP so that sip.js can run its real signalling in Node; media is not exercised.
 */
export class StaticSdh implements SessionDescriptionHandler {
  remote: string | undefined;
  constructor(private readonly sdp: string) {}
  close(): void {}
  async getDescription(): Promise<BodyAndContentType> {
    return { body: this.sdp, contentType: 'application/sdp' };
  }
  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }
  async setDescription(sdp: string): Promise<void> {
    this.remote = sdp;
  }
  sendDtmf(): boolean {
    return false;
  }
}
