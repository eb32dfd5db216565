import type { Session } from 'sip.js';
import { webHandler } from '../shared/media.ts';
import type { CallDesk } from './call-desk.ts';
import { SendMix } from './send-mix.ts';

/** The customer's call, as the conference mixes into it and hears it. */
export type ConferenceDesk = Pick<CallDesk, 'mixIn' | 'remoteAudio'>;

/**
 * The media of a three-way conference, mixed in the consulting agent's browser (rtpengine 10.5 has no mixer), in one
 * AudioContext: the customer's call sends the microphone and the consulted agent's voice, the consult call sends the
 * microphone and the customer's; the agent hears both calls (their audio elements, not this). Each call keeps its own
 * microphone track on the side, to be put back by stop(). Mute silences both microphones, and only them: the customer
 * and the other agent go on hearing each other.
 */
export class ConferenceMix {
  #stopped = false;

  private constructor(
    private readonly desk: ConferenceDesk,
    /** what the consult call sends: the microphone and the customer */
    private readonly toConsult: SendMix,
    private readonly audio: AudioContext,
  ) {}

  /**
   * Mixes the customer's call and the consult call into each other; null when either has no media to mix (no audio
   * sent or received yet, or it ended meanwhile): nothing is left mixed then. `muted`: the agent's mute, as the desk has it.
   */
  static async start(desk: ConferenceDesk, consult: Session, muted: boolean): Promise<ConferenceMix | null> {
    const handler = webHandler(consult);
    const pc = handler?.peerConnection;
    const otherAgent = handler?.remoteMediaStream;
    const customer = desk.remoteAudio();
    if (pc == null || !otherAgent?.getAudioTracks().length || !customer?.getAudioTracks().length) return null;
    const audio = new AudioContext();
    // (a source the browser cannot make, say, mixes nothing)
    const toConsult = await SendMix.start(pc, [customer], audio).catch(() => null);
    // (the desk mixes into the customer's call with its own microphone, and keeps a barge-in's supervisor in it)
    const toCustomer = toConsult !== null && (await desk.mixIn('conference', otherAgent, audio));
    if (toConsult === null || !toCustomer) {
      await Promise.all([toConsult?.stop(), desk.mixIn('conference', null)]);
      await audio.close().catch(() => undefined);
      return null;
    }
    const mix = new ConferenceMix(desk, toConsult, audio);
    mix.setMuted(muted);
    return mix;
  }

  /** The agent's microphone on the consult call follows the desk's mute (the desk mutes its own call's). */
  setMuted(muted: boolean): void {
    if (!this.#stopped) this.toConsult.mic.enabled = !muted;
  }

  /**
   * Each call sends the microphone alone again (the consult call's unmuted: mute is the customer's call's control), the
   * mixed tracks are stopped and the context closed. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.toConsult.mic.enabled = true;
    await Promise.all([this.toConsult.stop(), this.desk.mixIn('conference', null)]);
    await this.audio.close().catch(() => undefined);
  }
}
