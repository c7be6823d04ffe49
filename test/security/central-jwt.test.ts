/** Central-signed tokens: their life is bounded from now, whatever `iat` claims. */
import { describe, it, expect, afterAll } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { startAgent, testConfig } from '../helpers/agent.ts';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ORIGIN = 'https://clerk.example.gov.vn';

const agent = await startAgent(testConfig({ security: { allowedOrigins: [ORIGIN], centralJwt: { publicKey: pub, issuer: 'central.example' } } }));
afterAll(() => agent.cleanup());

const sign = async (iat: number, exp: number) =>
  new SignJWT({ scope: 'print' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject('clerk')
    .setIssuer('central.example')
    .setAudience('urn:hcc:test-site:test-desk')
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(await importPKCS8(privPem, 'EdDSA'));
const call = (tok: string) => agent.fastify.inject({ url: '/api/v1/devices', headers: { host: 'localhost', origin: ORIGIN, authorization: `Bearer ${tok}` } });

describe('central JWT lifetime', () => {
  it('refuses a token "issued" a year ahead that stays valid for a year', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await call(await sign(now + 365 * 86400 - 60, now + 365 * 86400));
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ error: 'unauthorized', messageVi: expect.any(String) });
  });

  it('refuses iat ahead beyond the skew even with a short exp − iat', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await call(await sign(now + 200, now + 250));
    expect(r.statusCode).toBe(401);
    expect(r.json().message).toMatch(/iat|lifetime/);
  });

  it('accepts a short-lived token, and one whose issuer clock runs a little ahead', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await call(await sign(now, now + 60))).statusCode).toBe(200);
    expect((await call(await sign(now + 30, now + 90))).statusCode).toBe(200);
  });
});
