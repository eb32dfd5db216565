/**
 * Text to speech with espeak-ng and sox (Debian packages): the default prompt set (scripts/make-prompts.ts) and the
 * texts admins type for IVR menus are spoken the same way, as 8 kHz 16-bit mono WAV (what the phone network
 * carries; rtpengine resamples for Opus), normalised to -3 dBFS, with 150 ms of silence at each end so prompts
 * join cleanly.
 */
import { execFile, spawn } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** espeak-ng's voice for a language code: `pt-BR` -> `pt-br`. */
export function voiceOf(lang: string): string {
  return lang.toLowerCase();
}

/** espeak-ng reading the text on its standard input (a text that starts with "-" is not taken for an option). */
function espeak(voice: string, text: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('espeak-ng', ['-v', voice, '-s', '150', '-w', out, '--stdin'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 500) stderr += d;
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`espeak-ng -v ${voice} failed (exit ${code}): ${stderr.trim() || 'no output'}`));
    });
    p.stdin.on('error', () => {}); // (an early exit closes the pipe: the exit code tells)
    p.stdin.end(text);
  });
}

/** Speaks `text` in `lang` into the WAV file `out` (written whole, then renamed into place). */
export async function synthesize(text: string, lang: string, out: string): Promise<void> {
  const tmp = `${out}.${process.pid}.espeak.wav`;
  const fin = `${out}.${process.pid}.tmp.wav`;
  try {
    await espeak(voiceOf(lang), text, tmp);
    await run('sox', [tmp, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', fin, 'norm', '-3', 'pad', '0.15', '0.15']);
    renameSync(fin, out);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(fin, { force: true });
  }
}
