/**
 * Dossier flows: POST /dossiers/:code/receive and /return (scope `dossier`) record the event and
 * queue the printout in one transaction; GET /dossiers/:code asks the central system for the status.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { DossierStore } from '../../dossier/store.ts';
import { DossierFlows } from '../../dossier/flows.ts';
import { StatusLookup } from '../../dossier/status.ts';
import { DossierCodeParams as Code, DossierStatus, FlowAnswer, ReceiveBody, ReturnBody } from '../../dossier/schemas.ts';

const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } };

export const dossierRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();
  const store = new DossierStore(ctx.db, ctx.security.vault);
  const days = ctx.config.security.personalDataDays;
  store.start(days);
  // Retention runs daily too: an agent may run for months without a restart.
  const purge = setInterval(() => store.purgeNames(new Date(Date.now() - days * 86_400_000)), 86_400_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  const flows = new DossierFlows({
    events: ctx.events,
    printing: ctx.printing,
    store,
    log: ctx.log.child({ component: 'dossier' }),
    agencyName: ctx.config.printing.agencyName,
    timezone: ctx.config.agent.timezone,
    dossierPatterns: ctx.config.barcode.dossierPatterns,
  });
  const h = ctx.config.central.http;
  const status = new StatusLookup(store, { statusUrl: h.statusUrl, token: h.token, caFile: h.caFile, timeoutMs: h.statusTimeoutMs, cacheMs: h.statusCacheMs });

  app.post(
    '/dossiers/:code/receive',
    {
      config: { scope: 'dossier' },
      schema: { summary: 'Receive a dossier: records hcc.dossier.received and prints the receipt (Mẫu 01) in one transaction', tags: ['dossiers'], params: Code, body: ReceiveBody, response: { 201: FlowAnswer, ...errors } },
    },
    async (req, reply) => reply.code(201).send(flows.receive(req.params.code, req.body)),
  );

  app.post(
    '/dossiers/:code/return',
    {
      config: { scope: 'dossier' },
      schema: { summary: 'Return the result: records hcc.dossier.result.returned (with the S10 item when posted) and prints the slip in one transaction', tags: ['dossiers'], params: Code, body: ReturnBody, response: { 201: FlowAnswer, ...errors } },
    },
    async (req, reply) => reply.code(201).send(flows.return(req.params.code, req.body)),
  );

  app.get(
    '/dossiers/:code',
    { schema: { summary: 'Dossier status from the central system, or what this desk knows when it cannot be reached', tags: ['dossiers'], params: Code, response: { 200: DossierStatus, 400: { $ref: 'ErrorBody#' } } } },
    async (req) => {
      const code = flows.code(req.params.code).code;
      ctx.security.audit.record(req.caller.name, 'dossier.read', code);
      return status.lookup(code);
    },
  );
};
