/** GET /api/v1/audit: who read which dossier or scan, and when (admin scope). */
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';

const Entry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ description: 'UTC time of the access.' }),
  who: Type.String({ description: 'Token name, central:<subject> for central-signed tokens, or local.' }),
  action: Type.String({ description: 'e.g. dossier.read, scan.read, scan.document.read.' }),
  subject: Type.Union([Type.String(), Type.Null()], { description: 'Dossier code or scan id.' }),
  detail: Type.Union([Type.String(), Type.Null()]),
});

export const auditRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/audit',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Audit log of reads of personal data (newest first)',
        tags: ['security'],
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            before: Type.Optional(Type.Integer({ minimum: 1, description: 'Page: entries with id below this.' })),
            subject: Type.Optional(Type.String({ maxLength: 128 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Entry) },
      },
    },
    async (req) => {
      ctx.security.audit.record(req.caller.name, 'audit.read');
      return ctx.security.audit.list({ limit: req.query.limit, beforeId: req.query.before, subject: req.query.subject });
    },
  );
};
