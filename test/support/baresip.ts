/**
 * baresip (Debian baresip-core) as an agent's SIP desk phone: its microphone is a WAV tone, what it hears is
 * recorded (sndfile), and it is driven over ctrl_tcp (netstring-framed JSON). Recipe: shared/recipes/test-peers.md §2.
 * baresip refuses 127.0.0.1 for media, so phones use 10.250.0.1, which scripts/in-netns.sh puts on `lo`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';

export const PHONE_ADDRESS = '10.250.0.1';

export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  peeruri?: string;
  id?: string;
}

export interface PhoneOptions {
  /** working folder (config, accounts, recordings); default: a new temporary folder, removed by stop() */
  dir?: string;
  sipPort: number;
  ctrlPort: number;
  rtpMin: number;
  /** 48 kHz mono WAV the phone sends as its microphone; default: a 440 Hz tone made with sox */
  toneWav?: string;
  /** registrar host:port */
  registrar: string;
  username: string;
  password: string;
  answer: 'auto' | 'manual';
  /** REGISTER refresh interval, seconds (default 600) */
  regint?: number;
}

/** sox: a 48 kHz mono 16-bit sine tone (baresip's aufile wants the ausrc rate). */
export function makeTone(file: string, hz: number, seconds = 120): string {
  const r = spawnSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
  if (r.status !== 0) throw new Error(`sox failed: ${r.stderr}`);
  return file;
}

/**
 * One phone. `events` keeps every event it reported; `waitEvent` hands out each event once (oldest unclaimed
 * first), so successive waits for the same type follow successive calls.
 */
export class BaresipPhone extends EventEmitter<{ event: [BaresipEvent] }> {
  readonly events: BaresipEvent[] = [];
  readonly dir: string;
  readonly #claimed = new Set<BaresipEvent>();
  readonly #ownDir: boolean;
  #child: ChildProcess | null = null;
  #sock: net.Socket | null = null;
  #buf = Buffer.alloc(0);
  #pending = new Map<string, (msg: { ok: boolean; data: string }) => void>();
  #n = 0;
  #log = '';

  constructor(readonly opts: PhoneOptions) {
    super();
    this.#ownDir = opts.dir === undefined;
    this.dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'baresip-'));
  }

  get recordings(): string {
    return path.join(this.dir, 'rec');
  }

  get log(): string {
    return this.#log;
  }

  async start(): Promise<void> {
    const o = this.opts;
    mkdirSync(this.recordings, { recursive: true });
    const tone = o.toneWav ?? makeTone(path.join(this.dir, 'tone-440.wav'), 440);
    writeFileSync(
      path.join(this.dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen ${PHONE_ADDRESS}:${o.sipPort}`,
        'net_interface lo',
        `audio_source aufile,${tone}`,
        'audio_player alsa,null',
        'audio_alert alsa,null',
        'ausrc_srate 48000',
        'ausrc_channels 1',
        'auplay_srate 48000',
        'auplay_channels 1',
        `rtp_ports ${o.rtpMin}-${o.rtpMin + 99}`,
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module alsa.so',
        'module sndfile.so',
        'module_app account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${o.ctrlPort}`,
        `snd_path ${this.recordings}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(this.dir, 'accounts'),
      `<sip:${o.username}@${o.registrar};transport=udp>;auth_user=${o.username};auth_pass=${o.password};answermode=${o.answer};regint=${o.regint ?? 600}\n`,
    );
    this.#child = spawn('baresip', ['-f', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.#log = (this.#log + d.toString()).slice(-20000);
    };
    this.#child.stdout!.on('data', keep);
    this.#child.stderr!.on('data', keep);
    for (let i = 0; ; i++) {
      try {
        await this.#connect();
        return;
      } catch (err) {
        if (i > 50) throw new Error(`baresip ctrl_tcp not reachable: ${String(err)}\n${this.#log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  #connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.opts.ctrlPort, '127.0.0.1');
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        sock.on('error', () => {});
        this.#sock = sock;
        sock.on('data', (d) => this.#onData(d));
        resolve();
      });
    });
  }

  #onData(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d]);
    for (let colon = this.#buf.indexOf(':'); colon >= 0; colon = this.#buf.indexOf(':')) {
      const len = Number(this.#buf.subarray(0, colon).toString());
      if (this.#buf.length < colon + len + 2) break;
      const msg = JSON.parse(this.#buf.subarray(colon + 1, colon + 1 + len).toString());
      this.#buf = this.#buf.subarray(colon + len + 2);
      if (msg.response) {
        this.#pending.get(msg.token)?.(msg);
        this.#pending.delete(msg.token);
      } else if (msg.event) {
        this.events.push(msg);
        this.emit('event', msg);
      }
    }
  }

  command(command: string, params = ''): Promise<{ ok: boolean; data: string }> {
    const token = String(++this.#n);
    const json = JSON.stringify({ command, params, token });
    this.#sock!.write(`${Buffer.byteLength(json)}:${json},`);
    return new Promise((resolve) => this.#pending.set(token, resolve));
  }

  waitEvent(type: string, ms = 15000): Promise<BaresipEvent> {
    const seen = this.events.find((e) => e.type === type && !this.#claimed.has(e));
    if (seen) {
      this.#claimed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('event', h);
        reject(new Error(`${this.opts.username}: no ${type} within ${ms} ms`));
      }, ms);
      const h = (e: BaresipEvent) => {
        if (e.type !== type || this.#claimed.has(e)) return;
        this.#claimed.add(e);
        clearTimeout(t);
        this.off('event', h);
        resolve(e);
      };
      this.on('event', h);
    });
  }

  async waitRegistered(ms = 10000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      const info = (await this.command('reginfo')).data.replace(/\x1b\[[0-9;]*m/g, '');
      if (/ OK /.test(info)) return;
    }
    throw new Error(`${this.opts.username} did not register\n${this.#log}`);
  }

  /** The newest recording of what the phone received (8 kHz WAV for G.711). */
  receivedRecording(): string | undefined {
    const files = readdirSync(this.recordings).filter((f) => f.endsWith('-dec.wav')).sort();
    return files.length ? path.join(this.recordings, files.at(-1)!) : undefined;
  }

  /** Kills baresip at once, without unregistering: a desk phone that lost its power or its network. */
  async crash(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    this.#sock?.destroy();
    this.#sock = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (this.#sock) {
      await Promise.race([this.command('quit'), new Promise((r) => setTimeout(r, 500))]);
      this.#sock.destroy();
    }
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      setTimeout(() => child.kill('SIGKILL'), 1500).unref();
      await exited;
    }
    if (this.#ownDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
