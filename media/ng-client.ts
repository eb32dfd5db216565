/**
 * A small typed client for rtpengine's ng control protocol: `<cookie> <bencoded dict>` over UDP, the reply carries
 * the same cookie. A request is retransmitted with the same cookie (rtpengine answers a repeated cookie from its
 * cache, so a retry never runs a command twice) and fails with MEDIA_ERR_NG_TIMEOUT naming the call after the last try.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { bdecode, bencode, type BValue } from './bencode.ts';
import { InvalidStateError, MediaError, MediaErrorCode } from './errors.ts';

export interface NgClientOptions {
  host: string;
  port: number;
  /** time to wait for each try, ms (default 1000) */
  timeoutMs?: number;
  /** number of retransmissions after the first try (default 2) */
  retries?: number;
  logger: Logger;
}

export type NgParams = { [key: string]: BValue | undefined };
export type NgReply = { result: string; 'error-reason'?: string; warning?: string; sdp?: string; [key: string]: BValue | undefined };

interface Pending {
  resolve: (r: NgReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class NgClient {
  readonly host: string;
  readonly port: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly logger: Logger;
  private readonly socket: dgram.Socket;
  private readonly pending = new Map<string, Pending>();
  private readonly bound: Promise<void>;
  private closed = false;
  private seq = 0;
  private readonly prefix = randomBytes(4).toString('hex');

  constructor(options: NgClientOptions) {
    if (!options.host) throw new TypeError('NgClient: host is required');
    if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) throw new TypeError(`NgClient: port ${options.port} is not a UDP port`);
    this.host = options.host;
    this.port = options.port;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.retries = options.retries ?? 2;
    this.logger = options.logger;
    this.socket = dgram.createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('message', (msg) => this.onMessage(msg));
    this.socket.on('error', (err) => this.logger.warn({ err }, 'ng socket error'));
    this.bound = new Promise((resolve) => this.socket.bind(0, resolve));
  }

  private onMessage(msg: Buffer): void {
    const space = msg.indexOf(0x20);
    if (space <= 0) return;
    const cookie = msg.toString('ascii', 0, space);
    const p = this.pending.get(cookie);
    if (!p) return; // a late duplicate of an answered retry
    this.pending.delete(cookie);
    clearTimeout(p.timer);
    try {
      const { value } = bdecode(msg, space + 1);
      if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value) || typeof value.result !== 'string') {
        throw new SyntaxError('reply is not a dictionary with a result');
      }
      p.resolve(value as NgReply);
    } catch (err) {
      p.reject(new MediaError(MediaErrorCode.NgProtocol, `rtpengine sent an undecodable ng reply: ${(err as Error).message}`, { cause: err }));
    }
  }

  /**
   * Sends one ng command. Resolves with the reply when result is "ok" (or "pong"), rejects with MediaError
   * MEDIA_ERR_NG_FAILED (result "error", message has the error-reason and the call id) or MEDIA_ERR_NG_TIMEOUT.
   */
  async request(command: string, params: NgParams = {}): Promise<NgReply> {
    if (this.closed) throw new InvalidStateError('NgClient is closed');
    await this.bound;
    const callId = typeof params['call-id'] === 'string' ? params['call-id'] : undefined;
    const cookie = `${this.prefix}${(++this.seq).toString(36)}`;
    const body = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...params, command })]);
    const what = callId ? `${command} for call ${callId}` : command;
    const reply = await new Promise<NgReply>((resolve, reject) => {
      let tries = 0;
      const send = (): void => {
        tries++;
        this.socket.send(body, this.port, this.host, (err) => {
          if (err) this.logger.warn({ err, command, callId }, 'ng send failed');
        });
        const timer = setTimeout(() => {
          if (tries <= this.retries && !this.closed) {
            this.logger.debug({ command, callId, tries }, 'ng retry');
            send();
          } else {
            this.pending.delete(cookie);
            reject(new MediaError(MediaErrorCode.NgTimeout, `rtpengine at ${this.host}:${this.port} did not answer ${what} after ${tries} tries`, { callId }));
          }
        }, this.timeoutMs);
        this.pending.set(cookie, { resolve, reject, timer });
      };
      send();
    });
    if (reply.result === 'error') {
      throw new MediaError(MediaErrorCode.NgFailed, `rtpengine refused ${what}: ${reply['error-reason'] ?? 'no reason given'}`, { callId });
    }
    if (reply.warning) this.logger.debug({ command, callId, warning: reply.warning }, 'rtpengine warning');
    return reply;
  }

  ping(): Promise<NgReply> {
    return this.request('ping');
  }
  offer(params: NgParams): Promise<NgReply> {
    return this.request('offer', params);
  }
  answer(params: NgParams): Promise<NgReply> {
    return this.request('answer', params);
  }
  delete(params: NgParams): Promise<NgReply> {
    return this.request('delete', params);
  }
  query(params: NgParams): Promise<NgReply> {
    return this.request('query', params);
  }
  playMedia(params: NgParams): Promise<NgReply> {
    return this.request('play media', params);
  }
  stopMedia(params: NgParams): Promise<NgReply> {
    return this.request('stop media', params);
  }
  blockMedia(params: NgParams): Promise<NgReply> {
    return this.request('block media', params);
  }
  unblockMedia(params: NgParams): Promise<NgReply> {
    return this.request('unblock media', params);
  }
  playDtmf(params: NgParams): Promise<NgReply> {
    return this.request('play DTMF', params);
  }

  /** Rejects every pending request and closes the socket; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [cookie, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new InvalidStateError(`NgClient closed while waiting for ng reply ${cookie}`));
    }
    this.pending.clear();
    this.socket.close();
  }
}
