/**
 * Barge-in on the agent's side: a supervisor who joins the call is heard by the caller through the agent's browser
 * softphone, because rtpengine (10.5) has no mixer. The softphone's microphone and the coach's stream (which the page
 * plays to the agent already) are mixed with Web Audio into one track, which replaces the microphone on the call's
 * audio sender; stop() puts the microphone back. Mute keeps acting on the microphone alone, so the caller still
 * hears the supervisor while the agent is muted.
 */
export class SendMix {
  private constructor(
    private readonly sender: RTCRtpSender,
    /** the microphone track the call sent before (and sends again after stop) */
    readonly mic: MediaStreamTrack,
    private readonly audio: AudioContext,
  ) {}

  /** Mixes `other` into the audio `pc` sends; null when it sends no audio. */
  static async start(pc: RTCPeerConnection, other: MediaStream): Promise<SendMix | null> {
    const sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
    const mic = sender?.track;
    if (sender === undefined || mic == null) return null;
    const audio = new AudioContext();
    const out = audio.createMediaStreamDestination();
    audio.createMediaStreamSource(new MediaStream([mic])).connect(out);
    audio.createMediaStreamSource(other).connect(out);
    await audio.resume().catch(() => undefined);
    await sender.replaceTrack(out.stream.getAudioTracks()[0]!);
    return new SendMix(sender, mic, audio);
  }

  /** The microphone goes back on the sender (a call that ended meanwhile has nothing to put it back on). */
  async stop(): Promise<void> {
    await this.sender.replaceTrack(this.mic).catch(() => undefined);
    await this.audio.close().catch(() => undefined);
  }
}
