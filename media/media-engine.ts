/**
 * The media engine: our rtpengine (or an existing one), the ng client, the DTMF listener, the waiting-room sink
 * and the sessions of all calls.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { InvalidStateError, MediaError, MediaErrorCode } from './errors.ts';
import { NgClient } from './ng-client.ts';
import { MediaSession, type MediaSessionOptions } from './media-session.ts';
import type { DtmfEvent } from './media-session-state.ts';
import { type PromptItem, PromptStore } from './prompts.ts';
import { RtpengineProcess } from './rtpengine-process.ts';

export interface MediaOptions {
  /** use an existing rtpengine instead of starting one, e.g. 'udp://127.0.0.1:22222' (RTPENGINE_URL) */
  rtpengineUrl?: string;
  /** ng control port of the rtpengine we start (default 22222; 0 = any free port) */
  ngPort?: number;
  rtpPortMin?: number;
  rtpPortMax?: number;
  /** address rtpengine binds media to and that our waiting-room sink uses (default 127.0.0.1) */
  listenAddress?: string;
  /** address written into SDP when it differs from listenAddress (NAT, public address) */
  advertisedAddress?: string;
  /** runtime files: generated rtpengine config, prompts/<lang>/<name>.wav, prompts-custom/<lang>/..., cache */
  dataDir: string;
  logger: Logger;
  /** UDP port on 127.0.0.1 receiving rtpengine's dtmf-log-dest JSON (default: any free port; with rtpengineUrl,
   *  configure that rtpengine's dtmf-log-dest to this port) */
  dtmfLogPort?: number;
  /** rtpengine binary (default 'rtpengine' from PATH) */
  rtpengineBinary?: string;
  /** rtpengine worker threads (default: rtpengine's own default) */
  threads?: number;
  /** more settings for the generated rtpengine.conf, e.g. { 'poller-per-thread': true } */
  rtpengineConfig?: Record<string, string | number | boolean>;
  /** ng request timeout per try, ms (default 1000) and retries (default 2) */
  ngTimeoutMs?: number;
  ngRetries?: number;
}

export type MediaEngineEvents = {
  dtmf: [DtmfEvent];
  /** our rtpengine died; every open session got 'mediaLost' */
  rtpengineExit: [{ code: number | null; signal: NodeJS.Signals | null; pid: number | undefined }];
  /** our rtpengine runs again after it died; new sessions work */
  rtpengineRestarted: [{ pid: number | undefined; restarts: number }];
  close: [];
};

const DTMF_DIGITS = '0123456789*#ABCD';

export class MediaEngine extends EventEmitter<MediaEngineEvents> {
  private readonly sessions = new Map<string, MediaSession>();
  private closed = false;
  private _sinkPackets = 0;
  readonly prompts: PromptStore;

  constructor(
    private readonly o: Required<Pick<MediaOptions, 'dataDir' | 'logger' | 'listenAddress'>> & MediaOptions,
    private readonly ngClient: NgClient,
    private readonly process: RtpengineProcess | undefined,
    private readonly sink: dgram.Socket,
    private readonly dtmfSocket: dgram.Socket,
  ) {
    super();
    this.prompts = new PromptStore(o.dataDir);
    dtmfSocket.on('message', (msg) => this.onDtmfLog(msg));
    // the waiting room's far end: it receives the waiting callers' audio (sendrecv keeps their DTMF coming) and drops it
    sink.on('message', () => {
      this._sinkPackets++;
    });
    process?.on('exit', (info) => {
      for (const s of this.sessions.values()) s.handleMediaLost();
      this.safeEmit('rtpengineExit', info);
    });
    process?.on('restarted', (info) => this.safeEmit('rtpengineRestarted', info));
  }

