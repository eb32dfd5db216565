import { waitMinutes } from '../shared/format.ts';

/** The widget's words in each language the product speaks; English fills any gap. */
export interface Messages {
  callUs: string;
  title: string;
  close: string;
  language: string;
  start: string;
  hangup: string;
  mute: string;
  unmute: string;
  idle: string;
  starting: string;
  queued: string;
  ringing: string;
  connected: (agentName: string) => string;
  ended: string;
  failed: string;
  position: (n: number) => string;
  ewt: (seconds: number) => string;
  micHint: string;
}

const en: Messages = {
  callUs: 'Call us',
  title: 'Talk to us',
  close: 'Close',
  language: 'Language',
  start: 'Start call',
  hangup: 'Hang up',
  mute: 'Mute',
  unmute: 'Unmute',
  idle: 'Press “Start call” to talk to us through your browser.',
  starting: 'Connecting…',
  queued: 'Waiting for the next free agent',
  ringing: 'An agent is being connected…',
  connected: (name) => (name ? `Connected with ${name}` : 'Connected'),
  ended: 'The call has ended.',
  failed: 'The call could not be made.',
  position: (n) => `You are number ${n} in line`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'less than a minute' : `about ${waitMinutes(s)} min`),
  micHint: 'Your browser will ask to use the microphone.',
};

const et: Partial<Messages> = {
  callUs: 'Helista meile',
  title: 'Räägi meiega',
  close: 'Sulge',
  language: 'Keel',
  start: 'Alusta kõnet',
  hangup: 'Lõpeta',
  mute: 'Vaigista',
  unmute: 'Tühista vaigistus',
  idle: 'Vajuta „Alusta kõnet“, et rääkida meiega brauseri kaudu.',
  starting: 'Ühendan…',
  queued: 'Ootad järgmist vaba teenindajat',
  ringing: 'Ühendan teenindajaga…',
  connected: (name) => (name ? `Ühendatud: ${name}` : 'Ühendatud'),
  ended: 'Kõne on lõppenud.',
  failed: 'Kõnet ei õnnestunud alustada.',
  position: (n) => `Sinu koht järjekorras: ${n}`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'alla minuti' : `umbes ${waitMinutes(s)} min`),
  micHint: 'Brauser küsib luba mikrofoni kasutamiseks.',
};

const ru: Partial<Messages> = {
  callUs: 'Позвонить нам',
  title: 'Поговорите с нами',
  close: 'Закрыть',
  language: 'Язык',
  start: 'Позвонить',
  hangup: 'Завершить',
  mute: 'Выключить микрофон',
  unmute: 'Включить микрофон',
  idle: 'Нажмите «Позвонить», чтобы поговорить с нами прямо из браузера.',
  starting: 'Соединение…',
  queued: 'Ожидание свободного оператора',
  ringing: 'Соединяем с оператором…',
  connected: (name) => (name ? `Вы говорите с: ${name}` : 'Соединено'),
  ended: 'Звонок завершён.',
  failed: 'Не удалось позвонить.',
  position: (n) => `Вы ${n}-й в очереди`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'меньше минуты' : `примерно ${waitMinutes(s)} мин`),
  micHint: 'Браузер попросит доступ к микрофону.',
};

const fi: Partial<Messages> = {
  callUs: 'Soita meille',
  title: 'Puhu kanssamme',
  close: 'Sulje',
  language: 'Kieli',
  start: 'Aloita puhelu',
  hangup: 'Lopeta',
  mute: 'Mykistä',
  unmute: 'Poista mykistys',
  idle: 'Paina ”Aloita puhelu” puhuaksesi kanssamme selaimella.',
  starting: 'Yhdistetään…',
  queued: 'Odotetaan seuraavaa vapaata asiakaspalvelijaa',
  ringing: 'Asiakaspalvelijaa yhdistetään…',
  connected: (name) => (name ? `Yhdistetty: ${name}` : 'Yhdistetty'),
  ended: 'Puhelu on päättynyt.',
  failed: 'Puhelua ei voitu soittaa.',
  position: (n) => `Paikkasi jonossa: ${n}`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'alle minuutti' : `noin ${waitMinutes(s)} min`),
  micHint: 'Selain pyytää lupaa käyttää mikrofonia.',
};

const de: Partial<Messages> = {
  callUs: 'Rufen Sie uns an',
  title: 'Sprechen Sie mit uns',
  close: 'Schließen',
  language: 'Sprache',
  start: 'Anruf starten',
  hangup: 'Auflegen',
  mute: 'Stummschalten',
  unmute: 'Stummschaltung aufheben',
  idle: 'Drücken Sie „Anruf starten“, um direkt im Browser mit uns zu sprechen.',
  starting: 'Verbindung wird aufgebaut…',
  queued: 'Sie warten auf den nächsten freien Mitarbeiter',
  ringing: 'Ein Mitarbeiter wird verbunden…',
  connected: (name) => (name ? `Verbunden mit ${name}` : 'Verbunden'),
  ended: 'Der Anruf ist beendet.',
  failed: 'Der Anruf konnte nicht aufgebaut werden.',
  position: (n) => `Sie sind Nummer ${n} in der Warteschlange`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'weniger als eine Minute' : `etwa ${waitMinutes(s)} Min.`),
  micHint: 'Ihr Browser fragt nach dem Mikrofon.',
};

const hu: Partial<Messages> = {
  callUs: 'Hívjon minket',
  title: 'Beszéljen velünk',
  close: 'Bezárás',
  language: 'Nyelv',
  start: 'Hívás indítása',
  hangup: 'Bontás',
  mute: 'Némítás',
  unmute: 'Némítás feloldása',
  idle: 'Nyomja meg a „Hívás indítása” gombot, és beszéljen velünk a böngészőből.',
  starting: 'Kapcsolódás…',
  queued: 'Várakozás a következő szabad munkatársra',
  ringing: 'Munkatárs kapcsolása…',
  connected: (name) => (name ? `Kapcsolva: ${name}` : 'Kapcsolva'),
  ended: 'A hívás véget ért.',
  failed: 'A hívás nem sikerült.',
  position: (n) => `Ön a(z) ${n}. a sorban`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'kevesebb mint egy perc' : `kb. ${waitMinutes(s)} perc`),
  micHint: 'A böngésző engedélyt kér a mikrofonhoz.',
};

const TABLE: Record<string, Partial<Messages>> = { en, et, ru, fi, de, hu };

/** The widget's words for a language code ("et"), English for what is missing. */
export function messagesFor(language: string): Messages {
  return { ...en, ...(TABLE[language] ?? {}) };
}
