/**
 * A supervisor coaching the agent (whisper): the server's `coach` message brings a receive-only offer of the coach's
 * voice, which this page answers (PUT /api/agent/coach/{coachId}) and plays; the caller does not hear it. The page
 * plays it whichever device the agent talks on. `coach-ended` (or the call's end) stops it.
 */
import { fetchJson } from '../shared/http.ts';
import { iceGathered } from '../shared/webrtc.ts';

export class CoachStream {
  readonly #pc = new RTCPeerConnection();
  readonly #player = new Audio();

  private constructor(readonly coachId: string) {
    this.#pc.ontrack = (e) => {
      this.#player.srcObject = new MediaStream([e.track]);
      void this.#player.play().catch(() => undefined);
    };
  }

  static async answer(coachId: string, sdp: string, token: string): Promise<CoachStream> {
    const c = new CoachStream(coachId);
    try {
      await c.#pc.setRemoteDescription({ type: 'offer', sdp });
      await c.#pc.setLocalDescription(await c.#pc.createAnswer());
      await iceGathered(c.#pc);
      await fetchJson(`/api/agent/coach/${encodeURIComponent(coachId)}`, { method: 'PUT', body: { sdp: c.#pc.localDescription!.sdp }, token });
    } catch (err) {
      c.close();
      throw err;
    }
    return c;
  }

  close(): void {
    this.#pc.close();
    this.#player.srcObject = null;
  }
}
