/**
 * What a scanned code is. Pure and total: every input, however broken, gets exactly one
 * classification (never an exception, never silence).
 */
import { parseCccdQr, parseDossierCode, parseS10 } from '../dossier/codes.ts';

export type ScanKind =
  /** Dossier code (mã hồ sơ); parsed = DossierCode. Forwarded with subject = the code. */
  | 'dossier'
  /** UPU S10 postal item; parsed = S10Result (+ reason when the check digit is wrong). */
  | 'postal-item'
  /** Chip ID card QR; parsed = CitizenId. Personal. */
  | 'citizen-id'
  /** Looks like a chip ID card QR but is malformed; parsed = {fieldCount, reason, reasonVi}. Personal. */
  | 'citizen-id-invalid'
  /** Anything else that is readable text. */
  | 'text'
  /** Control bytes that no printable code contains; raw = base64. */
  | 'binary'
  /** Bytes that are not UTF-8 (e.g. a scanner set to a legacy code page); raw = lossy text. */
  | 'invalid-utf8'
  /** Longer than barcode.maxLength; raw = the first maxLength bytes as lossy text. */
  | 'too-long';

export interface Classified {
  kind: ScanKind;
  /** The scan as text (binary: base64). */
  raw: string;
  parsed: Record<string, unknown> | null;
  /** Personal data (citizen ID): never logged, forwarded only when configured. */
  personal: boolean;
  /** Forwarded to the central system (before the personal-data policy), with this subject. */
  forward: boolean;
  subject?: string;
}

export interface ClassifyOptions {
  maxLength: number;
  /** Extra dossier code patterns (config barcode.dossierPatterns). */
  dossierPatterns: readonly string[];
}

const DEFAULTS: ClassifyOptions = { maxLength: 4096, dossierPatterns: [] };

/**
 * C0 controls that never occur in a printed code's text. Allowed: TAB, LF, CR, and EOT/FS/GS/RS,
 * which GS1 (FNC1 as GS) and ISO/IEC 15434 envelopes use as separators.
 */
function hasBinaryControl(data: Buffer): boolean {
  for (const b of data) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x04 && b !== 0x1c && b !== 0x1d && b !== 0x1e) return true;
    if (b === 0x7f) return true;
  }
  return false;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Classifies the bytes a scanner framed. `truncated`: the driver had to cut the read. */
export function classifyBytes(data: Buffer, opts: Partial<ClassifyOptions> = {}, truncated = false): Classified {
  const o = { ...DEFAULTS, ...opts };
  if (truncated || data.length > o.maxLength) {
    const head = data.subarray(0, o.maxLength);
    return {
      kind: 'too-long',
      raw: head.toString('utf8'),
      parsed: { length: data.length, maxLength: o.maxLength, truncatedByScanner: truncated, reason: `scan longer than ${o.maxLength} bytes`, reasonVi: `mã quét dài quá ${o.maxLength} byte` },
      personal: false,
      forward: false,
    };
  }
  if (hasBinaryControl(data)) {
    return {
      kind: 'binary',
      raw: data.toString('base64'),
      parsed: { encoding: 'base64', length: data.length, reason: 'scan contains control bytes', reasonVi: 'mã quét chứa byte điều khiển, không phải văn bản' },
      personal: false,
      forward: false,
    };
  }
  let text: string;
  try {
    text = strictUtf8.decode(data);
  } catch {
    return {
      kind: 'invalid-utf8',
      raw: data.toString('utf8'),
      parsed: { base64: data.toString('base64'), length: data.length, reason: 'scan is not valid UTF-8 (check the scanner code page)', reasonVi: 'mã quét không phải UTF-8 (kiểm tra bảng mã của máy quét)' },
      personal: false,
      forward: false,
    };
  }
  return classify(text, o);
}

/** Classifies decoded text. */
export function classify(text: string, opts: Partial<ClassifyOptions> = {}): Classified {
  const o = { ...DEFAULTS, ...opts };
  const cccd = parseCccdQr(text);
  if (cccd) {
    return cccd.ok
      ? { kind: 'citizen-id', raw: text, parsed: { ...cccd.citizen }, personal: true, forward: false }
      : { kind: 'citizen-id-invalid', raw: text, parsed: { fieldCount: cccd.fieldCount, reason: cccd.reason, reasonVi: cccd.reasonVi }, personal: true, forward: false };
  }
  const dossier = parseDossierCode(text, o.dossierPatterns);
  if (dossier) return { kind: 'dossier', raw: text, parsed: { ...dossier }, personal: false, forward: true, subject: dossier.code };
  const s10 = parseS10(text);
  if (s10) {
    if (s10.valid) return { kind: 'postal-item', raw: text, parsed: { ...s10 }, personal: false, forward: true, subject: s10.id };
    // A wrong check digit is usually a misread: shown to the clerk, not forwarded as a real item.
    return {
      kind: 'postal-item',
      raw: text,
      parsed: {
        ...s10,
        reason: `check digit ${s10.checkDigit} is wrong (expected ${s10.expectedCheckDigit})`,
        reasonVi: `số kiểm tra ${s10.checkDigit} sai (đúng là ${s10.expectedCheckDigit})`,
      },
      personal: false,
      forward: false,
    };
  }
  return { kind: 'text', raw: text, parsed: null, personal: false, forward: false };
}

/** AIM symbology code characters (ISO/IEC 15424) → names, for people reading events. */
export const AIM_SYMBOLOGIES: Record<string, string> = {
  A: 'Code 39',
  C: 'Code 128',
  d: 'Data Matrix',
  E: 'EAN/UPC',
  e: 'GS1 DataBar',
  F: 'Codabar',
  G: 'Code 93',
  I: 'Interleaved 2 of 5',
  L: 'PDF417',
  Q: 'QR Code',
  U: 'MaxiCode',
  z: 'Aztec',
  X: 'other',
};

export function symbologyName(aimId: string | undefined): string | null {
  if (!aimId) return null;
  return AIM_SYMBOLOGIES[aimId[1]] ?? null;
}
