/**
 * Generates the default prompt set with espeak-ng and sox (Debian packages):
 *   <outDir>/<lang>/n/1.wav … n/20.wav, you-are-number, in-line, estimated-wait, minutes, all-agents-busy, please-hold,
 *   callback-offer, callback-confirmed, leave-message, message-saved, call-recorded,
 *   survey-question, survey-thanks, voicemail-offer
 *   <outDir>/music-on-hold.wav, <outDir>/beep.wav (voicemail's tone)
 * for en, et, ru, hu, fi and de, as 8 kHz 16-bit mono WAV (what the phone network carries; rtpengine resamples for
 * Opus). Idempotent: files that exist are kept, so admins' edits and earlier runs are not redone.
 *
 * usage: tsx scripts/make-prompts.ts <outDir> [--force]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { synthesize } from '../media/speech.ts';

const run = promisify(execFile);

export const PROMPT_LANGUAGES = ['en', 'et', 'ru', 'hu', 'fi', 'de'] as const;
export type PromptLanguage = (typeof PROMPT_LANGUAGES)[number];

const PHRASES: Record<PromptLanguage, Record<string, string>> = {
  en: {
    'you-are-number': 'You are number',
    'in-line': 'in line.',
    'estimated-wait': 'The estimated waiting time is',
    minutes: 'minutes.',
    'all-agents-busy': 'All our agents are busy at the moment.',
    'please-hold': 'Please hold the line.',
    'callback-offer': 'To be called back on this number without losing your place in line, press 1.',
    'callback-confirmed': 'Thank you. We will call you back when it is your turn. Goodbye.',
    'leave-message': 'Please leave your message after the tone. Press the hash key or hang up when you are done.',
    'message-saved': 'Thank you. Your message has been saved. Goodbye.',
    'call-recorded': 'This call may be recorded for quality and training.',
    'survey-question': 'Please stay on the line for one question. How satisfied were you with this call? Press a key from 1 to 5: 5 means very satisfied, 1 not at all.',
    'survey-thanks': 'Thank you for your feedback. Goodbye.',
    'voicemail-offer': 'To leave a message instead of waiting, press 2.',
  },
  et: {
    'you-are-number': 'Teie järjekorranumber on',
    'in-line': 'järjekorras.',
    'estimated-wait': 'Eeldatav ooteaeg on',
    minutes: 'minutit.',
    'all-agents-busy': 'Kõik meie klienditeenindajad on hetkel hõivatud.',
    'please-hold': 'Palun jääge liinile.',
    'callback-offer': 'Kui soovite, et helistame teile sellele numbrile tagasi ja teie koht järjekorras jääb alles, vajutage 1.',
    'callback-confirmed': 'Aitäh. Helistame teile tagasi, kui teie kord kätte jõuab. Head aega.',
    'leave-message': 'Palun jätke oma sõnum pärast helisignaali. Kui olete lõpetanud, vajutage trellide klahvi või pange toru ära.',
    'message-saved': 'Aitäh. Teie sõnum on salvestatud. Head aega.',
    'call-recorded': 'Kõne võidakse kvaliteedi ja koolituse eesmärgil salvestada.',
    'survey-question': 'Palun jääge liinile ühe küsimuse jaoks. Kui rahul te selle kõnega olite? Vajutage klahvi 1 kuni 5: 5 tähendab väga rahul, 1 üldse mitte.',
    'survey-thanks': 'Aitäh tagasiside eest. Head aega.',
    'voicemail-offer': 'Kui soovite ootamise asemel sõnumi jätta, vajutage 2.',
  },
  ru: {
    'you-are-number': 'Ваш номер в очереди',
    'in-line': 'в очереди.',
    'estimated-wait': 'Примерное время ожидания',
    minutes: 'минут.',
    'all-agents-busy': 'Все операторы сейчас заняты.',
    'please-hold': 'Пожалуйста, оставайтесь на линии.',
    'callback-offer': 'Чтобы мы перезвонили вам на этот номер, сохранив ваше место в очереди, нажмите 1.',
    'callback-confirmed': 'Спасибо. Мы перезвоним вам, когда подойдёт ваша очередь. До свидания.',
    'leave-message': 'Пожалуйста, оставьте сообщение после сигнала. Когда закончите, нажмите решётку или положите трубку.',
    'message-saved': 'Спасибо. Ваше сообщение сохранено. До свидания.',
    'call-recorded': 'Этот звонок может быть записан в целях контроля качества и обучения.',
    'survey-question': 'Пожалуйста, оставайтесь на линии, чтобы ответить на один вопрос. Насколько вы довольны этим звонком? Нажмите клавишу от 1 до 5: 5 означает очень доволен, 1 совсем не доволен.',
    'survey-thanks': 'Спасибо за ваш отзыв. До свидания.',
    'voicemail-offer': 'Чтобы оставить сообщение вместо ожидания, нажмите 2.',
  },
  hu: {
    'you-are-number': 'Az Ön sorszáma',
    'in-line': 'a sorban.',
    'estimated-wait': 'A várható várakozási idő',
    minutes: 'perc.',
    'all-agents-busy': 'Jelenleg minden munkatársunk foglalt.',
    'please-hold': 'Kérjük, tartsa a vonalat.',
    'callback-offer': 'Ha szeretné, hogy erre a számra visszahívjuk, és megtartja a helyét a sorban, nyomja meg az 1-est.',
    'callback-confirmed': 'Köszönjük. Visszahívjuk, amikor sorra kerül. Viszonthallásra.',
    'leave-message': 'Kérjük, a hangjelzés után hagyja meg üzenetét. Ha végzett, nyomja meg a kettőskereszt gombot, vagy tegye le a kagylót.',
    'message-saved': 'Köszönjük. Üzenetét rögzítettük. Viszonthallásra.',
    'call-recorded': 'A hívást minőségbiztosítási és képzési célból rögzíthetjük.',
    'survey-question': 'Kérjük, maradjon a vonalban egy kérdés erejéig. Mennyire volt elégedett ezzel a hívással? Nyomjon meg egy gombot 1-től 5-ig: az 5 azt jelenti, nagyon elégedett, az 1, egyáltalán nem.',
    'survey-thanks': 'Köszönjük a visszajelzését. Viszonthallásra.',
    'voicemail-offer': 'Ha várakozás helyett üzenetet szeretne hagyni, nyomja meg a 2-est.',
  },
  fi: {
    'you-are-number': 'Olette jonossa numero',
    'in-line': 'jonossa.',
    'estimated-wait': 'Arvioitu odotusaika on',
    minutes: 'minuuttia.',
    'all-agents-busy': 'Kaikki asiakaspalvelijamme ovat tällä hetkellä varattuja.',
    'please-hold': 'Olkaa hyvä ja pysykää linjalla.',
    'callback-offer': 'Jos haluatte, että soitamme teille takaisin tähän numeroon paikkanne jonossa säilyttäen, painakaa 1.',
    'callback-confirmed': 'Kiitos. Soitamme teille takaisin, kun on vuoronne. Näkemiin.',
    'leave-message': 'Jättäkää viestinne äänimerkin jälkeen. Kun olette valmis, painakaa risuaitaa tai lopettakaa puhelu.',
    'message-saved': 'Kiitos. Viestinne on tallennettu. Näkemiin.',
    'call-recorded': 'Puhelu voidaan tallentaa laadunvarmistusta ja koulutusta varten.',
    'survey-question': 'Pysykää linjalla yhden kysymyksen ajan. Kuinka tyytyväinen olitte tähän puheluun? Painakaa näppäintä 1–5: 5 tarkoittaa erittäin tyytyväinen, 1 ei lainkaan.',
    'survey-thanks': 'Kiitos palautteestanne. Näkemiin.',
    'voicemail-offer': 'Jos haluatte jättää viestin jonottamisen sijaan, painakaa 2.',
  },
  de: {
    'you-are-number': 'Sie sind Nummer',
    'in-line': 'in der Warteschlange.',
    'estimated-wait': 'Die voraussichtliche Wartezeit beträgt',
    minutes: 'Minuten.',
    'all-agents-busy': 'Alle unsere Mitarbeiter sind im Moment im Gespräch.',
    'please-hold': 'Bitte bleiben Sie am Apparat.',
    'callback-offer': 'Wenn wir Sie unter dieser Nummer zurückrufen sollen, ohne dass Sie Ihren Platz in der Warteschlange verlieren, drücken Sie die 1.',
    'callback-confirmed': 'Vielen Dank. Wir rufen Sie zurück, sobald Sie an der Reihe sind. Auf Wiederhören.',
    'leave-message': 'Bitte hinterlassen Sie Ihre Nachricht nach dem Signalton. Wenn Sie fertig sind, drücken Sie die Rautetaste oder legen Sie auf.',
    'message-saved': 'Vielen Dank. Ihre Nachricht wurde gespeichert. Auf Wiederhören.',
    'call-recorded': 'Dieses Gespräch kann zu Qualitäts- und Schulungszwecken aufgezeichnet werden.',
    'survey-question': 'Bitte bleiben Sie für eine Frage am Apparat. Wie zufrieden waren Sie mit diesem Gespräch? Drücken Sie eine Taste von 1 bis 5: 5 bedeutet sehr zufrieden, 1 gar nicht.',
    'survey-thanks': 'Vielen Dank für Ihre Rückmeldung. Auf Wiederhören.',
    'voicemail-offer': 'Wenn Sie statt zu warten eine Nachricht hinterlassen möchten, drücken Sie die 2.',
  },
};

export const PROMPT_NAMES = [...Object.keys(PHRASES.en), ...Array.from({ length: 20 }, (_, i) => `n/${i + 1}`)];

async function musicOnHold(out: string): Promise<void> {
  // A slow arpeggio (G major / E minor / C major / D major), each note 0.5 s with a soft attack and decay, 16 s long.
  const chords = [
    [392, 494, 587, 494],
    [330, 392, 494, 392],
    [262, 330, 392, 330],
    [294, 370, 440, 370],
  ];
  const notes = [...chords, ...chords].flat();
  const args = ['-n', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', `${out}.${process.pid}.tmp.wav`];
  notes.forEach((f, i) => {
    if (i > 0) args.push(':');
    args.push('synth', '0.5', 'sine', String(f), 'fade', 'q', '0.05', '0.5', '0.2', 'vol', '0.35');
  });
  await run('sox', args);
  renameSync(`${out}.${process.pid}.tmp.wav`, out);
}

/** The tone after which a voicemail records: 0.4 s of 1 kHz. */
async function beepTone(out: string): Promise<void> {
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', `${out}.${process.pid}.tmp.wav`, 'synth', '0.4', 'sine', '1000', 'vol', '0.4']);
  renameSync(`${out}.${process.pid}.tmp.wav`, out);
}

