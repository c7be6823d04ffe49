/**
 * Vietnamese first, English on request. Each page passes its own dictionary; the choice is kept
 * per page in localStorage (a kiosk resets it to Vietnamese when it returns to the start).
 */
export type Lang = 'vi' | 'en';
export type Dict<K extends string> = Record<Lang, Record<K, string>>;

export class I18n<K extends string> {
  lang: Lang;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly dict: Dict<K>,
    private readonly storageKey: string,
  ) {
    const saved = (() => {
      try {
        return localStorage.getItem(storageKey);
      } catch {
        return null;
      }
    })();
    this.lang = saved === 'en' ? 'en' : 'vi';
    document.documentElement.lang = this.lang;
  }

  /** The text for `key`, with `{name}` placeholders filled. */
  t(key: K, vars: Record<string, string | number> = {}): string {
    const s = this.dict[this.lang][key] ?? this.dict.vi[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));
  }

  /** Picks the Vietnamese or English variant of a text that comes from the agent. */
  pick(vi: string | undefined, en: string | undefined): string {
    return (this.lang === 'en' ? en || vi : vi || en) ?? '';
  }

  set(lang: Lang): void {
    if (lang === this.lang) return;
    this.lang = lang;
    document.documentElement.lang = lang;
    try {
      localStorage.setItem(this.storageKey, lang);
    } catch {}
    for (const l of this.listeners) l();
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }
}
