/**
 * A supervisor coaching the agent (whisper): the server's `coach` message brings a receive-only offer of the coach's
 * voice, which this page answers (PUT /api/agent/coach/{coachId}) and plays; the caller does not hear it. The page
 * plays it whichever device the agent talks on. `coach-ended` (or the call's end) stops it. When the coach joins the
 * call (`coach-barge`), the call desk mixes this stream into what the softphone sends the caller (send-mix.ts).
 */
import { fetchJson } from '../shared/http.ts';
import { iceGathered } from '../shared/webrtc.ts';

export class CoachStream {
  readonly #pc = new RTCPeerConnection();
  readonly #player = new Audio();
  /** the coach's voice, once it arrives (barge-in mixes it into the call) */
  stream: MediaStream | null = null;

  private constructor(readonly coachId: string) {
    this.#pc.ontrack = (e) => {
      this.stream = new MediaStream([e.track]);
      this.#player.srcObject = this.stream;
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
