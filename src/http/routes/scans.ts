/** Digitising: scan sessions, their PDFs and thumbnails, and printable separator sheets. */
import Type from 'typebox';
import { stat } from 'node:fs/promises';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { conflict, gone, notFound } from '../../errors.ts';
import { separatorPdf } from '../../digitise/separator.ts';
import { ScanSession as Session, SeparatorQuery, StartScanBody } from '../../digitise/schemas.ts';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' } };

export const scanRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();
  const svc = () => ctx.digitise;
  const viewOr404 = (id: string) => {
    const v = svc().view(id);
    if (!v) throw notFound(`scan session ${id}`, `phiên quét ${id}`);
    return v;
  };

  app.post(
    '/scans',
    {
      config: { scope: 'scan' },
      schema: {
        summary: 'Start scanning a dossier’s originals; pages arrive as hcc.scan.page events',
        tags: ['scans'],
        body: StartScanBody,
        response: { 202: Type.Object({ id: Type.String() }), ...errors },
      },
    },
    async (req, reply) => {
      const id = await svc().startSession(req.body);
      return reply.code(202).send({ id });
    },
  );

  app.get(
    '/scans/separator.pdf',
    {
      config: { scope: 'scan' },
      schema: {
        summary: 'A printable separator sheet (A4, QR naming the component) to put before that component’s pages',
        tags: ['scans'],
        querystring: SeparatorQuery,
        produces: ['application/pdf'],
      },
    },
    async (req, reply) => {
      const pdf = await separatorPdf(req.query.component);
      return reply.type('application/pdf').header('Content-Disposition', 'inline; filename="separator.pdf"').send(pdf);
    },
  );

  app.get('/scans/:id', { config: { scope: 'scan' }, schema: { summary: 'A scan session: state, counts and documents', tags: ['scans'], params: IdParams, response: { 200: Session, 404: { $ref: 'ErrorBody#' } } } }, async (req) => viewOr404(req.params.id));

  app.post('/scans/:id/cancel', { config: { scope: 'scan' }, schema: { summary: 'Cancel a session; its partial files are deleted', tags: ['scans'], params: IdParams, response: { 200: Session, ...errors } } }, async (req) => {
    await svc().cancel(req.params.id);
    return viewOr404(req.params.id);
  });

  app.post(
    '/scans/:id/continue',
    { config: { scope: 'scan' }, schema: { summary: 'Scan again into a paused session (after a jam, cover open or an empty feeder)', tags: ['scans'], params: IdParams, response: { 202: Type.Object({ id: Type.String() }), ...errors } } },
    async (req, reply) => {
      svc().continue(req.params.id);
      return reply.code(202).send({ id: req.params.id });
    },
  );

  app.post('/scans/:id/finish', { config: { scope: 'scan' }, schema: { summary: 'Complete a paused session with the pages scanned so far', tags: ['scans'], params: IdParams, response: { 200: Session, ...errors } } }, async (req) => {
    await svc().finish(req.params.id);
    return viewOr404(req.params.id);
  });

  app.get(
    '/scans/:id/documents/:docId',
    {
      config: { scope: 'scan' },
      schema: {
        summary: 'A finished PDF (until it is uploaded or its retention ends)',
        tags: ['scans'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }), docId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        produces: ['application/pdf'],
        response: { 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' }, 410: { $ref: 'ErrorBody#' } },
      },
    },
    async (req, reply) => {
      const d = svc().document(req.params.id, req.params.docId);
      if (!d) throw notFound(`document ${req.params.docId}`, `tài liệu ${req.params.docId}`);
      if (d.state === 'writing') throw conflict('document-writing', 'the document is still being scanned', 'Tài liệu đang được quét');
      if (d.state !== 'ready') throw gone('document-gone', `the local copy was deleted (${d.deleteReason ?? d.state})`, 'Bản lưu tại máy đã được xoá');
      const st = await stat(d.path).catch(() => null);
      if (!st || d.size === null) throw gone('document-gone', 'the local copy is missing', 'Không còn bản lưu tại máy');
      // Scans are personal data: who read which one goes to the audit log.
      ctx.security.audit.record(req.caller?.name ?? 'unknown', 'scan.document.read', viewOr404(req.params.id).dossierCode, d.id);
      return reply
        .type('application/pdf')
        .header('Content-Length', d.size)
        .header('Content-Disposition', `inline; filename="${d.name}"`)
        .header('Cache-Control', 'no-store')
        .send(svc().openFile(d.path));
    },
  );

  app.get(
    '/scans/:id/pages/:n/thumb.jpg',
    {
      config: { scope: 'scan' },
      schema: {
        summary: 'Thumbnail of the n-th scanned page (1-based, blanks and separators included)',
        tags: ['scans'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }), n: Type.Integer({ minimum: 1, maximum: 100000 }) }, { additionalProperties: false }),
        produces: ['image/jpeg'],
        response: { 404: { $ref: 'ErrorBody#' } },
      },
    },
    async (req, reply) => {
      viewOr404(req.params.id);
      const thumb = await svc().thumb(req.params.id, req.params.n);
      if (!thumb) throw notFound(`page ${req.params.n}`, `trang ${req.params.n}`);
      return reply.type('image/jpeg').header('Cache-Control', 'no-store').send(thumb);
    },
  );
};
