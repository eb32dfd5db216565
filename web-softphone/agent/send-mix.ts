/**
 * What a call sends, summed in the agent's browser, because rtpengine (10.5) has no mixer: the softphone's microphone and
 * other streams are mixed with Web Audio into one track, which replaces the microphone on the call's audio sender;
 * stop() puts the microphone back. Mute keeps acting on the microphone alone (`mic.enabled`), so the others mixed in are
 * still heard while the agent is muted.
 *
 * Used for barge-in (call-desk.ts: a supervisor who joined the call is heard by the caller) and for the conference
 * (conference-mix.ts: the customer and the consulted agent hear each other through the agent's two calls).
 */
export class SendMix {
  #stopped = false;

  private constructor(
    private readonly pc: RTCPeerConnection,
    private readonly sender: RTCRtpSender,
    /** the microphone track the call sent before (and sends again after stop) */
    readonly mic: MediaStreamTrack,
    private readonly audio: AudioContext,
    /** the context is this mix's own (closed by stop), not one the caller lent it */
    private readonly ownsAudio: boolean,
    private readonly sources: readonly MediaStreamAudioSourceNode[],
    private readonly out: MediaStreamAudioDestinationNode,
  ) {}

  /**
   * Mixes the audio of `others` into what `pc` sends; null when it sends no audio (or the call ended meanwhile). A stream
   * with no audio track (yet) adds nothing. `audio`: a context to mix in (its owner closes it after stop()); none: the mix
   * makes its own.
   */
  static async start(pc: RTCPeerConnection, others: readonly MediaStream[], audio?: AudioContext): Promise<SendMix | null> {
    const sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
    const mic = sender?.track;
    if (sender === undefined || mic == null || pc.signalingState === 'closed') return null;
    const ctx = audio ?? new AudioContext();
    const out = ctx.createMediaStreamDestination();
    const sources = [new MediaStream([mic]), ...others.map((s) => new MediaStream(s.getAudioTracks()))]
      .filter((s) => s.getAudioTracks().length > 0)
      .map((s) => ctx.createMediaStreamSource(s));
    for (const source of sources) source.connect(out);
    const mix = new SendMix(pc, sender, mic, ctx, audio === undefined, sources, out);
    await ctx.resume().catch(() => undefined);
    try {
      await sender.replaceTrack(out.stream.getAudioTracks()[0]!);
    } catch {
      await mix.stop(); // (the call ended meanwhile)
      return null;
    }
    return mix;
  }

  /**
   * The microphone goes back on the sender, and what the mix made is undone (its track stopped, its nodes disconnected,
   * its own context closed: not left waiting on the sender). A call that ended meanwhile sends nothing any more: its
   * session stopped the track it was sending (the mixed one), so the microphone, on no live sender, is stopped here.
   * Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const back = this.pc.signalingState === 'closed' || this.sender.track === this.mic ? undefined : this.sender.replaceTrack(this.mic).catch(() => undefined);
    for (const source of this.sources) source.disconnect();
    for (const track of this.out.stream.getTracks()) track.stop();
    const closing = this.ownsAudio ? this.audio.close().catch(() => undefined) : undefined;
    await back;
    if (this.pc.signalingState === 'closed') this.mic.stop();
    await closing;
  }
}
