/** Health, devices and the simulated-scan route. */
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { conflict, notFound } from '../../errors.ts';
import { isSimulatableScanner } from '../../../drivers/contracts.ts';
import { DeviceInfo } from '../../devices.ts';
import { HealthAnswer } from '../../health.ts';

export const systemRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();
  const identity = `"agent":${JSON.stringify(ctx.config.agent.id)},"site":${JSON.stringify(ctx.config.agent.site)}`;

  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness and readiness; degraded when a component needs attention',
        tags: ['system'],
        response: { 200: HealthAnswer },
      },
    },
    async (_req, reply) => {
      // Assembled from the cached snapshot: monitors and load balancers poll this route, and the
      // checks' JSON changes far less often than it is asked for. The schema above still documents it.
      const s = ctx.health.snapshot();
      reply.type('application/json; charset=utf-8');
      return `{"status":"${s.status}",${identity},"uptimeMs":${Math.round(performance.now() - ctx.startedAt)},"checks":${s.checksJson}}` as never;
    },
  );

  app.get('/devices', { schema: { summary: 'Devices at this desk and their state', tags: ['devices'], response: { 200: Type.Array(DeviceInfo) } } }, async () => ctx.devices.list());

  app.post(
    '/devices/:id/simulate',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Feed a read to a simulated barcode scanner',
        tags: ['devices'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            data: Type.String({ minLength: 1, maxLength: 8192, description: 'What the scanner read.' }),
            aimId: Type.Optional(Type.String({ pattern: '^\\][A-Za-z][0-9A-Za-z]$', description: 'AIM symbology identifier, e.g. ]Q1.' })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ accepted: Type.Boolean() }), 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' } },
      },
    },
    async (req, reply) => {
      const dev = ctx.devices.get(req.params.id);
      if (!dev) throw notFound(`device ${req.params.id}`, `thiết bị ${req.params.id}`);
      if (!isSimulatableScanner(dev)) {
        throw conflict('not-simulated', `device ${dev.id} is not a simulated barcode scanner`, `Thiết bị ${dev.id} không phải máy quét mô phỏng`);
      }
      try {
        dev.simulate(req.body.data, req.body.aimId);
      } catch (err) {
        throw conflict('device-unavailable', (err as Error).message, 'Thiết bị chưa sẵn sàng');
      }
      return reply.code(202).send({ accepted: true });
    },
  );
};
