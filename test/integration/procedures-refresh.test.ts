/**
 * The central catalogue through a real HTTP server: fetched with its ETag, kept on disk, used as
 * it is after a restart with the central side down (offline for a week), and never replaced by a
 * bad answer or a hang. Catalogue files with errors are named in /health; the good ones load.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ProcedureCatalogue } from '../../src/procedures/catalogue.ts';
import { tempDir } from '../helpers/agent.ts';
import { projectPath } from '../../src/paths.ts';

const example = parse(readFileSync(projectPath('config', 'procedures', 'example.yaml'), 'utf8')) as { procedures: { code: string; name: string }[] };
const central = { procedures: [{ ...example.procedures[0], name: 'Thủ tục đăng ký khai sinh (bản trung tâm)' }, { ...example.procedures[1], code: '9.000001' }] };

describe('central procedure catalogue', () => {
  let server: http.Server;
  let url = '';
  let mode: 'ok' | 'garbage' | 'bad-schema' | 'hang' | 'error' = 'ok';
  const seen: { inm?: string; auth?: string }[] = [];
  const dir = tempDir();
  const filesDir = join(dir, 'procedures');

  beforeAll(async () => {
    mkdirSync(filesDir);
    writeFileSync(join(filesDir, 'a.yaml'), readFileSync(projectPath('config', 'procedures', 'example.yaml')));
    writeFileSync(join(filesDir, 'b.yaml'), 'procedures:\n  - { code: "1.2", name: X, field: F, agency: A, processingDays: "ten", components: [] }\n');
    server = http.createServer((req, res) => {
      seen.push({ inm: req.headers['if-none-match'], auth: req.headers.authorization });
      if (mode === 'hang') return;
      if (mode === 'error') return void res.writeHead(503).end();
      if (mode === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json', etag: '"g"' }).end('{"procedures": [');
      if (mode === 'bad-schema') return void res.writeHead(200, { etag: '"b"' }).end(JSON.stringify({ procedures: [{ code: 'x' }] }));
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(JSON.stringify(central));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/procedures`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const make = (timeoutMs = 1000) =>
    new ProcedureCatalogue({ config: { files: [filesDir], url, refreshMinutes: 60, timeoutMs }, dataDir: join(dir, 'data'), token: 'central-token', caFile: '', log: pino({ level: 'silent' }) });

  it('loads the good files and names the bad one in its health check', async () => {
    const c = make();
    mode = 'error';
    c.start();
    try {
      expect(c.search('', 100).catalogue).toMatchObject({ size: 7, source: 'files' });
      const check = c.check();
      expect(check.ok).toBe(false);
      expect(check.message).toMatch(/b\.yaml: procedures\[0\]\.processingDays/);
      expect(check.messageVi).toMatch(/danh mục thủ tục có tệp lỗi/);
    } finally {
      await c.stop();
    }
  });

  it('fetches with the token and the ETag, keeps the copy on disk, and asks again with If-None-Match', async () => {
    mode = 'ok';
    seen.length = 0;
    const c = make();
    c.start(); // starts a refresh of its own
    try {
      await expect.poll(() => c.search('', 100).catalogue.source).toBe('central');
      // central entries replace file entries with the same code and add their own
      expect(c.get('1.001193')?.name).toBe('Thủ tục đăng ký khai sinh (bản trung tâm)');
      expect(c.get('9.000001')).toBeDefined();
      expect(c.search('', 100).catalogue.size).toBe(8);
      expect(seen[0]).toMatchObject({ auth: 'Bearer central-token' });
      expect(existsSync(join(dir, 'data', 'procedures-central.json'))).toBe(true);
      expect(await c.refresh()).toBe(false); // 304
      expect(seen.at(-1)?.inm).toBe('"v1"');
    } finally {
      await c.stop();
    }
  });

  it('after a restart with the central side down, serves the kept copy', async () => {
    mode = 'error';
    const c = make();
    c.start();
    try {
      expect(c.search('', 100).catalogue).toMatchObject({ source: 'cache', size: 8 });
      expect(c.get('9.000001')).toBeDefined();
      expect(await c.refresh()).toBe(false);
      expect(c.check()).toMatchObject({ ok: false }); // b.yaml still bad
      expect(c.check().detail).toMatchObject({ size: 8 });
    } finally {
      await c.stop();
    }
  });

  it('a broken answer, a wrong shape or a hang never replaces the last copy', async () => {
    const c = make(500);
    mode = 'error';
    c.start();
    try {
      await expect.poll(() => c.check().detail?.lastRefreshError).toBe('HTTP 503'); // the refresh start() began
      const why = { garbage: /JSON/, 'bad-schema': /procedures\[0\]/, hang: /^no answer within 500 ms$/ };
      for (const m of ['garbage', 'bad-schema', 'hang'] as const) {
        mode = m;
        expect(await c.refresh()).toBe(false);
        expect(c.check().detail?.lastRefreshError, m).toMatch(why[m]);
        expect(c.get('9.000001'), m).toBeDefined();
        expect(c.search('', 100).catalogue.size, m).toBe(8);
      }
    } finally {
      await c.stop();
    }
    const again = make(500);
    mode = 'hang';
    again.start();
    try {
      await expect.poll(() => again.check().detail?.lastRefreshError, { timeout: 5000 }).toBe('no answer within 500 ms');
      writeFileSync(join(filesDir, 'b.yaml'), 'procedures: []\n');
      expect(again.search('', 100).catalogue.size).toBe(8);
    } finally {
      await again.stop();
    }
  });
});
