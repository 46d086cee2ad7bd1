import { en, zh, type MessageKey, type Messages } from './messages.ts';

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const STORAGE_KEY = 'gridline.lang';
const dictionaries: Record<Lang, Messages> = { 'zh-CN': zh, en };

export type MessageParams = Record<string, string | number>;

function interpolate(template: string, params: MessageParams | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

function storedLang(): Lang {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return value === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** The current language, persisted in localStorage; zh-CN unless the user chose English. */
class I18n {
  lang = $state<Lang>(storedLang());

  constructor() {
    this.#applyToDocument();
  }

  /** Translate a key; reactive in templates and $derived (it reads `lang`). */
  t = (key: MessageKey, params?: MessageParams): string =>
    interpolate(dictionaries[this.lang][key], params);

  /** Pick the text for the current language from a `{zh, en}` pair (category names). */
  pick = (names: { zh: string; en: string }): string =>
    this.lang === 'en' ? names.en || names.zh : names.zh;

  set(lang: Lang): void {
    this.lang = lang;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lang);
    } catch {
      // Private mode or storage full: the choice lasts for this page only.
    }
    this.#applyToDocument();
  }

  toggle(): void {
    this.set(this.lang === 'en' ? 'zh-CN' : 'en');
  }

  #applyToDocument(): void {
    if (typeof document === 'undefined') return;
    document.documentElement.lang = this.lang;
  }
}

export const i18n = new I18n();
export const t = i18n.t;
