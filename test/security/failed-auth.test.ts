/** Guessing tokens: refused requests are limited per address, before the token is looked at. */
import { describe, it, expect, afterAll } from 'vitest';
import { startAgent, testConfig } from '../helpers/agent.ts';

const ORIGIN = 'https://clerk.example.gov.vn';
const agent = await startAgent(
  testConfig({ security: { allowedOrigins: [ORIGIN], tokens: [{ name: 'app', token: 'app-secret-1', scopes: ['admin'] }], rateLimit: { max: 1000, windowMs: 60000, refusedMax: 20 } } }),
);
afterAll(() => agent.cleanup());

const call = (token: string, remoteAddress = '127.0.0.1') =>
  agent.fastify.inject({ url: '/api/v1/devices', headers: { host: 'localhost', origin: ORIGIN, authorization: `Bearer ${token}` }, remoteAddress });

describe('failed authentication', () => {
  it('answers 429 with Retry-After and the error body after 20 wrong tokens from one address, even for the right token', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 25; i++) codes.push((await call(`guess-${i}`)).statusCode);
    expect(codes.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(codes.slice(20)).toEqual(Array(5).fill(429));
    const r = await call('app-secret-1');
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect(r.json()).toMatchObject({ error: 'rate-limited', message: expect.stringMatching(/refused/), messageVi: expect.stringMatching(/từ chối/) });
    // Another address, and the desk itself without a token, are not affected.
    expect((await call('app-secret-1', '127.0.0.2')).statusCode).toBe(200);
    expect((await agent.fastify.inject({ url: '/api/v1/devices', headers: { host: 'localhost' } })).statusCode).toBe(200);
  });
});