  /** ng port of the rtpengine in use */
  get ngPort(): number {
    return this.ngClient.port;
  }
  /** pid of our rtpengine (undefined with rtpengineUrl) */
  get rtpenginePid(): number | undefined {
    return this.process?.pid;
  }
  /** packets that reached the waiting-room sink (waiting callers' audio, dropped) */
  get sinkPackets(): number {
    return this._sinkPackets;
  }
  get sessionCount(): number {
    return this.sessions.size;
  }
  /** the ng client, for diagnostics and benchmarks */
  get ng(): NgClient {
    return this.ngClient;
  }

  private safeEmit<K extends keyof MediaEngineEvents>(event: K, ...args: MediaEngineEvents[K]): void {
    for (const l of this.rawListeners(event)) { // (a once() listener comes as its wrapper, which removes it)
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.o.logger.error({ err, event }, 'media engine listener threw');
      }
    }
  }

  /** A new media session for a call; its DTMF also comes out of the engine's 'dtmf' event. */
  createSession(callId: string, options: MediaSessionOptions = {}): MediaSession {
    if (this.closed) throw new InvalidStateError('media engine is closed');
    if (typeof callId !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(callId)) throw new TypeError(`callId "${String(callId)}" must be 1-200 visible ASCII characters`);
    if (this.sessions.has(callId)) throw new TypeError(`a media session for call ${callId} already exists`);
    const addr = this.sink.address();
    const session = new MediaSession(callId, {
      ng: () => this.ngClient,
      sinkAddress: addr.address,
      sinkPort: addr.port,
      logger: this.o.logger,
      promptFile: (names, lang) => this.promptFile(names, lang),
      released: (s) => {
        if (this.sessions.get(s.callId) === s) this.sessions.delete(s.callId);
      },
    }, options);
    session.on('dtmf', (e) => this.safeEmit('dtmf', e));
    this.sessions.set(callId, session);
    return session;
  }

  session(callId: string): MediaSession | undefined {
    return this.sessions.get(callId);
  }

  /** The file rtpengine plays for a prompt list: the file itself for one prompt, else a cached concatenation. */
  async promptFile(items: readonly PromptItem[], lang: string): Promise<{ file: string; durationMs: number }> {
    const files = await this.prompts.files(items, lang);
    const key = createHash('sha1')
      .update(files.map((f) => `${f}|${statSync(f).mtimeMs}`).join('\n'))
      .digest('hex')
      .slice(0, 20);
    const dir = path.join(this.o.dataDir, 'cache', 'sequences');
    const file = path.join(dir, `${key}.wav`);
    const seq = await this.prompts.sequence(files);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, seq.wav);
      renameSync(tmp, file);
    }
    return { file, durationMs: seq.durationMs };
  }

  private onDtmfLog(msg: Buffer): void {
    let e: { callid?: unknown; source_tag?: unknown; event?: unknown; duration?: unknown; type?: unknown };
    try {
      e = JSON.parse(msg.toString('utf8'));
    } catch {
      this.o.logger.warn({ msg: msg.toString('utf8', 0, 200) }, 'undecodable DTMF log datagram');
      return;
    }
    if (typeof e.callid !== 'string' || typeof e.source_tag !== 'string' || typeof e.event !== 'number') return;
    if (e.type !== undefined && e.type !== 'DTMF') return;
    const digit = DTMF_DIGITS[e.event];
    if (!digit) return;
    this.sessions.get(e.callid)?.handleDtmf(e.source_tag, digit, typeof e.duration === 'number' ? e.duration : 0);
  }

  /** Closes every session (releasing it in rtpengine), then stops our rtpengine. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    await this.process?.close();
    this.ngClient.close();
    this.sink.close();
    this.dtmfSocket.close();
    this.safeEmit('close');
    this.removeAllListeners();
  }
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    s.once('error', reject);
    s.bind(port, address, () => {
      s.off('error', reject);
      s.on('error', () => undefined);
      resolve(s);
    });
  });
}

async function freeUdpPort(address: string): Promise<number> {
  const s = await bindUdp(address, 0);
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function parseRtpengineUrl(url: string): { host: string; port: number } {
  const m = /^(?:udp:\/\/)?(\[[0-9a-fA-F:]+\]|[^:/]+):(\d+)\/?$/.exec(url.trim());
  const port = Number(m?.[2]);
  if (!m || !m[1] || !(port > 0 && port < 65536)) throw new TypeError(`rtpengineUrl "${url}" must look like udp://127.0.0.1:22222`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/**
 * Starts the media bridge: our own rtpengine with a generated config (or the one at rtpengineUrl), and resolves
 * once it answers. Throws MediaError MEDIA_ERR_RTPENGINE_MISSING (naming `apt-get install rtpengine-daemon`)
 * when the binary is missing.
 */
