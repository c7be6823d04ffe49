/**
 * Writes config/procedures/procedures.schema.json from the catalogue's TypeBox schema, so editors
 * check catalogue YAML as it is typed (`# yaml-language-server: $schema=procedures.schema.json`).
 * `node --import tsx scripts/procedures-schema.ts` (a test fails when the file is stale).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CatalogueFile } from '../src/procedures/schemas.ts';
import { projectPath } from '../src/paths.ts';

export const SCHEMA_PATH = projectPath('config', 'procedures', 'procedures.schema.json');

export function schemaText(): string {
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...CatalogueFile }, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(SCHEMA_PATH, schemaText());
