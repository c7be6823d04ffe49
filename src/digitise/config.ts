/** Config section `digitise`: scan profiles and retention. Owned by digitising. */
import Type from 'typebox';
import { key, section } from '../config/key.ts';

export const DigitiseSection = section(
  { title: 'Digitising', description: 'Scanning dossier originals into PDFs.' },
  {
    defaultScanner: key(Type.String(), { title: 'Default scanner', description: 'Device id used when a session names none; empty = the first document scanner.', default: '' }),
    retentionDays: key(Type.Integer({ minimum: 1 }), { title: 'Retention (days)', description: 'Scan files are deleted after this many days even if never uploaded.', default: 7 }),
  },
);
