import { describe, it, expect, afterEach } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import WebSocket from 'ws';
import { spawnAgent } from '../helpers/process.ts';
import { tempDir } from '../helpers/agent.ts';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { get as httpsGet } from 'node:https';
import { dossierCodeOn } from '../helpers/codes.ts';

const agents: TestAgent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.cleanup();
});
async function agentWith(patch: Record<string, any>) {
  const a = await startAgent(testConfig(patch));
  agents.push(a);
  return a;
}
const H = { host: 'localhost' };
const ORIGIN = 'https://clerk.example.gov.vn';

describe('stored tokens (hcc-agent token add|list|revoke)', () => {
  it('accepts a stored token by its hash, enforces scopes and honours revocation at the next request', async () => {
    const a = await agentWith({ security: { allowedOrigins: [ORIGIN] } });
    const secret = a.ctx.security.tokens.add('board-3', ['board']);
    const stored = a.ctx.db.prepare('SELECT hash FROM tokens WHERE name = ?').get('board-3') as { hash: string };
    expect(stored.hash).not.toContain(secret);
    expect(JSON.stringify(a.ctx.db.prepare('SELECT * FROM tokens').all())).not.toContain(secret);
    const get = () => a.fastify.inject({ url: '/api/v1/devices', headers: { ...H, origin: ORIGIN, authorization: `Bearer ${secret}` } });
    expect((await get()).statusCode).toBe(200);
    const post = await a.fastify.inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { ...H, origin: ORIGIN, authorization: `Bearer ${secret}` }, payload: { data: 'x' } });
    expect(post.statusCode).toBe(403);
    expect(post.json()).toMatchObject({ error: 'forbidden', message: 'Token "board-3" lacks the "admin" scope' });
    a.ctx.security.tokens.revoke('board-3');
    const revoked = await get();
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json()).toMatchObject({ error: 'unauthorized', message: 'Unknown or revoked token' });
  });

  it('manages tokens from the command line', async () => {
    const dir = testConfig().agent.dataDir;
    const add = spawnAgent(['token', 'add', 'kiosk-1', '--scopes', 'queue,board', '--data-dir', dir]);
    expect((await add.exited).code).toBe(0);
    const secret = add.stdout().trim().split('\n').pop()!;
    expect(secret).toMatch(/^hcc_[\w-]{32}$/);
    const bad = spawnAgent(['token', 'add', 'x', '--scopes', 'root', '--data-dir', dir]);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toMatch(/unknown: root/);
    const list = spawnAgent(['token', 'list', '--data-dir', dir]);
    await list.exited;
    expect(list.stdout()).toMatch(/kiosk-1\s+queue,board/);
    expect(list.stdout()).not.toContain(secret);
    const rev = spawnAgent(['token', 'revoke', 'kiosk-1', '--data-dir', dir]);
    expect((await rev.exited).code).toBe(0);
    const list2 = spawnAgent(['token', 'list', '--data-dir', dir]);
    await list2.exited;
    expect(list2.stdout()).toMatch(/REVOKED/);
  }, 60000);
});

describe('central-signed short-lived tokens (JWT)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const aud = 'urn:hcc:test-site:test-desk';
  const sign = async (claims: { aud?: string; exp?: number; iat?: number; jti?: string; scope?: string }, key = privPem) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: claims.scope ?? 'print dossier' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('clerk-nguyen')
      .setIssuer('central.example')
      .setAudience(claims.aud ?? aud)
      .setIssuedAt(claims.iat ?? now)
      .setExpirationTime(claims.exp ?? now + 60)
      .setJti(claims.jti ?? crypto.randomUUID())
      .sign(await importPKCS8(key, 'EdDSA'));
  };

  it('accepts a valid token once, bound to this agent, with its scopes', async () => {
    const a = await agentWith({ security: { allowedOrigins: [ORIGIN], centralJwt: { publicKey: pub, issuer: 'central.example' } } });
    const call = (tok: string, url = '/api/v1/devices', method: 'GET' | 'POST' = 'GET') =>
      a.fastify.inject({ method, url, headers: { ...H, origin: ORIGIN, authorization: `Bearer ${tok}` }, ...(method === 'POST' ? { payload: { data: 'x' } } : {}) });
    const tok = await sign({});
    expect((await call(tok)).statusCode).toBe(200);
    const replay = await call(tok);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().message).toMatch(/already used/);
    expect((await call(await sign({ aud: 'urn:hcc:test-site:other-desk' }))).json().message).toMatch(/claim "aud"/);
    expect((await call(await sign({ exp: Math.floor(Date.now() / 1000) - 10, iat: Math.floor(Date.now() / 1000) - 70 }))).json().message).toMatch(/expired/);
    expect((await call(await sign({ iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 86400 }))).json().message).toMatch(/lifetime/);
    const other = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await call(await sign({}, other))).json().message).toMatch(/signature/);
    const noScope = await call(await sign({ scope: 'print' }), '/api/v1/devices/barcode/simulate', 'POST');
    expect(noScope.statusCode).toBe(403);
    expect(a.ctx.db.prepare('SELECT COUNT(*) c FROM jwt_seen').get()).toMatchObject({ c: expect.any(Number) });
  });
});

