/** Print jobs (submit, follow, preview, A4 document, retry, list) and the simulated printer's controls. */
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { conflict, notFound, unavailable } from '../../errors.ts';
import { JobState as State, PrintJob as Job, PrintRequest } from '../../printing/api.ts';
import type { PrintService } from '../../printing/service.ts';
import { isSimulatablePrinter, type SimulatablePrinter } from '../../../drivers/contracts.ts';

const Err = { $ref: 'ErrorBody#' };
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const printRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();
  const svc = (): PrintService => {
    const p = ctx.printing as Partial<PrintService>;
    if (typeof p.retry !== 'function') throw unavailable('printing-unavailable', 'printing is not available', 'Chưa có chức năng in');
    return p as PrintService;
  };
  const job = (id: string) => {
    const j = svc().get(id);
    if (!j) throw notFound(`print job ${id}`, `lệnh in ${id}`);
    return j;
  };

  app.post(
    '/print/jobs',
    {
      config: { scope: 'print' },
      schema: {
        summary: 'Print a template: queued at once, printed by the spool; follow it at GET /print/jobs/:id',
        tags: ['printing'],
        body: PrintRequest,
        response: { 202: Type.Object({ id: Type.String(), state: State }), 400: Err, 404: Err },
      },
    },
    async (req, reply) => reply.code(202).send(ctx.printing.submit(req.body)),
  );

  app.get(
    '/print/jobs',
    {
      config: { scope: 'print' },
      schema: {
        summary: 'Recent print jobs, newest first (admin page)',
        tags: ['printing'],
        querystring: Type.Object({ state: Type.Optional(State), printer: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Job) },
      },
    },
    async (req) => svc().list(req.query),
  );

  app.get('/print/jobs/:id', { config: { scope: 'print' }, schema: { summary: 'A print job and its state', tags: ['printing'], params: IdParams, response: { 200: Job, 404: Err } } }, async (req) => job(req.params.id));

  app.get(
    '/print/jobs/:id/preview.png',
    { config: { scope: 'print' }, schema: { summary: 'The exact raster that was (or will be) sent, pages stacked', tags: ['printing'], params: IdParams, produces: ['image/png'] } },
    async (req, reply) => reply.type('image/png').header('cache-control', 'no-store').send(await svc().previewPng(req.params.id)),
  );

  app.get(
    '/print/jobs/:id/document.pdf',
    { config: { scope: 'print' }, schema: { summary: 'The dossier receipt of this job as an A4 PDF', tags: ['printing'], params: IdParams, produces: ['application/pdf'] } },
    async (req, reply) => {
      const j = job(req.params.id);
      const pdf = await svc().documentPdf(j.id);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${(j.subject ?? j.id).replace(/[^A-Za-z0-9._-]/g, '_')}.pdf"`).send(pdf);
    },
  );

  app.post(
    '/print/jobs/:id/retry',
    { config: { scope: 'print' }, schema: { summary: 'Print a failed, interrupted or waiting job again (the only way a job is reprinted)', tags: ['printing'], params: IdParams, response: { 202: Job, 404: Err, 409: Err, 410: Err } } },
    async (req, reply) => reply.code(202).send(svc().retry(req.params.id)),
  );

  const simulated = (id: string): SimulatablePrinter => {
    const dev = ctx.devices.get(id);
    if (!dev) throw notFound(`device ${id}`, `thiết bị ${id}`);
    if (!isSimulatablePrinter(dev)) {
      throw conflict('not-simulated', `device ${id} is not a simulated printer`, `Thiết bị ${id} không phải máy in mô phỏng`);
    }
    return dev;
  };

  app.post(
    '/devices/:id/condition',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Set the condition of a simulated printer (answers the next DLE EOT); connected=false unplugs it',
        tags: ['devices'],
        params: IdParams,
        body: Type.Object(
          {
            paperOut: Type.Optional(Type.Boolean()),
            paperNearEnd: Type.Optional(Type.Boolean()),
            coverOpen: Type.Optional(Type.Boolean()),
            offline: Type.Optional(Type.Boolean()),
            cutterError: Type.Optional(Type.Boolean()),
            unrecoverableError: Type.Optional(Type.Boolean()),
            autoRecoverableError: Type.Optional(Type.Boolean()),
            connected: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ condition: Type.Record(Type.String(), Type.Boolean()) }), 404: Err, 409: Err },
      },
    },
    async (req) => {
      const p = simulated(req.params.id);
      const { offline, ...rest } = req.body;
      p.setCondition({ ...rest, ...(offline === undefined ? {} : { online: !offline }) });
      // Ask at once so the status event and waiting jobs follow the change without polling delay.
      if (p.status().state !== 'disconnected') await p.queryStatus().catch(() => undefined);
      if (req.body.connected !== false) svc().kick(p.id);
      return { condition: { ...p.condition } };
    },
  );

  app.get(
    '/devices/:id/paper.png',
    { config: { scope: 'print' }, schema: { summary: 'What a simulated printer\'s paper shows: the last cut page', tags: ['devices'], params: IdParams, produces: ['image/png'] } },
    async (req, reply) => {
      const png = simulated(req.params.id).lastPagePng();
      if (!png) throw notFound('printed page', 'trang đã in');
      return reply.type('image/png').header('cache-control', 'no-store').send(png);
    },
  );
};
