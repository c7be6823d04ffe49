/**
 * The pages (/kiosk, /counter, /board, /admin) and their assets under /ui/. Outside /api/v1 but
 * behind the same global Host/Origin hook. The pages call the API same-origin, so on loopback
 * they need no token; a LAN display (board) passes `?access_token=` in its URL, which the page
 * forwards on its API calls.
 *
 * The bundle is built here when kiosk-ui/dist is missing or older than its sources (esbuild,
 * well under a second), so `npm install && npm start` works without a build command and an edited
 * source is never served stale; `npm run build:ui` does the same by hand.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { PAGES } from '../../scripts/build-ui.mjs';
import type { AgentContext } from '../context.ts';
import { projectPath } from '../paths.ts';

export type PageName = keyof typeof PAGES;

/**
 * The build script, loaded from the project at run time rather than bundled into `.build/` by
 * `npm start`, so the agent always uses the current script and its own source hash.
 */
function buildScript(): Promise<typeof import('../../scripts/build-ui.mjs')> {
  return import(pathToFileURL(projectPath('scripts', 'build-ui.mjs')).href);
}

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

export const uiPlugin: FastifyPluginAsync<{ ctx: AgentContext; distDir?: string }> = async (app, { ctx, distDir = projectPath('kiosk-ui', 'dist') }) => {
  const script = await buildScript();
  try {
    const r = await script.ensureUiBuilt({ outDir: distDir });
    if (r.built) ctx.log.info({ ms: Math.round(r.ms ?? 0), dir: distDir }, 'built the pages');
  } catch (err) {
    // The API keeps working without pages; the page routes answer 503 with the reason.
    ctx.log.error({ err }, 'could not build the pages (kiosk-ui)');
  }

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

  for (const page of Object.keys(script.PAGES) as PageName[]) {
    app.get(`/${page}`, { schema: { hide: true } }, async (_req, reply) => {
      let body: string;
      try {
        body = await readFile(join(distDir, `${page}.html`), 'utf8');
      } catch {
        return reply.code(503).type('text/plain; charset=utf-8').send('Trang chưa được xây dựng (npm run build:ui) — the pages are not built (npm run build:ui)');
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').send(body);
    });
  }
};
