/** Starts a media engine with its own rtpengine, ng port and RTP port range for one test file. */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startMedia, type MediaEngine, type MediaOptions } from '../../../media/index.ts';
import { makePrompts } from '../../../scripts/make-prompts.ts';

export const testLogger = pino({ level: process.env.MEDIA_TEST_LOG ?? 'warn' });

/** The default prompts, generated once into a folder shared by the test files (make-prompts is idempotent). */
export async function sharedPrompts(): Promise<string> {
  const dir = path.resolve('.tmp/test-prompts');
  await makePrompts(dir, { concurrency: 2 });
  return dir;
}

export interface TestMedia {
  engine: MediaEngine;
  dataDir: string;
  /** writes an admin override prompt */
  customPrompt(lang: string | null, name: string, wav: Buffer): void;
  cleanup(): Promise<void>;
}

export async function startTestMedia(portMin: number, portMax: number, extra: Partial<MediaOptions> = {}): Promise<TestMedia> {
  if (process.env.CALLFLOW_NETNS !== '1') throw new Error('media tests must run inside scripts/in-netns.sh (loopback-only namespace)');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'media-test-'));
  symlinkSync(await sharedPrompts(), path.join(dataDir, 'prompts'));
  const engine = await startMedia({ dataDir, logger: testLogger, ngPort: 0, rtpPortMin: portMin, rtpPortMax: portMax, threads: 2, ...extra });
  return {
    engine,
    dataDir,
    customPrompt(lang, name, wav) {
      const file = path.join(dataDir, 'prompts-custom', ...(lang ? [lang] : []), `${name}.wav`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, wav);
    },
    async cleanup() {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `ms` pass. */
export async function waitFor(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
