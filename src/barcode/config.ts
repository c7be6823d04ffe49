/** Config section `barcode`: what happens to scans after a scanner framed them. Owned by src/barcode. */
import Type, { type Static } from 'typebox';
import { key, section } from '../../drivers/support/config-key.ts';

export const BarcodeSection = section(
  { title: 'Barcode scans', description: 'Classification, duplicate suppression and forwarding of scans from every barcode scanner.' },
  {
    dedupeWindowMs: key(Type.Integer({ minimum: 0, maximum: 60000 }), {
      title: 'Duplicate window',
      description: 'The same code from the same scanner within this many milliseconds of its last read yields one event (0 turns suppression off).',
      default: 800,
    }),
    maxLength: key(Type.Integer({ minimum: 16, maximum: 65536 }), {
      title: 'Longest scan',
      description: 'Scans longer than this many bytes are reported as kind too-long with their first bytes.',
      default: 4096,
    }),
    forwardPersonal: key(Type.Boolean(), {
      title: 'Forward citizen ID data',
      description: 'Forward citizen ID card (CCCD) QR scans to the central system. Off by default: they are personal data and only go to local WebSocket clients.',
      default: false,
    }),
    dossierPatterns: key(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 20 }), {
      title: 'Extra dossier code patterns',
      description:
        'Regular expressions for dossier codes of other shapes than <agency code>-YYMMDD-NNNN, e.g. "^(?<agency>G\\d{2}\\.\\d{2})-(?<date>\\d{8})-(?<seq>\\d{7})$". Optional named groups: agency, date (YYMMDD or YYYYMMDD), seq.',
      default: [],
    }),
  },
);

export type BarcodeConfig = Static<typeof BarcodeSection>;

export const BARCODE_DEFAULTS: BarcodeConfig = { dedupeWindowMs: 800, maxLength: 4096, forwardPersonal: false, dossierPatterns: [] };
