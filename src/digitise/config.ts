/** Config section `digitise`: scan profiles, upload to the central side, retention. Owned by digitising. */
import Type, { type Static } from 'typebox';
import { key, section, item } from '../../drivers/support/config-key.ts';

const ProfileItem = item(
  { title: 'Scan profile', description: 'How pages are scanned and processed. Keys left out take their defaults.' },
  {
    source: key(Type.Union([Type.Literal('flatbed'), Type.Literal('adf'), Type.Literal('adf-duplex')]), { title: 'Source', description: 'flatbed (one page per batch), adf (feeder until empty) or adf-duplex (both sides).', default: 'adf' }),
    mode: key(Type.Union([Type.Literal('color'), Type.Literal('gray'), Type.Literal('lineart')]), { title: 'Colour mode', description: 'color, gray or lineart (black and white).', default: 'color' }),
    resolution: key(Type.Integer({ minimum: 50, maximum: 1200 }), { title: 'Resolution (dpi)', description: 'Scan resolution; 200–300 dpi is the usual archive quality.', default: 200 }),
    jpegQuality: key(Type.Integer({ minimum: 10, maximum: 100 }), { title: 'JPEG quality', description: 'Quality of pages encoded as JPEG (pages already delivered as JPEG by the scanner are embedded as they are).', default: 75 }),
    blankRemoval: key(Type.Boolean(), { title: 'Remove blank pages', description: 'Drop pages whose ink coverage is below blankMaxInk (e.g. blank backs in duplex).', default: true }),
    blankMaxInk: key(Type.Number({ minimum: 0, maximum: 0.2 }), { title: 'Blank page ink ratio', description: 'A page with less than this fraction of ink pixels (margins excluded) is blank.', default: 0.002 }),
    blankInkDelta: key(Type.Integer({ minimum: 10, maximum: 200 }), { title: 'Ink contrast', description: 'A pixel is ink when it is this many grey levels darker than the paper.', default: 60 }),
    deskew: key(Type.Boolean(), { title: 'Deskew', description: 'Straighten pages fed at an angle (up to ±5°); the page is then re-encoded.', default: false }),
    ocr: key(Type.Boolean(), { title: 'OCR', description: 'Add an invisible Vietnamese text layer with tesseract (-l vie) so the PDF is searchable.', default: false }),
  },
);
export type ScanProfile = Static<typeof ProfileItem>;

export const DEFAULT_PROFILE: ScanProfile = {
  source: 'adf',
  mode: 'color',
  resolution: 200,
  jpegQuality: 75,
  blankRemoval: true,
  blankMaxInk: 0.002,
  blankInkDelta: 60,
  deskew: false,
  ocr: false,
};

/** Profiles every agent has; config entries with the same name replace them. */
export const BUILTIN_PROFILES: Record<string, Partial<ScanProfile>> = {
  standard: {},
  gray: { mode: 'gray' },
  lineart: { mode: 'lineart', resolution: 300 },
  duplex: { source: 'adf-duplex' },
  flatbed: { source: 'flatbed' },
  searchable: { mode: 'gray', resolution: 300, ocr: true },
};

export const DigitiseSection = section(
  { title: 'Digitising', description: 'Scanning dossier originals into PDFs.' },
  {
    defaultScanner: key(Type.String(), { title: 'Default scanner', description: 'Device id used when a session names none; empty = the first document scanner.', default: '' }),
    defaultProfile: key(Type.String({ minLength: 1, maxLength: 64 }), { title: 'Default profile', description: 'Profile used when a session names none.', default: 'standard' }),
    profiles: key(Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), ProfileItem), {
      title: 'Scan profiles',
      description: `Named profiles; built in: ${Object.keys(BUILTIN_PROFILES).join(', ')}.`,
      default: {},
    }),
    retentionDays: key(Type.Integer({ minimum: 1 }), { title: 'Retention (days)', description: 'Scan files are deleted after this many days even if never uploaded.', default: 7 }),
    upload: section(
      { title: 'Upload', description: 'Where finished PDFs go: resumable uploads (tus 1.0 with sha256 checksums) to the central side; the local copy is deleted once the central side confirmed the hash.' },
      {
        url: key(Type.String({ maxLength: 2048 }), { title: 'Upload URL', description: 'tus creation endpoint, e.g. https://central.example/api/files; empty = keep files locally until retention.', default: '' }),
        token: key(Type.String({ maxLength: 512 }), { title: 'Bearer token', description: 'Sent as Authorization: Bearer <token>.', default: '' }),
        chunkBytes: key(Type.Integer({ minimum: 16384, maximum: 67108864 }), { title: 'Chunk size', description: 'Bytes per PATCH request; a broken upload resumes from the last confirmed chunk.', default: 4194304 }),
        retryMs: key(Type.Integer({ minimum: 100 }), { title: 'Retry delay', description: 'Pause after a failed upload before trying again (doubles up to 5 minutes).', default: 5000 }),
      },
    ),
    ocrCommand: key(Type.String({ minLength: 1 }), { title: 'tesseract command', description: 'tesseract executable used for OCR profiles.', default: 'tesseract' }),
  },
);
export type DigitiseConfig = Static<typeof DigitiseSection>;

/** The named profile with defaults filled in, or undefined if no such profile. */
export function resolveProfile(cfg: DigitiseConfig, name: string): ScanProfile | undefined {
  const p = cfg.profiles[name] ?? BUILTIN_PROFILES[name];
  return p ? { ...DEFAULT_PROFILE, ...p } : undefined;
}

export function profileNames(cfg: DigitiseConfig): string[] {
  return [...new Set([...Object.keys(BUILTIN_PROFILES), ...Object.keys(cfg.profiles)])];
}
