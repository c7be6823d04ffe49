/**
 * Dossier flows: POST /dossiers/:code/receive and /return (scope `dossier`) record the event and
 * queue the printout in one transaction; GET /dossiers/:code asks the central system for the status.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { DossierCodeParams as Code, DossierStatus, FeePaidAnswer, FeePaidBody, FlowAnswer, ReceiveBody, ReturnBody } from '../../dossier/schemas.ts';

const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } };

export const dossierRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();
  const { flows } = ctx.dossier;

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

  app.post(
    '/dossiers/:code/fees/paid',
    {
      config: { scope: 'dossier' },
      schema: { summary: 'Record the fee of a dossier received here as paid (cash, bank transfer to the VietQR, card terminal): hcc.dossier.fee.paid', tags: ['dossiers'], params: Code, body: FeePaidBody, response: { 201: FeePaidAnswer, ...errors } },
    },
    async (req, reply) => reply.code(201).send(flows.feePaid(req.params.code, req.body)),
  );

  app.get(
    '/dossiers/:code',
    { schema: { summary: 'Dossier status from the central system, or what this desk knows when it cannot be reached', tags: ['dossiers'], params: Code, response: { 200: DossierStatus, 400: { $ref: 'ErrorBody#' } } } },
    async (req) => {
      const code = flows.code(req.params.code).code;
      ctx.security.audit.record(req.caller.name, 'dossier.read', code);
      return ctx.dossier.lookup(code);
    },
  );
};
