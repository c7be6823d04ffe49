/** Config section `procedures`: where the procedure catalogue comes from. Owned by src/procedures. */
import Type, { type Static } from 'typebox';
import { key, section } from '../../drivers/support/config-key.ts';

export const ProceduresSection = section(
  { title: 'Procedure catalogue', description: 'Administrative procedures (thủ tục hành chính) the receipt is filled from: components, processing time in working days, fees.' },
  {
    files: key(Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 50 }), {
      title: 'Catalogue files',
      description: 'YAML (or JSON) files, or folders of them, each `{procedures: [...]}` (schema: config/procedures/procedures.schema.json). Relative paths are from the config file\'s folder. A missing folder is an empty catalogue; a file with errors is left out and named in /health.',
      default: ['procedures'],
    }),
    url: key(Type.String({ maxLength: 1024 }), {
      title: 'Central catalogue URL',
      description: 'Where the central side serves the catalogue as JSON `{procedures: [...]}`; empty = files only. Fetched with If-None-Match, kept on disk and used offline; its procedures replace file entries with the same code.',
      default: '',
    }),
    refreshMinutes: key(Type.Integer({ minimum: 1, maximum: 10080 }), { title: 'Refresh interval', description: 'Minutes between two fetches of the central catalogue.', default: 60 }),
    timeoutMs: key(Type.Integer({ minimum: 1000, maximum: 120000 }), { title: 'Fetch timeout', description: 'Longest wait for the central catalogue, in milliseconds.', default: 15000 }),
  },
);

export type ProceduresConfig = Static<typeof ProceduresSection>;
