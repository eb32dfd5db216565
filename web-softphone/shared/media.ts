import { Web, type Session } from 'sip.js';

/** The sip.js web session description handler of a session, once it exists. */
export function webHandler(session: Session): Web.SessionDescriptionHandler | undefined {
  const sdh = session.sessionDescriptionHandler;
  return sdh instanceof Web.SessionDescriptionHandler ? sdh : undefined;
}

/**
 * Plays the session's remote audio in `audio`. Call it when the session is established and again after every
 * re-INVITE: sip.js swaps the remote track inside the same MediaStream, so the element is re-pointed and
 * restarted, and it follows later track changes by itself.
 */
export function playRemoteAudio(session: Session, audio: HTMLAudioElement): void {
  const sdh = webHandler(session);
  if (!sdh) return;
  const stream = sdh.remoteMediaStream;
  const start = (): void => {
    if (audio.srcObject !== stream) audio.srcObject = stream;
    // A rejected play() (autoplay policy) is retried on the next track change or user click.
    void audio.play().catch(() => {});
  };
  start();
  if (!(stream as MediaStream & { __callflowFollowed?: boolean }).__callflowFollowed) {
    (stream as MediaStream & { __callflowFollowed?: boolean }).__callflowFollowed = true;
    stream.addEventListener('addtrack', start);
  }
}

/** Stops playing remote audio. */
export function stopRemoteAudio(audio: HTMLAudioElement): void {
  audio.pause();
  audio.srcObject = null;
}

/** Mutes or unmutes the microphone by disabling the local audio track(s). Returns false when there is no media yet. */
export function setMicrophoneEnabled(session: Session, enabled: boolean): boolean {
  const sdh = webHandler(session);
  if (!sdh) return false;
  sdh.enableSenderTracks(enabled);
  return true;
}

/**
 * Options for sip.js's session description handler factory. No STUN server: the default one is on the public
 * Internet, and the server side (rtpengine) is reachable directly.
 */
export const SDH_FACTORY_OPTIONS = {
  peerConnectionConfiguration: { iceServers: [] as RTCIceServer[] },
  iceGatheringTimeout: 2000,
};

/** Audio only, for `sessionDescriptionHandlerOptions`. */
export const AUDIO_ONLY = { constraints: { audio: true, video: false } };