describe('listening beyond loopback', () => {
  it('refuses to start on the LAN without TLS unless allowed', async () => {
    expect(() => testConfig({ agent: { listen: { host: '0.0.0.0', port: 0 } } })).toThrow(/agent\.listen\.host: "0\.0\.0\.0" is reachable from the LAN; set agent\.tls\.cert/);
    expect(() => testConfig({ agent: { listen: { host: '0.0.0.0', port: 0 } }, security: { allowInsecureLan: true } })).not.toThrow();
  });

  it('serves HTTPS with the configured certificate', async () => {
    const dir = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const a = await startAgent(testConfig({ agent: { listen: { host: '127.0.0.1', port: 0 }, tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } } }), { listen: true });
    agents.push(a);
    expect(a.url).toMatch(/^https:/);
    const status = await new Promise<number>((resolve, reject) =>
      httpsGet(`${a.url}/api/v1/health`, { ca: readFileSync(join(dir, 'cert.pem')), servername: 'localhost', headers: { host: 'localhost' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject),
    );
    expect(status).toBe(200);
  });

  it('wants a token from every LAN caller on every route but /health', async () => {
    const a = await agentWith({ agent: { listen: { host: '0.0.0.0', port: 0 } }, security: { allowInsecureLan: true, allowedHosts: ['desk-01.local'] } });
    const secret = a.ctx.security.tokens.add('board', ['board']);
    const lan = { host: 'desk-01.local', 'x-test': '1' };
    const from = (url: string, headers: Record<string, string> = {}) => a.fastify.inject({ url, headers: { ...lan, ...headers }, remoteAddress: '192.168.1.50' });
    expect((await from('/api/v1/health')).statusCode).toBe(200);
    const dev = await from('/api/v1/devices');
    expect(dev.statusCode).toBe(401);
    expect(dev.json()).toMatchObject({ error: 'unauthorized', message: 'A bearer token is required' });
    expect((await from('/docs/json')).statusCode).toBe(401);
    expect((await from('/api/v1/devices', { authorization: `Bearer ${secret}` })).statusCode).toBe(200);
    // The desk itself (loopback) still works without a token.
    expect((await a.fastify.inject({ url: '/api/v1/devices', headers: { host: 'localhost' } })).statusCode).toBe(200);
  });
});

describe('query tokens', () => {
  it('are accepted on GET routes whose query schema allows no other keys', async () => {
    const a = await startAgent(testConfig(), { listen: true });
    agents.push(a);
    const tok = a.ctx.security.tokens.add('board', ['print']);
    const res = await fetch(`${a.url}/api/v1/print/jobs?access_token=${tok}&limit=5`);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await fetch(`${a.url}/api/v1/print/jobs?access_token=wrong`)).status).toBe(401);
  });
});

