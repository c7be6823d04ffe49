/**
 * Searching the catalogue as a clerk types: by code ("1.0011" finds 1.001193) or by words, with or
 * without diacritics ("dang ky bien dong" finds "Đăng ký biến động"). Each procedure's text is
 * folded once when the catalogue loads; a query then scans plain ASCII strings, which stays far
 * under a millisecond for thousands of procedures (the bench measures it), so no index library.
 */
import type { Procedure } from './schemas.ts';

/** Lower case ASCII without Vietnamese marks: NFD strips the tone and vowel marks; đ has no decomposition. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

interface Entry {
  p: Procedure;
  code: string;
  /** Folded words of the name, English name and field, space-separated with a leading space. */
  text: string;
}

export class ProcedureIndex {
  private readonly entries: Entry[];
  private readonly byCode: Map<string, Procedure>;

  constructor(procedures: readonly Procedure[]) {
    this.entries = procedures.map((p) => ({ p, code: p.code.toLowerCase(), text: ` ${fold(`${p.name} ${p.nameEn ?? ''} ${p.field}`).replace(/[^a-z0-9]+/g, ' ')}` }));
    this.byCode = new Map(procedures.map((p) => [p.code.toLowerCase(), p]));
  }

  get size(): number {
    return this.entries.length;
  }

  /** By code: exact, or the national part of a code with a local suffix (1.001193 for 1.001193.000.00.00.H12). */
  get(code: string): Procedure | undefined {
    const c = code.trim().toLowerCase();
    return this.byCode.get(c) ?? this.entries.find((e) => e.code.startsWith(`${c}.`) || c.startsWith(`${e.code}.`))?.p;
  }

  /**
   * Every word of the query must start a word of the text (so "ket hon" finds "kết hôn" but "on"
   * does not); a query that looks like a code matches codes by prefix. Code matches come first,
   * then the shorter names (the general procedure before its special cases).
   */
  search(query: string | undefined, limit: number): { items: Procedure[]; total: number } {
    const q = fold(query ?? '').trim();
    if (!q) return { items: this.entries.slice(0, limit).map((e) => e.p), total: this.entries.length };
    const words = q.split(/[^a-z0-9.]+/).filter(Boolean);
    const codeLike = /^[0-9][0-9.a-z]*$/.test(q);
    const hits: { e: Entry; rank: number }[] = [];
    for (const e of this.entries) {
      if (codeLike && e.code.startsWith(q)) hits.push({ e, rank: 0 });
      else if (words.every((w) => e.text.includes(` ${w.replace(/\./g, '')}`))) hits.push({ e, rank: 1 });
    }
    hits.sort((a, b) => a.rank - b.rank || a.e.p.name.length - b.e.p.name.length);
    return { items: hits.slice(0, limit).map((h) => h.e.p), total: hits.length };
  }
}
