/**
 * The pages (/kiosk, /counter, /board, /admin) and their assets under /ui/. Outside /api/v1 but
 * behind the same global Host/Origin hook. The pages call the API same-origin, so on loopback
 * they need no token; a LAN display (board) passes `?access_token=` in its URL, which the page
 * forwards on its API calls.
 *
 * The pages are only read here, never built: `npm run build` (at install, and before `npm start`)
 * writes kiosk-ui/dist, and the installed service's code folders are read-only. Without a build
 * the API still works and the page routes answer 503 saying so.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import PAGES from '../../kiosk-ui/pages.json' with { type: 'json' };
import { projectPath } from '../paths.ts';

export type PageName = keyof typeof PAGES;

/** No inline script or style, nothing from elsewhere: the pages work offline and resist injection. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
  "form-action 'self'",
].join('; ');

export const uiPlugin: FastifyPluginAsync<{ distDir?: string }> = async (app, { distDir = projectPath('kiosk-ui', 'dist') }) => {
  // The pages and their assets hold no data: a LAN display may load them without a token (its
  // API calls still need one: `?access_token=` in the page URL). Host/Origin checks still apply.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), public: true };
  });

  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/ui/',
    decorateReply: false,
    index: false,
    cacheControl: true,
    maxAge: 0,
    etag: true,
    // JS/CSS are small and the pages reload rarely; revalidate with the ETag each time.
    setHeaders: (res) => res.setHeader('cache-control', 'no-cache'),
    schemaHide: true,
  });

  for (const page of Object.keys(PAGES) as PageName[]) {
    app.get(`/${page}`, { schema: { hide: true } }, async (_req, reply) => {
      let body: string;
      try {
        body = await readFile(join(distDir, `${page}.html`), 'utf8');
      } catch {
        return reply.code(503).type('text/plain; charset=utf-8').send('Trang chưa được xây dựng (npm run build) — the pages are not built (npm run build)');
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').send(body);
    });
  }
};