describe('events stream and personal data', () => {
  it('sends ID card reads in full to dossier tokens and redacted to board tokens', async () => {
    const a = await startAgent(testConfig({ security: { allowedOrigins: [ORIGIN] } }), { listen: true });
    agents.push(a);
    const board = a.ctx.security.tokens.add('board', ['board']);
    const clerk = a.ctx.security.tokens.add('clerk', ['dossier']);
    const open = (tok: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${a.url.replace('http', 'ws')}/api/v1/events?access_token=${tok}`, { headers: { origin: ORIGIN } });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const next = (ws: WebSocket) => new Promise<any>((resolve) => ws.once('message', (m) => resolve(JSON.parse(String(m)))));
    const [wb, wc] = await Promise.all([open(board), open(clerk)]);
    const got = Promise.all([next(wb), next(wc)]);
    const qr = '001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Tràng Tiền, Hà Nội|15082021';
    expect((await a.fastify.inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: H, payload: { data: qr } })).statusCode).toBe(202);
    const [eb, ec] = await got;
    wb.close();
    wc.close();
    expect(ec.data.parsed).toBeTruthy();
    expect(ec.data.raw).toBe(qr);
    expect(eb.data).toEqual({ device: 'barcode', kind: 'citizen-id', personal: true, redacted: true });
    expect(JSON.stringify(eb)).not.toContain('001099012345');
  });

  it('a board token sees that a dossier was received and a page scanned, not the citizen or their papers', async () => {
    const a = await startAgent(testConfig({ security: { allowedOrigins: [ORIGIN] } }), { listen: true });
    agents.push(a);
    const board = a.ctx.security.tokens.add('board', ['board']);
    const clerk = a.ctx.security.tokens.add('clerk', ['dossier']);
    const collect = async (tok: string) => {
      const ws = new WebSocket(`${a.url.replace('http', 'ws')}/api/v1/events?access_token=${tok}&types=hcc.dossier.,hcc.scan.page`, { headers: { origin: ORIGIN } });
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      const seen: any[] = [];
      ws.on('message', (m) => seen.push(JSON.parse(String(m))));
      return { ws, seen };
    };
    const [wb, wc] = await Promise.all([collect(board), collect(clerk)]);
    const receivedAt = Date.now();
    const code = dossierCodeOn(9, receivedAt);
    const name = 'Trần Thị Bích Ngọc';
    const rec = await a.fastify.inject({
      method: 'POST', url: `/api/v1/dossiers/${code}/receive`, headers: H,
      payload: { applicant: { name, phone: '0912345678', address: 'Số 3 Lý Thái Tổ' }, request: 'Cấp bản sao', components: [{ name: 'Đơn', originals: 1, copies: 0 }], sets: 1, processingTime: '3 ngày', appointmentAt: new Date(receivedAt + 3 * 86400_000).toISOString(), receivedAt: new Date(receivedAt).toISOString(), returnMethod: 'counter', clerk: 'Hoa' },
    });
    expect(rec.statusCode, rec.body).toBe(201);
    const scan = await a.fastify.inject({ method: 'POST', url: '/api/v1/scans', headers: H, payload: { dossierCode: code } });
    expect(scan.statusCode, scan.body).toBeLessThan(300);
    await expect.poll(() => wc.seen.some((e) => e.type === 'hcc.scan.page') && wb.seen.some((e) => e.type === 'hcc.scan.page'), { timeout: 10_000 }).toBe(true);
    await a.ctx.digitise.settled(scan.json().id);
    wb.ws.close();
    wc.ws.close();
    expect(wc.seen.find((e) => e.type === 'hcc.dossier.received').data.applicant.name).toBe(name);
    expect(wc.seen.find((e) => e.type === 'hcc.scan.page').data.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    const onBoard = JSON.stringify(wb.seen);
    expect(wb.seen.find((e) => e.type === 'hcc.dossier.received')).toMatchObject({ subject: code, data: { personal: true, redacted: true } });
    expect(onBoard).not.toContain(name);
    expect(onBoard).not.toContain('0912345678');
    expect(onBoard).not.toContain('base64');
  });
});

describe('abuse guards', () => {
  it('limits requests per token with 429 and Retry-After, and leaves the local desk alone', async () => {
    const a = await agentWith({ security: { allowedOrigins: [ORIGIN], tokens: [{ name: 'app', token: 'app-secret-1', scopes: ['admin'] }], rateLimit: { max: 5, windowMs: 60000 } } });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await a.fastify.inject({ url: '/api/v1/devices', headers: { ...H, origin: ORIGIN, authorization: 'Bearer app-secret-1' } })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const r = await a.fastify.inject({ url: '/api/v1/devices', headers: { ...H, origin: ORIGIN, authorization: 'Bearer app-secret-1' } });
    expect(r.headers['retry-after']).toMatch(/^\d+$/);
    expect(r.json()).toMatchObject({ error: 'rate-limited' });
    for (let i = 0; i < 10; i++) expect((await a.fastify.inject({ url: '/api/v1/devices', headers: H })).statusCode).toBe(200);
  });

  it('limits per address for callers from the LAN', async () => {
    const a = await agentWith({ agent: { listen: { host: '0.0.0.0', port: 0 } }, security: { allowInsecureLan: true, rateLimit: { max: 3, windowMs: 60000 } } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await a.fastify.inject({ url: '/api/v1/health', headers: H, remoteAddress: '10.0.0.9' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
  });

  it('answers 503 with Retry-After when memory is over the limit', async () => {
    const a = await agentWith({ http: { maxRssBytes: 1 } });
    // under-pressure samples once a second: wait for its first sample to count, not a fixed 1.2 s.
    await expect.poll(async () => (await a.fastify.inject({ url: '/api/v1/devices', headers: H })).statusCode, { timeout: 5000, interval: 50 }).toBe(503);
    const r = await a.fastify.inject({ url: '/api/v1/devices', headers: H });
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.json()).toMatchObject({ error: 'overloaded' });
  });

  it('sets header and request timeouts explicitly (slowloris)', async () => {
    const a = await agentWith({ http: { headersTimeoutMs: 5000, requestTimeoutMs: 20000 } });
    expect(a.fastify.server.headersTimeout).toBe(5000);
    expect(a.fastify.server.requestTimeout).toBe(20000);
  });
});
