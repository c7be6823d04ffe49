/**
 * Serving the pages: each page and its assets answer with the right types and a strict CSP, the
 * global Host check covers them (DNS rebinding), a cross-site Origin is refused, and the build step
 * rebuilds the pages when their sources changed (stale dist) but not when they did not.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, isStale, UI_SRC } from '../../scripts/build-ui.mjs';
import { startAgent, testConfig } from '../helpers/agent.ts';

let agent: Awaited<ReturnType<typeof startAgent>>;

beforeAll(async () => {
  agent = await startAgent(testConfig());
});
afterAll(async () => {
  await agent?.cleanup();
});

describe('pages', () => {
  for (const page of ['kiosk', 'counter', 'board', 'admin']) {
    it(`serves /${page} and its script and style`, async () => {
      const html = await agent.fastify.inject({ url: `/${page}`, headers: { host: '127.0.0.1:7420' } });
      expect(html.statusCode).toBe(200);
      expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(html.headers['content-security-policy']).toContain("script-src 'self'");
      expect(html.headers['content-security-policy']).toContain("connect-src 'self'");
      expect(html.body).toContain(`<script type="module" src="/ui/${page}.js">`);
      expect(html.body).not.toMatch(/https?:\/\//); // nothing from a CDN
      const js = await agent.fastify.inject({ url: `/ui/${page}.js`, headers: { host: 'localhost' } });
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toContain('javascript');
      expect(js.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
      const css = await agent.fastify.inject({ url: `/ui/${page}.css`, headers: { host: 'localhost' } });
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toContain('text/css');
      expect(css.body).not.toMatch(/@import|url\(\s*['"]?https?:/);
    });
  }

  it('refuses a foreign Host (DNS rebinding) and a cross-site Origin on the pages too', async () => {
    const rebinding = await agent.fastify.inject({ url: '/kiosk', headers: { host: 'evil.example:7420' } });
    expect(rebinding.statusCode).toBe(421);
    const asset = await agent.fastify.inject({ url: '/ui/kiosk.js', headers: { host: 'evil.example' } });
    expect(asset.statusCode).toBe(421);
    const crossSite = await agent.fastify.inject({ url: '/counter', headers: { host: '127.0.0.1:7420', origin: 'https://evil.example' } });
    expect(crossSite.statusCode).toBe(403);
  });

  it('does not serve files outside the bundle', async () => {
    for (const url of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/../../src/app.ts']) {
      const r = await agent.fastify.inject({ url, headers: { host: 'localhost' } });
      expect(r.statusCode, url).toBe(404);
    }
  });
});

describe('a board on the LAN', () => {
  let lan: Awaited<ReturnType<typeof startAgent>>;
  beforeAll(async () => {
    lan = await startAgent(
      testConfig({
        agent: { listen: { host: '0.0.0.0', port: 0 } },
        security: { allowInsecureLan: true, allowedHosts: ['10.0.0.5'], tokens: [{ name: 'board', token: 'board-token-123', scopes: ['board'] }] },
      }),
    );
  });
  afterAll(async () => {
    await lan?.cleanup();
  });
  const get = (url: string) => lan.fastify.inject({ url, remoteAddress: '10.0.0.9', headers: { host: '10.0.0.5:7420' } });

  it('loads the page and its assets without a token (they hold no data); the API still wants one', async () => {
    expect((await get('/board')).statusCode).toBe(200);
    expect((await get('/ui/board.js')).statusCode).toBe(200);
    expect((await get('/ui/board.css')).statusCode).toBe(200);
    expect((await get('/api/v1/queue/state')).statusCode).toBe(401);
    expect((await get('/api/v1/queue/state?access_token=board-token-123')).statusCode).toBe(200);
    expect((await get('/metrics')).statusCode).toBe(401);
  });
});

describe('the pages build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcc-ui-'));
  const src = join(dir, 'src');
  const out = join(dir, 'dist');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a missing dist, keeps a fresh one, rebuilds when a source changed', async () => {
    cpSync(UI_SRC, src, { recursive: true });
    expect(isStale(out, src)).toBe(true);
    const first = await ensureUiBuilt({ outDir: out, srcDir: src });
    expect(first.built).toBe(true);
    expect(Object.keys(first.files ?? {})).toEqual(expect.arrayContaining(['kiosk.js', 'kiosk.css', 'kiosk.html', 'board.js', 'counter.js', 'admin.js']));
    expect(isStale(out, src)).toBe(false);
    expect((await ensureUiBuilt({ outDir: out, srcDir: src })).built).toBe(false);

    const texts = join(src, 'kiosk', 'i18n.ts');
    writeFileSync(texts, readFileSync(texts, 'utf8').replace('Tra cứu hồ sơ', 'Tra cứu hồ sơ (mới)'));
    expect(isStale(out, src)).toBe(true);
    expect((await ensureUiBuilt({ outDir: out, srcDir: src })).built).toBe(true);
    expect(readFileSync(join(out, 'kiosk.js'), 'utf8')).toContain('Tra cứu hồ sơ (mới)');

    rmSync(join(out, 'board.css'));
    expect(isStale(out, src)).toBe(true);
  });
});
