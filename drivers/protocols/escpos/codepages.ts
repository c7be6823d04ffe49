/**
 * Vietnamese code pages for printers that print text themselves. Each codec encodes Unicode to
 * bytes in one or more "page slots" (ESC t tables); which ESC t number a slot is on depends on the
 * printer model and is set by the printer profile in config.
 *
 * - tcvn3: TCVN 5712:1993 VN3 ("ABC"). One table holds lower-case letters and the untoned
 *   capitals Ă Â Ê Ô Ơ Ư Đ; toned capitals exist only in the capital table (same byte as the
 *   lower-case letter), so the encoder switches tables (e.g. Epson ESC t 30 / 31).
 * - viscii: VISCII 1.1 (RFC 1456). Six capitals (Ẳ Ẵ Ẫ Ỷ Ỹ Ỵ) sit on C0 control bytes that an
 *   ESC/POS printer executes instead of printing: they are reported as unencodable and the text
 *   encoder prints such a line as raster.
 * - cp1258: Windows-1258. Precomposed where the table has the letter, otherwise base letter plus a
 *   combining tone mark (0xCC grave, 0xEC acute, 0xD2 hook, 0xDE tilde, 0xF2 dot below), which the
 *   printer overstrikes.
 */
import iconv from 'iconv-lite';
import { allLetters } from '../../support/vietnamese.ts';

export type CodecName = 'tcvn3' | 'viscii' | 'cp1258';
export const CODECS: readonly CodecName[] = ['tcvn3', 'viscii', 'cp1258'];

export interface EncodedRun {
  /** Page slot (0 = main table, 1 = tcvn3 capital table). */
  slot: number;
  bytes: Buffer;
}

export interface Encoded {
  runs: EncodedRun[];
  /** Characters the code page cannot print (written as '?'). */
  missing: string[];
}

export interface Codec {
  name: CodecName;
  /** How many ESC t tables it uses. */
  slots: number;
  encode(text: string): Encoded;
  /** One byte (>= 0x20) in a slot back to Unicode; multi-byte sequences compose via NFC afterwards. */
  decodeByte(slot: number, byte: number): string;
}

/** Typography with no Vietnamese code point: printed as its plain ASCII look-alike. */
const ASCII_FALLBACK: Record<string, string> = { '·': '-', '–': '-', '—': '-', '“': '"', '”': '"', '‘': "'", '’': "'", '…': '...', '\u00a0': ' ' };

function pushByte(runs: EncodedRun[], slot: number, b: number): void {
  const last = runs[runs.length - 1];
  if (last && last.slot === slot) last.bytes = Buffer.concat([last.bytes, Buffer.from([b])]);
  else runs.push({ slot, bytes: Buffer.from([b]) });
}

/** Encodes printable ASCII as itself and everything else through `lookup`. */
function makeEncoder(lookup: (ch: string) => { slot: number; bytes: number[] } | null): (text: string) => Encoded {
  return (text) => {
    const runs: EncodedRun[] = [];
    const missing: string[] = [];
    for (const raw of text.normalize('NFC')) {
      const ch = ASCII_FALLBACK[raw] ?? raw;
      if (ch.length > 1 || (ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) < 0x7f)) {
        for (const c of ch) pushByte(runs, 0, c.charCodeAt(0));
        continue;
      }
      const hit = lookup(ch);
      if (hit) for (const b of hit.bytes) pushByte(runs, hit.slot, b);
      else {
        missing.push(ch);
        pushByte(runs, 0, 0x3f);
      }
    }
    return { runs, missing };
  };
}

// ---------------------------------------------------------------- TCVN-3 (VN3)

/** iconv-lite's `tcvn` is VN1, whose lower-case letters and untoned capitals sit where VN3 has them. */
const TCVN3_MAIN = new Map<string, number>();
for (const ch of allLetters()) {
  if (/^[\x20-\x7e]$/.test(ch)) continue;
  const isToned = ch.normalize('NFD').length > 1 && ch !== ch.toLowerCase() && !'ĂÂÊÔƠƯ'.includes(ch);
  if (isToned) continue;
  const b = iconv.encode(ch, 'tcvn');
  if (b.length === 1 && b[0] >= 0xa1) TCVN3_MAIN.set(ch, b[0]);
}
const TCVN3_MAIN_REV = new Map([...TCVN3_MAIN].map(([k, v]) => [v, k]));

const tcvn3: Codec = {
  name: 'tcvn3',
  slots: 2,
  encode: makeEncoder((ch) => {
    const main = TCVN3_MAIN.get(ch);
    if (main !== undefined) return { slot: 0, bytes: [main] };
    const lower = TCVN3_MAIN.get(ch.toLowerCase());
    if (lower !== undefined && ch !== ch.toLowerCase()) return { slot: 1, bytes: [lower] };
    return null;
  }),
  decodeByte(slot, b) {
    if (b < 0x80) return String.fromCharCode(b);
    const ch = TCVN3_MAIN_REV.get(b) ?? '?';
    return slot === 1 ? ch.toUpperCase() : ch;
  },
};

// ---------------------------------------------------------------- VISCII

const viscii: Codec = {
  name: 'viscii',
  slots: 1,
  encode: makeEncoder((ch) => {
    const b = iconv.encode(ch, 'viscii');
    // C0 positions are printer commands, and iconv writes '?' for what the table lacks.
    if (b.length !== 1 || b[0] < 0x20 || b[0] === 0x3f) return null;
    return { slot: 0, bytes: [b[0]] };
  }),
  decodeByte: (_slot, b) => iconv.decode(Buffer.from([b]), 'viscii'),
};

// ---------------------------------------------------------------- Windows-1258

const TONES = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);

function cp1258Bytes(s: string): number[] | null {
  const b = iconv.encode(s, 'windows1258');
  if (b.includes(0x3f)) return null;
  return [...b];
}

const cp1258: Codec = {
  name: 'cp1258',
  slots: 1,
  encode: makeEncoder((ch) => {
    const whole = cp1258Bytes(ch);
    if (whole && whole.length === 1) return { slot: 0, bytes: whole };
    const nfd = ch.normalize('NFD');
    const tone = [...nfd].find((c) => TONES.has(c));
    const base = [...nfd].filter((c) => !TONES.has(c)).join('').normalize('NFC');
    const bb = cp1258Bytes(base);
    const tb = tone ? cp1258Bytes(tone) : [];
    if (!bb || bb.length !== 1 || !tb) return null;
    return { slot: 0, bytes: [...bb, ...tb] };
  }),
  decodeByte: (_slot, b) => iconv.decode(Buffer.from([b]), 'windows1258'),
};

export const codecs: Record<CodecName, Codec> = { tcvn3, viscii, cp1258 };

/** Decodes runs back to NFC text (what a printer with that table shows). */
export function decodeRuns(codec: Codec, runs: EncodedRun[]): string {
  return runs
    .map((r) => [...r.bytes].map((b) => codec.decodeByte(r.slot, b)).join(''))
    .join('')
    .normalize('NFC');
}
