/**
 * Parsers for the codes a counter sees: dossier codes (mã hồ sơ), UPU S10 postal item
 * identifiers and the QR code of the Vietnamese chip ID card (CCCD). Pure functions: no I/O,
 * never throw on any input text (only a malformed *configured* pattern throws).
 */

// ---------------------------------------------------------------- dossier codes

export interface DossierCode {
  /** The code as scanned (trimmed). */
  code: string;
  /** Agency code, e.g. `000.00.21.H30` (QCVN 102:2016 four-level code). */
  agencyCode?: string;
  /** Reception date encoded in the code, `YYYY-MM-DD`. */
  receivedDate?: string;
  /** Sequence number of that day. */
  sequence?: number;
}

/**
 * Thông tư 01/2018/TT-VPCP, Điều 19: `<agency code>-YYMMDD-NNNN`. The agency code has four
 * dot-separated levels `V1V2V3.Z1Z2.Y1Y2.MX1X2` (Quyết định 20/2020/QĐ-TTg), e.g. `000.00.21.H30`.
 */
export const DEFAULT_DOSSIER_PATTERN =
  '^(?<agency>[0-9A-Z]{3}\\.[0-9A-Z]{2}\\.[0-9A-Z]{2}\\.[A-Z][0-9A-Z]{2})-(?<date>\\d{6})-(?<seq>\\d{4})$';

/** Longest text the dossier matcher looks at; real codes are ~25 characters. */
const MAX_DOSSIER_LENGTH = 128;

const compiled = new Map<string, RegExp>();

/**
 * Compiles a configured pattern. Named groups it may use: `agency`, `date` (YYMMDD or YYYYMMDD),
 * `seq`. Throws a clear error for an invalid regular expression (config validation calls this).
 */
export function compileDossierPattern(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern, 'u');
    } catch (err) {
      throw new Error(`invalid dossier code pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`);
    }
    compiled.set(pattern, re);
  }
  return re;
}

/** `YYMMDD` (20YY) or `YYYYMMDD` → `YYYY-MM-DD`, or null when it is not a calendar date. */
export function compactDate(digits: string): string | null {
  let y: number, m: number, d: number;
  if (/^\d{6}$/.test(digits)) {
    y = 2000 + Number(digits.slice(0, 2));
    m = Number(digits.slice(2, 4));
    d = Number(digits.slice(4, 6));
  } else if (/^\d{8}$/.test(digits)) {
    y = Number(digits.slice(0, 4));
    m = Number(digits.slice(4, 6));
    d = Number(digits.slice(6, 8));
  } else return null;
  return isoDate(y, m, d);
}

function isoDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function matchPattern(re: RegExp, code: string): DossierCode | null {
  const m = re.exec(code);
  if (!m) return null;
  const g = m.groups ?? {};
  const out: DossierCode = { code };
  if (g.agency) out.agencyCode = g.agency;
  if (g.date !== undefined) {
    const date = compactDate(g.date);
    if (!date) return null; // a code whose date is not a date is not a dossier code
    out.receivedDate = date;
  }
  if (g.seq !== undefined) {
    if (!/^\d+$/.test(g.seq)) return null;
    out.sequence = Number(g.seq);
  }
  return out;
}

/**
 * A dossier code in the standard shape, or in one of `extraPatterns` (regular expressions
 * with optional named groups `agency`, `date`, `seq`), or null.
 */
export function parseDossierCode(text: string, extraPatterns: readonly string[] = []): DossierCode | null {
  if (typeof text !== 'string') return null;
  const code = text.trim();
  if (code.length === 0 || code.length > MAX_DOSSIER_LENGTH) return null;
  for (const p of [DEFAULT_DOSSIER_PATTERN, ...extraPatterns]) {
    const hit = matchPattern(compileDossierPattern(p), code);
    if (hit) return hit;
  }
  return null;
}

/** Builds the standard code from its parts (used by tests and by flows that number dossiers). */
export function formatDossierCode(agencyCode: string, receivedDate: string, sequence: number): string {
  const [y, m, d] = receivedDate.split('-');
  return `${agencyCode}-${y.slice(2)}${m}${d}-${String(sequence).padStart(4, '0')}`;
}

// ---------------------------------------------------------------- UPU S10 postal items

export interface S10Result {
  /** The 13-character identifier, e.g. `EE123456785VN`. */
  id: string;
  /** Two-letter service indicator (e.g. `EE` for EMS, `RR` for registered letters). */
  serviceIndicator: string;
  /** The eight-digit serial number. */
  serialNumber: string;
  /** Check digit as printed on the item. */
  checkDigit: number;
  /** Check digit computed from the serial number. */
  expectedCheckDigit: number;
  /** Two-letter ISO country code of the posting administration. */
  country: string;
  /** True when the printed check digit matches. */
  valid: boolean;
}

