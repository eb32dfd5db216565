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
  /** the agent holds the call (music plays) */
  onHold: string;
  /** nobody can take the call: the queue sent it to voicemail (the prompt, then a tone, then the recording) */
  voicemail: string;
  /** the call that went to voicemail has ended */
  messageLeft: string;
  /** the queue records its calls (shown while the call lasts) */
  recorded: string;
  /** above the visual IVR's choices */
  chooseTopic: string;
  /** back to the menu before */
  back: string;
  /** the menu is closed: it opens at `when` (formatted; null: not within a week) */
  menuClosed: (when: string | null) => string;
  ended: string;
  failed: string;
  position: (n: number) => string;
  ewt: (seconds: number) => string;
  micHint: string;
  callbackOffer: string;
  callbackNumber: string;
  callbackAtTurn: string;
  /** the queue is closed: call me when it opens (at `when`, formatted; null: not known) */
  callbackWhenOpen: (when: string | null) => string;
  callbackAtTime: string;
  callbackSubmit: string;
  callbackCancel: string;
  /** the call ended for a callback: on `number`, at `when` (formatted) or at the customer's turn (null) */
  callbackDone: (number: string, when: string | null) => string;
  /** the agent sent a link: `label` is its title, or the host it leads to */
  linkSent: (label: string) => string;
  /** the button that opens a link the agent sent (in a new tab) */
  openLink: string;
  /** after a call an agent answered, in a queue that asks: above the five stars */
  surveyQuestion: string;
  /** under the stars: what the scores mean */
  surveyScale: string;
  /** a star's accessible name: `n` of 5 */
  surveyScore: (n: number) => string;
  /** the rating was received */
  surveyThanks: string;
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
  onHold: 'On hold — please stay on the line',
  voicemail: 'Nobody can take your call right now. Please leave a message after the tone, then hang up.',
  messageLeft: 'Thank you for your message.',
  recorded: 'This call may be recorded.',
  chooseTopic: 'What is your call about?',
  back: 'Back',
  menuClosed: (when) => (when ? `We are closed now. We open ${when}.` : 'We are closed now.'),
  ended: 'The call has ended.',
  failed: 'The call could not be made.',
  position: (n) => `You are number ${n} in line`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'less than a minute' : `about ${waitMinutes(s)} min`),
  micHint: 'Your browser will ask to use the microphone.',
  callbackOffer: 'Call me back instead',
  callbackNumber: 'Your phone number',
  callbackAtTurn: 'When it is my turn (I keep my place)',
  callbackWhenOpen: (w) => (w ? `When you open (${w})` : 'When you open'),
  callbackAtTime: 'At a time I choose',
  callbackSubmit: 'Call me back',
  callbackCancel: 'Back',
  callbackDone: (n, w) => (w ? `We will call you on ${n} at ${w}.` : `We will call you on ${n} when it is your turn. You keep your place in line.`),
  linkSent: (label) => `Your agent sent you a link: ${label}`,
  openLink: 'Open',
  surveyQuestion: 'How was your call?',
  surveyScale: '5 = very good, 1 = very bad',
  surveyScore: (n) => `${n} of 5`,
  surveyThanks: 'Thank you for your feedback.',
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
  onHold: 'Ootel — palun jääge liinile',
  voicemail: 'Praegu ei saa keegi teie kõnele vastata. Palun jätke pärast helisignaali sõnum ja lõpetage seejärel kõne.',
  messageLeft: 'Täname sõnumi eest.',
  recorded: 'Kõne võidakse salvestada.',
  chooseTopic: 'Millega saame aidata?',
  back: 'Tagasi',
  menuClosed: (when) => (when ? `Oleme praegu suletud. Avame ${when}.` : 'Oleme praegu suletud.'),
  ended: 'Kõne on lõppenud.',
  failed: 'Kõnet ei õnnestunud alustada.',
  position: (n) => `Sinu koht järjekorras: ${n}`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'alla minuti' : `umbes ${waitMinutes(s)} min`),
  micHint: 'Brauser küsib luba mikrofoni kasutamiseks.',
  callbackOffer: 'Helistage mulle tagasi',
  callbackNumber: 'Sinu telefoninumber',
  callbackAtTurn: 'Kui minu kord kätte jõuab (koht jääb alles)',
  callbackWhenOpen: (w) => (w ? `Kui avate (${w})` : 'Kui avate'),
  callbackAtTime: 'Minu valitud ajal',
  callbackSubmit: 'Helistage mulle',
  callbackCancel: 'Tagasi',
  callbackDone: (n, w) => (w ? `Helistame sulle numbril ${n} ${w}.` : `Helistame sulle numbril ${n}, kui sinu kord kätte jõuab. Sinu koht järjekorras jääb alles.`),
  linkSent: (label) => `Teenindaja saatis sulle lingi: ${label}`,
  openLink: 'Ava',
  surveyQuestion: 'Kuidas jäite kõnega rahule?',
  surveyScale: '5 = väga hea, 1 = väga halb',
  surveyScore: (n) => `${n} viiest`,
  surveyThanks: 'Täname tagasiside eest.',
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
  onHold: 'Вы на удержании — пожалуйста, не кладите трубку',
  voicemail: 'Сейчас никто не может ответить на ваш звонок. Пожалуйста, оставьте сообщение после сигнала, затем завершите звонок.',
  messageLeft: 'Спасибо за ваше сообщение.',
  recorded: 'Этот звонок может быть записан.',
  chooseTopic: 'По какому вопросу вы звоните?',
  back: 'Назад',
  menuClosed: (when) => (when ? `Сейчас мы закрыты. Откроемся ${when}.` : 'Сейчас мы закрыты.'),
  ended: 'Звонок завершён.',
  failed: 'Не удалось позвонить.',
  position: (n) => `Вы ${n}-й в очереди`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'меньше минуты' : `примерно ${waitMinutes(s)} мин`),
  micHint: 'Браузер попросит доступ к микрофону.',
  callbackOffer: 'Перезвоните мне',
  callbackNumber: 'Ваш номер телефона',
  callbackAtTurn: 'Когда подойдёт моя очередь (место сохранится)',
  callbackWhenOpen: (w) => (w ? `Когда вы откроетесь (${w})` : 'Когда вы откроетесь'),
  callbackAtTime: 'В выбранное мной время',
  callbackSubmit: 'Перезвоните мне',
  callbackCancel: 'Назад',
  callbackDone: (n, w) => (w ? `Мы позвоним вам на ${n} ${w}.` : `Мы позвоним вам на ${n}, когда подойдёт ваша очередь. Ваше место в очереди сохранится.`),
  linkSent: (label) => `Оператор отправил вам ссылку: ${label}`,
  openLink: 'Открыть',
  surveyQuestion: 'Как прошёл звонок?',
  surveyScale: '5 — очень хорошо, 1 — очень плохо',
  surveyScore: (n) => `${n} из 5`,
  surveyThanks: 'Спасибо за ваш отзыв.',
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
  onHold: 'Puhelu on pidossa — pysy linjalla',
  voicemail: 'Kukaan ei voi nyt vastata puheluusi. Jätä viesti äänimerkin jälkeen ja lopeta sitten puhelu.',
  messageLeft: 'Kiitos viestistäsi.',
  recorded: 'Puhelu voidaan tallentaa.',
  chooseTopic: 'Mitä asiasi koskee?',
  back: 'Takaisin',
  menuClosed: (when) => (when ? `Olemme nyt suljettu. Avaamme ${when}.` : 'Olemme nyt suljettu.'),
  ended: 'Puhelu on päättynyt.',
  failed: 'Puhelua ei voitu soittaa.',
  position: (n) => `Paikkasi jonossa: ${n}`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'alle minuutti' : `noin ${waitMinutes(s)} min`),
  micHint: 'Selain pyytää lupaa käyttää mikrofonia.',
  callbackOffer: 'Soittakaa minulle takaisin',
  callbackNumber: 'Puhelinnumerosi',
  callbackAtTurn: 'Kun on minun vuoroni (paikka säilyy)',
  callbackWhenOpen: (w) => (w ? `Kun aukeatte (${w})` : 'Kun aukeatte'),
  callbackAtTime: 'Valitsemanani aikana',
  callbackSubmit: 'Soittakaa minulle',
  callbackCancel: 'Takaisin',
  callbackDone: (n, w) => (w ? `Soitamme sinulle numeroon ${n} ${w}.` : `Soitamme sinulle numeroon ${n}, kun on sinun vuorosi. Paikkasi jonossa säilyy.`),
  linkSent: (label) => `Asiakaspalvelija lähetti sinulle linkin: ${label}`,
  openLink: 'Avaa',
  surveyQuestion: 'Miten puhelu sujui?',
  surveyScale: '5 = erittäin hyvä, 1 = erittäin huono',
  surveyScore: (n) => `${n} viidestä`,
  surveyThanks: 'Kiitos palautteestasi.',
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
  onHold: 'Sie werden gehalten — bitte bleiben Sie dran',
  voicemail: 'Zurzeit kann niemand Ihren Anruf entgegennehmen. Bitte hinterlassen Sie nach dem Signalton eine Nachricht und legen Sie dann auf.',
  messageLeft: 'Vielen Dank für Ihre Nachricht.',
  recorded: 'Dieses Gespräch kann aufgezeichnet werden.',
  chooseTopic: 'Worum geht es bei Ihrem Anruf?',
  back: 'Zurück',
  menuClosed: (when) => (when ? `Wir haben gerade geschlossen. Wir öffnen ${when}.` : 'Wir haben gerade geschlossen.'),
  ended: 'Der Anruf ist beendet.',
  failed: 'Der Anruf konnte nicht aufgebaut werden.',
  position: (n) => `Sie sind Nummer ${n} in der Warteschlange`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'weniger als eine Minute' : `etwa ${waitMinutes(s)} Min.`),
  micHint: 'Ihr Browser fragt nach dem Mikrofon.',
  callbackOffer: 'Stattdessen zurückrufen',
  callbackNumber: 'Ihre Telefonnummer',
  callbackAtTurn: 'Wenn ich an der Reihe bin (Platz bleibt erhalten)',
  callbackWhenOpen: (w) => (w ? `Sobald Sie öffnen (${w})` : 'Sobald Sie öffnen'),
  callbackAtTime: 'Zu einer Zeit meiner Wahl',
  callbackSubmit: 'Rufen Sie mich zurück',
  callbackCancel: 'Zurück',
  callbackDone: (n, w) => (w ? `Wir rufen Sie am ${w} unter ${n} an.` : `Wir rufen Sie unter ${n} an, sobald Sie an der Reihe sind. Ihr Platz in der Warteschlange bleibt erhalten.`),
  linkSent: (label) => `Ihr Ansprechpartner hat Ihnen einen Link geschickt: ${label}`,
  openLink: 'Öffnen',
  surveyQuestion: 'Wie war Ihr Anruf?',
  surveyScale: '5 = sehr gut, 1 = sehr schlecht',
  surveyScore: (n) => `${n} von 5`,
  surveyThanks: 'Vielen Dank für Ihre Rückmeldung.',
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
  onHold: 'Tartásban — kérjük, maradjon a vonalban',
  voicemail: 'Jelenleg senki sem tudja fogadni a hívását. Kérjük, a hangjelzés után hagyjon üzenetet, majd bontsa a hívást.',
  messageLeft: 'Köszönjük az üzenetét.',
  recorded: 'A hívást rögzíthetjük.',
  chooseTopic: 'Miben segíthetünk?',
  back: 'Vissza',
  menuClosed: (when) => (when ? `Most zárva vagyunk. Nyitás: ${when}.` : 'Most zárva vagyunk.'),
  ended: 'A hívás véget ért.',
  failed: 'A hívás nem sikerült.',
  position: (n) => `Ön a(z) ${n}. a sorban`,
  ewt: (s) => (waitMinutes(s) === 0 ? 'kevesebb mint egy perc' : `kb. ${waitMinutes(s)} perc`),
  micHint: 'A böngésző engedélyt kér a mikrofonhoz.',
  callbackOffer: 'Inkább hívjanak vissza',
  callbackNumber: 'Az Ön telefonszáma',
  callbackAtTurn: 'Amikor sorra kerülök (a helyem megmarad)',
  callbackWhenOpen: (w) => (w ? `Amikor kinyitnak (${w})` : 'Amikor kinyitnak'),
  callbackAtTime: 'Az általam választott időpontban',
  callbackSubmit: 'Hívjanak vissza',
  callbackCancel: 'Vissza',
  callbackDone: (n, w) => (w ? `Visszahívjuk a(z) ${n} számon: ${w}.` : `Visszahívjuk a(z) ${n} számon, amikor sorra kerül. A helye a sorban megmarad.`),
  linkSent: (label) => `Munkatársunk linket küldött Önnek: ${label}`,
  openLink: 'Megnyitás',
  surveyQuestion: 'Milyen volt a hívás?',
  surveyScale: '5 = nagyon jó, 1 = nagyon rossz',
  surveyScore: (n) => `5-ből ${n}`,
  surveyThanks: 'Köszönjük a visszajelzését.',
};

const TABLE: Record<string, Partial<Messages>> = { en, et, ru, fi, de, hu };

/** The widget's words for a language code ("et"), English for what is missing. */
export function messagesFor(language: string): Messages {
  return { ...en, ...(TABLE[language] ?? {}) };
}
