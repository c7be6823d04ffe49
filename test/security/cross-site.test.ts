/**
 * A page of another site makes the user's browser send GETs to the agent (<img>, <script>,
 * no-cors fetch). Without a token they must not count as the desk's own trusted caller.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { startAgent, testConfig } from '../helpers/agent.ts';
import { dossierCodeOn } from '../helpers/codes.ts';

const ORIGIN = 'https://clerk.example.gov.vn';
const agent = await startAgent(testConfig({ security: { allowedOrigins: [ORIGIN], tokens: [{ name: 'app', token: 'app-secret-1', scopes: ['dossier'] }], rateLimit: { refusedMax: 8, windowMs: 60000 } } }));
afterAll(() => agent.cleanup());

const code = dossierCodeOn(3, Date.now());
const get = (headers: Record<string, string>, url = `/api/v1/dossiers/${code}`) => agent.fastify.inject({ url, headers: { host: 'localhost:7420', ...headers } });
const audited = () => agent.ctx.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'dossier.read'").get() as { n: number };

describe('cross-site browser requests', () => {
  it('refuses <img>/<script>/no-cors GETs from another site without a token (403 with the error body), and does not audit them', async () => {
    const before = audited().n;
    for (const mode of ['no-cors', 'cors']) {
      const r = await get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': mode, 'sec-fetch-dest': 'image' });
      expect(r.statusCode, mode).toBe(403);
      expect(r.json()).toMatchObject({ error: 'cross-site', message: expect.any(String), messageVi: expect.stringMatching(/trang web khác/) });
    }
    // Same-site is another origin too (another port on localhost).
    expect((await get({ 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' })).statusCode).toBe(403);
    // A browser without Fetch Metadata: the Referer tells.
    expect((await get({ referer: 'https://evil.example/page.html' })).statusCode).toBe(403);
    // Following a link into the API is refused too (a GET there may look up or render).
    expect((await get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).statusCode).toBe(403);
    expect(audited().n).toBe(before);
  });

  it('serves the agent\'s own pages, curl and CLI callers, people typing the URL, and token holders', async () => {
    expect((await get({ 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', referer: 'http://localhost:7420/kiosk' })).statusCode).toBe(200);
    expect((await get({ referer: 'http://localhost:7420/kiosk' })).statusCode).toBe(200);
    expect((await get({})).statusCode).toBe(200);
    expect((await get({ 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' })).statusCode).toBe(200);
    expect((await get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', origin: ORIGIN, authorization: 'Bearer app-secret-1' })).statusCode).toBe(200);
    expect((await get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }, `/api/v1/dossiers/${code}?access_token=app-secret-1`)).statusCode).toBe(200);
    // Health stays reachable for monitoring pages.
    expect((await get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }, '/api/v1/health')).statusCode).toBe(200);
  });

  it('rate-limits such callers apart from the desk\'s own', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' })).statusCode);
    expect(codes).toContain(429);
    const r = await get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' });
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toMatch(/^\d+$/);
    expect(r.json()).toMatchObject({ error: 'rate-limited', messageVi: expect.any(String) });
    expect((await get({ 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' })).statusCode).toBe(200);
    // An allowed clerk app in the same browser (its requests carry its Origin) is not locked out.
    expect((await get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', origin: ORIGIN, authorization: 'Bearer app-secret-1' })).statusCode).toBe(200);
  });
});
