import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { run, startPeer, stop } from './peers.ts';

export const PHONE_IP = '10.250.0.1';

export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  peeruri?: string;
  id?: string;
}

/** baresip's ctrl_tcp: netstring-framed JSON commands, responses and events. */
export class BaresipCtl extends EventEmitter {
  private buf = Buffer.alloc(0);
  private readonly pending = new Map<string, (r: { ok: boolean; data: string }) => void>();
  private n = 0;
  readonly sock: net.Socket;
  readonly events: BaresipEvent[] = [];

  constructor(port: number) {
    super();
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('error', () => {});
    this.sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (let c = this.buf.indexOf(':'); c >= 0; c = this.buf.indexOf(':')) {
        const len = Number(this.buf.subarray(0, c).toString());
        if (this.buf.length < c + len + 2) break;
        const msg = JSON.parse(this.buf.subarray(c + 1, c + 1 + len).toString()) as { response?: boolean; token?: string; event?: boolean; ok: boolean; data: string };
        this.buf = this.buf.subarray(c + len + 2);
        if (msg.response && msg.token) {
          this.pending.get(msg.token)?.(msg);
          this.pending.delete(msg.token);
        } else if (msg.event) {
          this.events.push(msg as unknown as BaresipEvent);
          this.emit('event', msg);
        }
      }
    });
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.sock.connecting) return resolve();
      this.sock.once('connect', () => resolve());
      this.sock.once('error', reject);
    });
  }

  cmd(command: string, params = ''): Promise<{ ok: boolean; data: string }> {
    const token = String(++this.n);
    const json = JSON.stringify({ command, params, token });
    this.sock.write(`${Buffer.byteLength(json)}:${json},`);
    return new Promise((resolve) => this.pending.set(token, resolve));
  }

  waitEvent(type: string, ms = 10_000): Promise<BaresipEvent> {
    const seen = this.events.find((e) => e.type === type);
    if (seen) {
      this.events.splice(this.events.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const h = (e: BaresipEvent): void => {
        if (e.type !== type) return;
        clearTimeout(t);
        this.off('event', h);
        this.events.splice(this.events.indexOf(e), 1);
        resolve(e);
      };
      const t = setTimeout(() => {
        this.off('event', h);
        reject(new Error(`baresip: no ${type} within ${ms} ms`));
      }, ms);
      this.on('event', h);
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

export interface Phone {
  dir: string;
  ctl: BaresipCtl;
  child: ChildProcess;
  output: () => string;
  close(): Promise<void>;
}

/** Starts a baresip desk phone (config from test-peers.md) with one account line. */
export async function startPhone(o: { sipPort: number; ctrlPort: number; rtpMin: number; account: string }): Promise<Phone> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baresip-'));
  mkdirSync(path.join(dir, 'rec'));
  const tone = path.join(dir, 'tone.wav');
  const s = await run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', tone, 'synth', '60', 'sine', '440', 'vol', '0.5']);
  if (s.code !== 0) throw new Error(`sox failed: ${s.out}`);
  writeFileSync(
    path.join(dir, 'config'),
    [
      'poll_method\t\tepoll',
      `sip_listen\t\t${PHONE_IP}:${o.sipPort}`,
      'net_interface\t\tlo',
      `audio_source\t\taufile,${tone}`,
      'audio_player\t\talsa,null',
      'audio_alert\t\talsa,null',
      'ausrc_srate\t\t48000',
      'ausrc_channels\t\t1',
      'auplay_srate\t\t48000',
      'auplay_channels\t\t1',
      `rtp_ports\t\t${o.rtpMin}-${o.rtpMin + 99}`,
      'module_path\t\t/usr/lib/baresip/modules',
      'module\t\t\tg711.so',
      'module\t\t\taufile.so',
      'module\t\t\talsa.so',
      'module_app\t\taccount.so',
      'module_app\t\tmenu.so',
      'module_app\t\tctrl_tcp.so',
      `ctrl_tcp_listen\t\t127.0.0.1:${o.ctrlPort}`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'accounts'), o.account + '\n');
  const { child, output } = startPeer('baresip', ['-f', dir], { cwd: dir });
  let ctl: BaresipCtl | undefined;
  for (let i = 0; i < 50 && !ctl; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const c = new BaresipCtl(o.ctrlPort);
    try {
      await c.ready();
      ctl = c;
    } catch {
      c.close();
    }
  }
  if (!ctl) throw new Error(`baresip did not start: ${output()}`);
  const phone: Phone = {
    dir,
    ctl,
    child,
    output,
    close: async () => {
      ctl.close();
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return phone;
}
