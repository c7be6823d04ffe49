/** Digitising: scan sessions, their PDFs and thumbnails, and printable separator sheets. */
import Type from 'typebox';
import { stat } from 'node:fs/promises';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { HttpError } from '../errors.ts';
import { notFound } from '../../errors.ts';
import { separatorPdf } from '../../digitise/separator.ts';

const Problem = Type.Object({ code: Type.String(), message: Type.String(), messageVi: Type.String() });
const Session = Type.Object({
  id: Type.String(),
  state: Type.Union(['scanning', 'paused', 'completed', 'cancelled', 'failed'].map((s) => Type.Literal(s)), { description: 'paused = a scanner error (jam, cover open, empty feeder) waits for continue or finish.' }),
  dossierCode: Type.String(),
  scanner: Type.String(),
  profile: Type.String(),
  components: Type.Union([Type.Array(Type.String()), Type.Null()]),
  pages: Type.Integer({ description: 'Pages scanned, blanks and separator sheets included.' }),
  kept: Type.Integer({ description: 'Pages in the PDFs = pages − blanks − separators.' }),
  blanks: Type.Integer(),
  separators: Type.Integer(),
  error: Type.Optional(Problem),
  warnings: Type.Array(Problem, { description: 'E.g. ocr-unavailable when the profile asks for OCR and tesseract is missing.' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  documents: Type.Array(
    Type.Object({
      id: Type.String(),
      component: Type.String(),
      name: Type.String(),
      pages: Type.Integer(),
      size: Type.Union([Type.Integer(), Type.Null()]),
      sha256: Type.Union([Type.String(), Type.Null()]),
      state: Type.String({ description: 'writing, ready, uploaded (and deleted locally), deleted (retention), discarded' }),
    }),
  ),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const ComponentName = Type.String({ minLength: 1, maxLength: 100 });
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
        body: Type.Object(
          {
            scanner: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Device id; default: digitise.defaultScanner or the first document scanner.' })),
            dossierCode: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z][0-9A-Za-z._/-]*$' }),
            profile: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Scan profile name (digitise.profiles or built in).' })),
            components: Type.Optional(Type.Array(ComponentName, { minItems: 1, maxItems: 50, description: 'Expected components, in order; pages before the first separator sheet go to the first.' })),
          },
          { additionalProperties: false },
        ),
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
        querystring: Type.Object({ component: ComponentName }, { additionalProperties: false }),
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
      if (d.state === 'writing') throw new HttpError(409, 'document-writing', 'the document is still being scanned', 'Tài liệu đang được quét');
      if (d.state !== 'ready') throw new HttpError(410, 'document-gone', `the local copy was deleted (${d.deleteReason ?? d.state})`, 'Bản lưu tại máy đã được xoá');
      const st = await stat(d.path).catch(() => null);
      if (!st || d.size === null) throw new HttpError(410, 'document-gone', 'the local copy is missing', 'Không còn bản lưu tại máy');
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