export async function startMedia(options: MediaOptions): Promise<MediaEngine> {
  if (!options || typeof options.dataDir !== 'string' || !options.dataDir) throw new TypeError('startMedia: dataDir is required');
  if (!options.logger) throw new TypeError('startMedia: logger is required');
  const listenAddress = options.listenAddress ?? '127.0.0.1';
  const logger = options.logger.child({ component: 'media' });
  const o = { ...options, listenAddress, logger };
  mkdirSync(o.dataDir, { recursive: true });
  const dtmfSocket = await bindUdp('127.0.0.1', o.dtmfLogPort ?? 0);
  const sink = await bindUdp(listenAddress, 0);
  let ng: NgClient | undefined;
  let proc: RtpengineProcess | undefined;
  try {
    if (o.rtpengineUrl) {
      const { host, port } = parseRtpengineUrl(o.rtpengineUrl);
      ng = new NgClient({ host, port, logger, timeoutMs: o.ngTimeoutMs, retries: o.ngRetries });
      await ng.ping().catch((err: unknown) => {
        throw new MediaError(MediaErrorCode.RtpengineStart, `rtpengine at ${o.rtpengineUrl} does not answer an ng ping: ${(err as Error).message}`, { cause: err });
      });
      logger.info({ rtpengineUrl: o.rtpengineUrl }, 'using an existing rtpengine');
    } else {
      const rtpPortMin = o.rtpPortMin ?? 30000;
      const rtpPortMax = o.rtpPortMax ?? 40000;
      if (!(Number.isInteger(rtpPortMin) && Number.isInteger(rtpPortMax) && rtpPortMin > 1023 && rtpPortMax <= 65535 && rtpPortMax - rtpPortMin >= 3)) {
        throw new TypeError(`rtpPortMin/rtpPortMax (${rtpPortMin}-${rtpPortMax}) must be a range of at least 4 ports above 1023`);
      }
      // ngPort 0: a port that was free a moment ago, which something else may take before rtpengine binds it: then
      // rtpengine cannot start, and another free port is tried (twice more)
      for (let attempt = 1; ; attempt++) {
        const ngPort = o.ngPort === undefined ? 22222 : o.ngPort === 0 ? await freeUdpPort('127.0.0.1') : o.ngPort;
        proc = new RtpengineProcess({
          binary: o.rtpengineBinary,
          dir: path.join(o.dataDir, 'rtpengine'),
          ngPort,
          rtpPortMin,
          rtpPortMax,
          listenAddress,
          advertisedAddress: o.advertisedAddress,
          dtmfLogPort: dtmfSocket.address().port,
          threads: o.threads,
          extraConfig: o.rtpengineConfig,
          logger,
        });
        try {
          await proc.start();
        } catch (err) {
          const again = o.ngPort === 0 && attempt < 3 && err instanceof MediaError && err.code === MediaErrorCode.RtpengineStart;
          if (!again) throw err;
          logger.warn({ err, ngPort }, 'rtpengine did not start on a free ng port: trying another');
          await proc.close();
          continue;
        }
        ng = new NgClient({ host: '127.0.0.1', port: ngPort, logger, timeoutMs: o.ngTimeoutMs, retries: o.ngRetries });
        break;
      }
    }
  } catch (err) {
    ng?.close();
    await proc?.close();
    sink.close();
    dtmfSocket.close();
    throw err;
  }
  return new MediaEngine(o, ng, proc, sink, dtmfSocket);
}
