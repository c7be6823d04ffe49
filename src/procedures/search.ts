/**
 * Searching the catalogue as a clerk types: by code ("1.0011" finds 1.001193) or by words, with or
 * without diacritics ("dang ky bien dong" finds "Đăng ký biến động"). Each procedure's words are
 * folded once when the catalogue loads into a sorted vocabulary with the procedures each word is
 * in; a query word then takes the vocabulary's range of words it starts (a binary search), so a
 * search costs little more for thousands of procedures than for ten (the bench measures it).
 * A small in-memory index of our own: the search libraries (lunr, flexsearch, minisearch) bring
 * scoring and stemming a list of procedure names does not need, and none folds đ.
 */
import type { Procedure } from './schemas.ts';

/** Lower case ASCII without Vietnamese marks: NFD strips the tone and vowel marks; đ has no decomposition. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

const words = (s: string) => fold(s).split(/[^a-z0-9]+/).filter(Boolean);

export class ProcedureIndex {
  private readonly procedures: readonly Procedure[];
  private readonly codes: string[];
  private readonly byCode: Map<string, Procedure>;
  /** Distinct folded words of names, English names and fields, sorted; postings[i] = procedures holding vocab[i]. */
  private readonly vocab: string[];
  private readonly postings: number[][];

  constructor(procedures: readonly Procedure[]) {
    this.procedures = procedures;
    this.codes = procedures.map((p) => p.code.toLowerCase());
    this.byCode = new Map(procedures.map((p) => [p.code.toLowerCase(), p]));
    const where = new Map<string, number[]>();
    procedures.forEach((p, i) => {
      for (const w of new Set(words(`${p.name} ${p.nameEn ?? ''} ${p.field}`))) {
        const list = where.get(w);
        if (list) list.push(i);
        else where.set(w, [i]);
      }
    });
    this.vocab = [...where.keys()].sort();
    this.postings = this.vocab.map((w) => where.get(w)!);
  }

  get size(): number {
    return this.procedures.length;
  }

  /** By code: exact, or the national part of a code with a local suffix (1.001193 for 1.001193.000.00.00.H12). */
  get(code: string): Procedure | undefined {
    const c = code.trim().toLowerCase();
    const exact = this.byCode.get(c);
    if (exact) return exact;
    const i = this.codes.findIndex((k) => k.startsWith(`${c}.`) || c.startsWith(`${k}.`));
    return i >= 0 ? this.procedures[i] : undefined;
  }

  /** Counts, per procedure, how many query words start one of its words. */
  private matchWord(w: string, hits: Uint16Array, round: number): void {
    let lo = 0;
    let hi = this.vocab.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vocab[mid] < w) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.vocab.length && this.vocab[i].startsWith(w); i++) {
      for (const p of this.postings[i]) if (hits[p] === round) hits[p] = round + 1;
    }
  }

  /**
   * Every word of the query must start a word of the procedure (so "ket hon" finds "kết hôn" but
   * "on" does not); a query that looks like a code matches codes by prefix. Code matches come
   * first, then the shorter names (the general procedure before its special cases).
   */
  search(query: string | undefined, limit: number): { items: Procedure[]; total: number } {
    const q = fold(query ?? '').trim();
    if (!q) return { items: this.procedures.slice(0, limit), total: this.procedures.length };
    const ws = [...new Set(words(q))];
    const hits = new Uint16Array(this.procedures.length);
    ws.forEach((w, round) => this.matchWord(w, hits, round));
    const codeLike = /^[0-9][0-9.a-z]*$/.test(q);
    const found: { i: number; rank: number }[] = [];
    for (let i = 0; i < this.procedures.length; i++) {
      if (codeLike && this.codes[i].startsWith(q)) found.push({ i, rank: 0 });
      else if (ws.length && hits[i] === ws.length) found.push({ i, rank: 1 });
    }
    found.sort((a, b) => a.rank - b.rank || this.procedures[a.i].name.length - this.procedures[b.i].name.length);
    return { items: found.slice(0, limit).map((f) => this.procedures[f.i]), total: found.length };
  }
}
