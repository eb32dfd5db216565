/** Names of the languages the product speaks, in the language itself (for pickers) and in English (for agents). */
const NATIVE: Record<string, string> = {
  en: 'English',
  et: 'Eesti',
  ru: 'Русский',
  fi: 'Suomi',
  de: 'Deutsch',
  hu: 'Magyar',
  sv: 'Svenska',
  lv: 'Latviešu',
  lt: 'Lietuvių',
  fr: 'Français',
  es: 'Español',
};
const ENGLISH: Record<string, string> = {
  en: 'English',
  et: 'Estonian',
  ru: 'Russian',
  fi: 'Finnish',
  de: 'German',
  hu: 'Hungarian',
  sv: 'Swedish',
  lv: 'Latvian',
  lt: 'Lithuanian',
  fr: 'French',
  es: 'Spanish',
};

/** Lower-cased primary subtag: "en-GB" → "en". Empty for a blank tag. */
export function primaryLanguage(tag: string | null | undefined): string {
  return (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

export function nativeLanguageName(code: string): string {
  return NATIVE[code] ?? code;
}

export function englishLanguageName(code: string): string {
  return ENGLISH[code] ?? code;
}
