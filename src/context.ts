/** What the HTTP layer and components share. Built once in app.ts. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config/schema.ts';
import type { Db } from './store/db.ts';
import type { EventBus } from './bus.ts';
import type { Events } from './events.ts';
import type { DeviceManager } from './devices.ts';
import type { Health } from './health.ts';
import type { PrintSubmitter } from './printing/api.ts';
import type { Security } from './security/index.ts';
import type { OutboxService } from './outbox/service.ts';
import type { QueueBackend } from './queue/backend.ts';
import type { DigitiseService } from './digitise/service.ts';
import type { DossierService } from './dossier/service.ts';
import type { ProcedureCatalogue } from './procedures/catalogue.ts';
import type { WorkingCalendar } from './calendar/working-days.ts';

export interface AgentContext {
  config: Config;
  /** Absolute data directory. */
  dataDir: string;
  log: Logger;
  db: Db;
  bus: EventBus;
  events: Events;
  devices: DeviceManager;
  health: Health;
  metrics: Registry;
  /** Tokens, audit log, the personal-data vault, central-signed token verification. */
  security: Security;
  /** Print jobs (src/printing). */
  printing: PrintSubmitter;
  /** The outbox relay, its status and dead letters (src/outbox). */
  outbox: OutboxService;
  /** The centre queue: host engine or client of the host (src/queue). */
  queue: QueueBackend;
  /** Scan sessions and their PDFs (src/digitise). */
  digitise: DigitiseService;
  /** Dossiers received and returned here, and their status (src/dossier). */
  dossier: DossierService;
  /** The procedure catalogue (src/procedures). */
  procedures: ProcedureCatalogue;
  /** The centre's working days, for appointments (src/calendar). */
  calendar: WorkingCalendar;
  startedAt: number;
}