/** Creates the missing default prompts under outDir; returns how many files it wrote. */
export async function makePrompts(outDir: string, options: { force?: boolean; concurrency?: number } = {}): Promise<number> {
  const jobs: (() => Promise<void>)[] = [];
  const want = (file: string): boolean => options.force === true || !existsSync(file);
  for (const lang of PROMPT_LANGUAGES) {
    mkdirSync(path.join(outDir, lang, 'n'), { recursive: true });
    for (const [name, text] of Object.entries(PHRASES[lang])) {
      const file = path.join(outDir, lang, `${name}.wav`);
      if (want(file)) jobs.push(() => synthesize(text, lang, file));
    }
    for (let n = 1; n <= 20; n++) {
      const file = path.join(outDir, lang, 'n', `${n}.wav`);
      if (want(file)) jobs.push(() => synthesize(String(n), lang, file));
    }
  }
  const moh = path.join(outDir, 'music-on-hold.wav');
  if (want(moh)) jobs.push(() => musicOnHold(moh));
  const beep = path.join(outDir, 'beep.wav');
  if (want(beep)) jobs.push(() => beepTone(beep));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return jobs.length;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const outDir = process.argv[2];
  if (!outDir) {
    process.stderr.write('usage: tsx scripts/make-prompts.ts <outDir> [--force]\n');
    process.exit(2);
  }
  const t0 = Date.now();
  makePrompts(outDir, { force: process.argv.includes('--force') }).then(
    (n) => process.stdout.write(`make-prompts: ${n} file(s) written to ${outDir} in ${Date.now() - t0} ms (${PROMPT_LANGUAGES.join(', ')})\n`),
    (err: Error) => {
      const hint = /ENOENT/.test(err.message) ? ' (install them with: apt-get install espeak-ng sox)' : '';
      process.stderr.write(`make-prompts failed: ${err.message}${hint}\n`);
      process.exit(1);
    },
  );
}