/** UPU S10 check digit weights (UPU standard S10, section on the check digit). */
const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;
const S10_SHAPE = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/;

/** Check digit of an 8-digit serial: 11 − (Σ digit×weight mod 11), with 10 → 0 and 11 → 5. */
export function s10CheckDigit(serial8: string): number {
  if (!/^\d{8}$/.test(serial8)) throw new Error(`S10 serial must be 8 digits, got ${JSON.stringify(serial8)}`);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(serial8[i]) * S10_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}

/** An S10 identifier (valid or with a wrong check digit — see `valid`), or null for another shape. */
export function parseS10(text: string): S10Result | null {
  if (typeof text !== 'string') return null;
  const id = text.trim();
  const m = S10_SHAPE.exec(id);
  if (!m) return null;
  const checkDigit = Number(m[3]);
  const expectedCheckDigit = s10CheckDigit(m[2]);
  return {
    id,
    serviceIndicator: m[1],
    serialNumber: m[2],
    checkDigit,
    expectedCheckDigit,
    country: m[4],
    valid: checkDigit === expectedCheckDigit,
  };
}

// ---------------------------------------------------------------- CCCD QR

/** Data printed in the QR code of the chip ID card (căn cước công dân). Personal data. */
export interface CitizenId {
  /** 12-digit personal identification number. */
  idNumber: string;
  /** 9-digit number of the old ID card (CMND), when the card carries it. */
  oldIdNumber?: string;
  fullName: string;
  /** `YYYY-MM-DD`. */
  dateOfBirth: string;
  /** As printed: `Nam` or `Nữ`. */
  sex: string;
  address: string;
  /** `YYYY-MM-DD`. */
  issueDate: string;
  /** Fields after the seventh that some card generations add, kept verbatim. */
  extra?: string[];
}

export type CccdParse =
  | { ok: true; citizen: CitizenId }
  | { ok: false; fieldCount: number; reason: string; reasonVi: string };

/** The QR holds: ID | old ID | full name | DOB DDMMYYYY | sex | address | issue date DDMMYYYY. */
const CCCD_FIELDS = 7;

function ddmmyyyy(s: string): string | null {
  if (!/^\d{8}$/.test(s)) return null;
  return isoDate(Number(s.slice(4, 8)), Number(s.slice(2, 4)), Number(s.slice(0, 2)));
}

function bad(fieldCount: number, reason: string, reasonVi: string): CccdParse {
  return { ok: false, fieldCount, reason, reasonVi };
}

/**
 * Null when the text does not look like a CCCD QR at all (no `|`, or the first field is not an
 * ID number); otherwise the citizen data, or why it is malformed (too few fields, a bad date…).
 * Reasons never quote the field values: they are personal data.
 */
export function parseCccdQr(text: string): CccdParse | null {
  if (typeof text !== 'string' || !text.includes('|')) return null;
  const fields = text.trim().split('|').map((f) => f.trim().normalize('NFC'));
  if (!/^\d{9,12}$/.test(fields[0])) return null;
  const n = fields.length;
  if (n < CCCD_FIELDS) return bad(n, `citizen ID QR has ${n} fields, expected ${CCCD_FIELDS}`, `mã QR căn cước có ${n} trường, cần ${CCCD_FIELDS}`);
  const [idNumber, oldId, fullName, dob, sex, address, issued, ...extra] = fields;
  if (!/^\d{12}$/.test(idNumber)) return bad(n, 'ID number is not 12 digits', 'số định danh không đủ 12 chữ số');
  if (oldId !== '' && !/^\d{9}$/.test(oldId)) return bad(n, 'old ID number is not 9 digits', 'số CMND cũ không phải 9 chữ số');
  if (fullName === '') return bad(n, 'full name is empty', 'thiếu họ và tên');
  const dateOfBirth = ddmmyyyy(dob);
  if (!dateOfBirth) return bad(n, 'date of birth is not a DDMMYYYY date', 'ngày sinh không đúng dạng ngày/tháng/năm');
  if (sex === '') return bad(n, 'sex is empty', 'thiếu giới tính');
  const issueDate = ddmmyyyy(issued);
  if (!issueDate) return bad(n, 'issue date is not a DDMMYYYY date', 'ngày cấp không đúng dạng ngày/tháng/năm');
  const citizen: CitizenId = { idNumber, fullName, dateOfBirth, sex, address, issueDate };
  if (oldId !== '') citizen.oldIdNumber = oldId;
  const rest = extra.filter((e) => e !== '');
  if (rest.length > 0) citizen.extra = extra;
  return { ok: true, citizen };
}
