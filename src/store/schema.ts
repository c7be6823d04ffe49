/**
 * The agent's schema: every concern's migrations, in the order openDatabase() applies them. Each
 * concern is versioned on its own (schema_migrations), so a database of any earlier release opens
 * and is brought up to date before any component reads it.
 */
import { SECURITY_MIGRATIONS } from '../security/migrations.ts';
import { OUTBOX_MIGRATIONS } from '../outbox/migrations.ts';
import { PRINTING_MIGRATIONS } from '../printing/migrations.ts';
import { DIGITISE_MIGRATIONS } from '../digitise/migrations.ts';
import { QUEUE_MIGRATIONS } from '../queue/migrations.ts';
import { DOSSIER_MIGRATIONS } from '../dossier/migrations.ts';

export interface ConcernMigrations {
  concern: string;
  steps: readonly string[];
}

export const AGENT_SCHEMA: readonly ConcernMigrations[] = [
  { concern: 'security', steps: SECURITY_MIGRATIONS },
  { concern: 'outbox', steps: OUTBOX_MIGRATIONS },
  { concern: 'printing', steps: PRINTING_MIGRATIONS },
  { concern: 'digitise', steps: DIGITISE_MIGRATIONS },
  { concern: 'queue', steps: QUEUE_MIGRATIONS },
  { concern: 'dossier', steps: DOSSIER_MIGRATIONS },
];
