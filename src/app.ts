/**
 * Wires the agent: store, bus, devices, components and HTTP. buildApp() opens the database (the one
 * migration phase) and builds every component with its dependencies, in order, without other I/O;
 * start() starts them in that order and listens; stop() closes HTTP and stops them in reverse.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import type { Config, DeviceConfig } from './config/schema.ts';
import { openDatabase } from './store/db.ts';
import { EventBus } from './bus.ts';
import { Events } from './events.ts';
import { OutboxStore } from './outbox/store.ts';
import { OutboxService } from './outbox/service.ts';
import { sourceUrn } from './outbox/envelope.ts';
import { DeviceManager } from './devices.ts';
import { Health } from './health.ts';
import { createLogger } from './log.ts';
import { buildHttp, type App } from './http/server.ts';
import { BarcodePipeline } from './barcode/pipeline.ts';
import type { AgentContext } from './context.ts';
import { Lifecycle, type Component } from './component.ts';
import { SecurityServices } from './security/index.ts';
import { diskCheck } from './store/disk.ts';
import { PrintService } from './printing/service.ts';
import { QueueHost } from './queue/host.ts';
import { QueueClient } from './queue/client.ts';
import type { QueueBackend } from './queue/backend.ts';
import { printerProblemFrom } from './queue/ticket-print.ts';
import { DigitiseService } from './digitise/service.ts';
import { DossierService } from './dossier/service.ts';
import { ProcedureCatalogue } from './procedures/catalogue.ts';
import { WorkingCalendar } from './calendar/working-days.ts';

export interface BuildOptions {
  logger?: Logger;
  /** Benchmarks only: measure the cost of the Host/Origin/token checks and abuse guards by turning them off. */
  accessChecks?: boolean;
}

export interface Agent {
  fastify: App;
  ctx: AgentContext;
  /** What start() starts, in this order; stop() stops them in reverse. */
  components: readonly Component[];
  /** Starts devices and components; listens unless `listen: false` (tests using inject()). */
  start(opts?: { listen?: boolean }): Promise<{ address: string | null }>;
  stop(): Promise<void>;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<Agent> {
  const startedAt = performance.now();
  const log = opts.logger ?? createLogger(config.log.level);
  const dataDir = resolve(config.agent.dataDir);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  const db = openDatabase(dataDir);
  const bus = new EventBus(log);
  const health = new Health();
  bus.subscribe(() => health.invalidate()); // a state change shows in /health at once
  const security = new SecurityServices(config, db);
  const outbox = new OutboxStore(db, security.vault);
  const events = new Events(db, bus, outbox, sourceUrn(config.agent.site, config.agent.id));
  const devices = new DeviceManager(config.devices as DeviceConfig[], events, log.child({ component: 'devices' }), dataDir);
  devices.build();
  const outboxService = new OutboxService(config, outbox, events, health, log.child({ component: 'outbox' }));
  const printing = new PrintService({ db, events, devices, config, vault: security.vault, log: log.child({ component: 'printing' }) });
  // The queue backend is chosen here, once: the routes see one interface whichever the role.
  const queueDeps = {
    db,
    config: config.queue,
    timezone: config.agent.timezone,
    log: log.child({ component: 'queue' }),
    printing,
    printerProblem: printerProblemFrom(devices, config.printing.defaultPrinter),
  };
  const queue: QueueBackend =
    config.queue.role === 'host'
      ? new QueueHost({ ...queueDeps, events, dataDir })
      : new QueueClient({ ...queueDeps, agentId: config.agent.id, publishBoard: (state) => events.publish('hcc.queue.board', undefined, state) });
  const digitise = new DigitiseService({ config, dataDir, db, events, devices, log: log.child({ component: 'digitise' }), vault: security.vault });
  const central = config.central.http;
  const procedures = new ProcedureCatalogue({ config: config.procedures, dataDir, token: central.token, caFile: central.caFile, log: log.child({ component: 'procedures' }) });
  const calendar = new WorkingCalendar(config.calendar, config.agent.timezone);
  const dossier = new DossierService({
    db,
    events,
    printing,
    log: log.child({ component: 'dossier' }),
    vault: security.vault,
    retentionDays: config.security.personalDataDays,
    agencyName: config.printing.agencyName,
    timezone: config.agent.timezone,
    dossierPatterns: config.barcode.dossierPatterns,
    procedures,
    calendar,
    vietqr: config.payments.vietqr,
    central: { statusUrl: central.statusUrl, token: central.token, caFile: central.caFile, timeoutMs: central.statusTimeoutMs, cacheMs: central.statusCacheMs },
  });
  const ctx: AgentContext = { config, dataDir, log, db, bus, events, devices, health, metrics, startedAt, printing, security, outbox: outboxService, queue, digitise, dossier, procedures, calendar };

  const barcodes = new BarcodePipeline(events, config.barcode, log.child({ component: 'barcode' }));
  for (const s of devices.ofType('barcode')) barcodes.attach(s);

  health.register('printing', () => printing.check());
  health.register('disk', diskCheck(dataDir, config.agent.minFreeDiskBytes));
  health.register('devices', () => {
    const bad = devices.list().filter((d) => d.state !== 'connected');
    return bad.length
      ? { ok: false, message: bad.map((d) => `${d.id}: ${d.status.reason}`).join('; '), messageVi: bad.map((d) => `${d.id}: ${d.status.reasonVi}`).join('; '), detail: { devices: bad.map((d) => d.id) } }
      : { ok: true };
  });
  health.register('queue', () => queue.check());
  health.register('procedures', () => procedures.check());
  new Gauge({
    name: 'hcc_device_connected',
    help: '1 when the device is connected.',
    labelNames: ['device', 'type'],
    registers: [metrics],
    collect() {
      for (const d of devices.list()) this.set({ device: d.id, type: d.type }, d.state === 'connected' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hcc_print_jobs',
    help: 'Print jobs in the spool by state.',
    labelNames: ['state'],
    registers: [metrics],
    collect() {
      for (const [state, n] of Object.entries(printing.store.countByState())) this.set({ state }, n);
    },
  });

  // Order matters: the vault key before anything sealed is read, the outbox before any event
  // (devices emit status as they start), devices before the services that use them.
  const components: Component[] = [security, outbox, devices, outboxService, printing, queue, digitise, procedures, dossier];
  const lifecycle = new Lifecycle(components, log);
  const fastify = await buildHttp(ctx, { accessChecks: opts.accessChecks ?? true });

  return {
    fastify,
    ctx,
    components,
    async start({ listen = true } = {}) {
      await lifecycle.start();
      if (!listen) {
        await fastify.ready();
        return { address: null };
      }
      const address = await fastify.listen({ host: config.agent.listen.host, port: config.agent.listen.port });
      return { address };
    },
    async stop() {
      await fastify.close();
      await lifecycle.stop();
      db.close();
    },
  };
}
