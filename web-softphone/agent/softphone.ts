import { Inviter, Registerer, RegistererState, UserAgent, type Invitation } from 'sip.js';
import { Emitter } from '../shared/emitter.ts';
import { WebError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { AUDIO_ONLY } from '../shared/media.ts';
import { createUserAgent } from '../shared/user-agent.ts';
import type { SoftphoneCredentials } from './api-client.ts';

/**
 * Registration as the agent sees it.
 *
 *   registering ──► registered ──► unregistered ──► registering (transport back)
 *        │               │
 *        └──► failed ◄───┘   (refused REGISTER, transport could not connect)
 */
export type RegistrationStatus = 'registering' | 'registered' | 'unregistered' | 'failed';

export interface SoftphoneEvents extends Record<string, unknown[]> {
  registration: [status: RegistrationStatus, detail: string];
  /**
   * An incoming INVITE. `callId` is its X-Callflow-Call-Id header ('' when absent); `replaces` its X-Callflow-Replaces
   * header: the consult call on this phone whose place it takes (the consulting agent completed the transfer), or ''.
   */
  invitation: [invitation: Invitation, callId: string, replaces: string];
}

/**
 * The agent's browser phone: a sip.js UserAgent over the server's WebSocket with a Registerer, handing incoming
 * INVITEs to whoever listens and placing the agent's own calls (consults, calls to numbers). close() unregisters and stops; it is idempotent.
 */
export class Softphone extends Emitter<SoftphoneEvents> {
  /** the phone's own SIP URI (sip:<user>@<realm>) */
  readonly uri: string;
  readonly #ua: UserAgent;
  readonly #registerer: Registerer;
  readonly #log: Logger;
  #status: RegistrationStatus = 'registering';
  #closed = false;

  constructor(creds: SoftphoneCredentials, log: Logger) {
    super(log);
    this.#log = log;
    this.uri = creds.uri;
    this.#ua = createUserAgent(creds, log, {
      onInvite: (invitation) => {
        const callId = invitation.request.getHeader('X-Callflow-Call-Id')?.trim() ?? '';
        const replaces = invitation.request.getHeader('X-Callflow-Replaces')?.trim() ?? '';
        this.emit('invitation', invitation, callId, replaces);
      },
      onConnect: () => {
        if (!this.#closed) this.#register();
      },
      onDisconnect: (err) => {
        if (!this.#closed) this.#setStatus(err ? 'failed' : 'unregistered', err ? 'connection to the server lost' : '');
      },
    }, 'softphone uri');
    this.#registerer = new Registerer(this.#ua);
    this.#registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered) this.#setStatus('registered', '');
      else if (state === RegistererState.Unregistered && this.#status === 'registered') this.#setStatus('unregistered', '');
    });
  }

  get status(): RegistrationStatus {
    return this.#status;
  }

  /** Connects and registers. Resolves once the REGISTER is sent; the outcome arrives as `registration` events. */
  async start(): Promise<void> {
    this.#setStatus('registering', '');
    try {
      await this.#ua.start();
    } catch (err) {
      this.#setStatus('failed', `could not connect (${err instanceof Error ? err.message : String(err)})`);
      throw new WebError('WEB_ERR_SIP', 'The softphone could not connect to the server.');
    }
  }

  /** A call from this phone to `uri` (a consult, a phone number), audio only, for the caller to place with invite(); undefined: not a SIP URI. */
  inviter(uri: string): Inviter | undefined {
    const target = UserAgent.makeURI(uri);
    return target && new Inviter(this.#ua, target, { sessionDescriptionHandlerOptions: AUDIO_ONLY });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#registerer.state === RegistererState.Registered) await this.#registerer.unregister();
    } catch (err) {
      this.#log.warn({ err: String(err) }, 'unregister failed');
    }
    await this.#ua.stop().catch((err) => this.#log.warn({ err: String(err) }, 'user agent stop failed'));
    this.#setStatus('unregistered', '');
    this.removeAll();
  }

  #register(): void {
    this.#setStatus('registering', '');
    this.#registerer
      .register({
        requestDelegate: {
          onReject: (response) => {
            const { statusCode, reasonPhrase } = response.message;
            this.#setStatus('failed', `${statusCode} ${reasonPhrase}`);
          },
        },
      })
      .catch((err) => this.#setStatus('failed', err instanceof Error ? err.message : String(err)));
  }

  #setStatus(status: RegistrationStatus, detail: string): void {
    if (status === this.#status && detail === '') return;
    this.#status = status;
    this.emit('registration', status, detail);
  }
}
