// Interface language: Indonesian or English, chosen by the browser's languages, switchable,
// remembered in localStorage. Missing Indonesian words fall back to English.
import type { Lang } from '../protocol';
import { errorText } from '../protocol';
import type { StringKey } from './strings';
import { en, id } from './strings';

export type { Lang, StringKey };
export const languages: readonly Lang[] = ['en', 'id'];

export type Params = Record<string, string | number>;

function fill(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Words for `key` in `lang`; English when the language lacks it; the key itself as a last resort. */
export function translate(
  lang: Lang,
  key: StringKey,
  params?: Params,
  tables: { en: Partial<Record<StringKey, string>>; id: Partial<Record<StringKey, string>> } = { en, id },
): string {
  const table = lang === 'id' ? tables.id : tables.en;
  const words = table[key] ?? tables.en[key] ?? key;
  return fill(words, params);
}

/** 'id' for an Indonesian browser (id, id-ID, and the legacy "in"), else 'en'. */
export function pickLanguage(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (primary === 'id' || primary === 'in') return 'id';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'id';
}

export interface Translator {
  lang: Lang;
  t: (key: StringKey, params?: Params) => string;
  error: (code: string) => string;
}

export function translator(lang: Lang): Translator {
  return { lang, t: (key, params) => translate(lang, key, params), error: (code) => errorText(code, lang) };
}

const storageKey = 'writeen-chat-lang';

export function initialLanguage(storage: Pick<Storage, 'getItem'> | null, nav: { languages?: readonly string[]; language?: string } | null): Lang {
  try {
    const saved = storage?.getItem(storageKey);
    if (isLang(saved)) return saved;
  } catch {
    /* storage blocked */
  }
  const list = nav?.languages && nav.languages.length > 0 ? nav.languages : nav?.language ? [nav.language] : [];
  return pickLanguage(list);
}

export function rememberLanguage(storage: Pick<Storage, 'setItem'> | null, lang: Lang): void {
  try {
    storage?.setItem(storageKey, lang);
  } catch {
    /* storage blocked */
  }
}
