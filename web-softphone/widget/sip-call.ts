import { Inviter, SessionState, UserAgent, type Session } from 'sip.js';
import { Emitter } from '../shared/emitter.ts';
import { WebError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { createUserAgent } from '../shared/user-agent.ts';
import { AUDIO_ONLY, playRemoteAudio, setMicrophoneEnabled, stopRemoteAudio } from '../shared/media.ts';
import type { CallSipCredentials } from './api-client.ts';

export interface SipCallEvents extends Record<string, unknown[]> {
  /** The server answered the INVITE; remote audio is playing. */
  established: [];
  /** The call is over. `error` is set when it failed rather than ended (rejected INVITE, transport gone). */
  terminated: [reason: string, error?: WebError];
}

/**
 * The customer's one SIP call: a sip.js UserAgent over the server's WebSocket (no REGISTER) and one Inviter
 * carrying the call token. Remote audio plays in the given <audio> element. close() is idempotent and stops the UA.
 */
export class SipCall extends Emitter<SipCallEvents> {
  readonly #ua: UserAgent;
  readonly #inviter: Inviter;
  readonly #audio: HTMLAudioElement;
  readonly #log: Logger;
  #failure: WebError | undefined;
  #closed = false;
  #terminatedEmitted = false;

  constructor(creds: CallSipCredentials, token: string, audio: HTMLAudioElement, log: Logger) {
    super(log);
    this.#log = log;
    this.#audio = audio;
    const target = UserAgent.makeURI(creds.target);
    if (!target) throw new WebError('WEB_ERR_BAD_RESPONSE', `sip.target "${creds.target}" is not a SIP URI`);
    this.#ua = createUserAgent(creds, log, {
      onDisconnect: (err) => {
        if (err) this.#fail(new WebError('WEB_ERR_SIP', 'The connection to the server was lost.'));
      },
    });
    this.#inviter = new Inviter(this.#ua, target, {
      extraHeaders: [`X-Call-Token: ${token}`],
      sessionDescriptionHandlerOptions: AUDIO_ONLY,
    });
    this.#inviter.delegate = {
      // A re-INVITE from the server (e.g. bridging the agent in) may swap the remote track.
      onInvite: () => playRemoteAudio(this.#inviter, this.#audio),
    };
    this.#inviter.stateChange.addListener((state) => this.#onSessionState(state));
  }

  /** The SIP session, for hosts and tests that want to look deeper. */
  get session(): Session {
    return this.#inviter;
  }

  /** Connects the WebSocket and sends the INVITE. Rejects when either fails. */
  async start(): Promise<void> {
    try {
      await this.#ua.start();
    } catch (err) {
      throw new WebError('WEB_ERR_SIP', `Could not connect to the call server (${err instanceof Error ? err.message : String(err)}).`);
    }
    await this.#inviter.invite({
      requestDelegate: {
        onReject: (response) => {
          const { statusCode, reasonPhrase } = response.message;
          this.#failure = new WebError('WEB_ERR_SIP', `The call was refused (${statusCode} ${reasonPhrase}).`, statusCode);
        },
      },
    });
  }

  /** Mutes or unmutes the microphone. False when there is no media yet. */
  setMuted(muted: boolean): boolean {
    return setMicrophoneEnabled(this.#inviter, !muted);
  }

  /** CANCEL before the answer, BYE after it. Safe in any state. */
  hangup(): void {
    const state = this.#inviter.state;
    const done = (err: unknown): void => this.#log.warn({ err: String(err) }, 'hangup failed');
    if (state === SessionState.Initial || state === SessionState.Establishing) void this.#inviter.cancel().catch(done);
    else if (state === SessionState.Established) void this.#inviter.bye().catch(done);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.hangup();
    stopRemoteAudio(this.#audio);
    void this.#ua.stop().catch((err) => this.#log.warn({ err: String(err) }, 'user agent stop failed'));
    this.removeAll();
  }

  #onSessionState(state: SessionState): void {
    this.#log.debug({ state }, 'SIP session state');
    if (state === SessionState.Established) {
      playRemoteAudio(this.#inviter, this.#audio);
      this.emit('established');
    } else if (state === SessionState.Terminated) {
      this.#emitTerminated(this.#failure ? 'failed' : 'hangup', this.#failure);
    }
  }

  #fail(err: WebError): void {
    this.#failure ??= err;
    this.#emitTerminated('failed', this.#failure);
  }

  #emitTerminated(reason: string, error?: WebError): void {
    if (this.#terminatedEmitted) return;
    this.#terminatedEmitted = true;
    stopRemoteAudio(this.#audio);
    this.emit('terminated', reason, error);
  }
}
