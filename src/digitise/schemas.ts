/**
 * The digitising shapes (TypeBox), one schema each, with their types derived: the /scans routes
 * validate and document them, the service and store build them, the counter page reads them.
 */
import Type, { type Static } from 'typebox';

export const Problem = Type.Object({ code: Type.String(), message: Type.String(), messageVi: Type.String() });
export type Problem = Static<typeof Problem>;

export const SessionState = Type.Union([Type.Literal('scanning'), Type.Literal('paused'), Type.Literal('completed'), Type.Literal('cancelled'), Type.Literal('failed')], {
  description: 'paused = a scanner error (jam, cover open, empty feeder) waits for continue or finish.',
});
export type SessionState = Static<typeof SessionState>;

export const DocumentState = Type.Union([Type.Literal('writing'), Type.Literal('ready'), Type.Literal('uploaded'), Type.Literal('deleted'), Type.Literal('discarded')], {
  description: 'writing, ready, uploaded (and deleted locally), deleted (retention), discarded',
});
export type DocumentState = Static<typeof DocumentState>;

const ComponentName = Type.String({ minLength: 1, maxLength: 100 });

/** POST /scans. */
export const StartScanBody = Type.Object(
  {
    scanner: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Device id; default: digitise.defaultScanner or the first document scanner.' })),
    dossierCode: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z][0-9A-Za-z._/-]*$' }),
    profile: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Scan profile name (digitise.profiles or built in).' })),
    components: Type.Optional(Type.Array(ComponentName, { minItems: 1, maxItems: 50, description: 'Expected components, in order; pages before the first separator sheet go to the first.' })),
  },
  { additionalProperties: false },
);
export type StartScanBody = Static<typeof StartScanBody>;

/** GET /scans/separator.pdf. */
export const SeparatorQuery = Type.Object({ component: ComponentName }, { additionalProperties: false });

/** A session's PDF, one per dossier component. */
export const ScanDocument = Type.Object({
  id: Type.String(),
  component: Type.String(),
  name: Type.String(),
  pages: Type.Integer(),
  size: Type.Union([Type.Integer(), Type.Null()]),
  sha256: Type.Union([Type.String(), Type.Null()]),
  state: DocumentState,
});
export type ScanDocument = Static<typeof ScanDocument>;

/** A scan session as GET /scans/:id shows it. */
export const ScanSession = Type.Object({
  id: Type.String(),
  state: SessionState,
  dossierCode: Type.String(),
  scanner: Type.String(),
  profile: Type.String(),
  components: Type.Union([Type.Array(Type.String()), Type.Null()]),
  pages: Type.Integer({ description: 'Pages scanned, blanks and separator sheets included.' }),
  kept: Type.Integer({ description: 'Pages in the PDFs = pages − blanks − separators.' }),
  blanks: Type.Integer(),
  separators: Type.Integer(),
  error: Type.Optional(Problem),
  warnings: Type.Array(Problem, { description: 'E.g. ocr-unavailable when the profile asks for OCR and tesseract is missing.' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  documents: Type.Array(ScanDocument),
});
export type ScanSession = Static<typeof ScanSession>;
