/**
 * A client kiosk talking to a queue host that serves HTTPS with its own self-signed certificate:
 * without queue.client.caFile the link stays down and says the certificate is not trusted; with
 * it, requests and the live board link (wss://) both work. The poll interval is a minute, so a
 * board seen within a second came over the wss link.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { QueueClient } from '../../src/queue/client.ts';
import { startAgent, tempDir, testConfig, type TestAgent } from '../helpers/agent.ts';

type Agent = TestAgent & { url: string };
const TOKEN = 'kiosk-tls-secret';

const api = async (a: Agent, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
  (await a.fastify.inject({ method, url: `/api/v1${url}`, payload, headers: { host: '127.0.0.1' } })).json();

describe('client agent to an HTTPS queue host', () => {
  const started: Agent[] = [];
  afterAll(async () => {
    for (const a of started.reverse()) await a.cleanup().catch(() => undefined);
  });

  it('refuses an untrusted certificate with a reason naming caFile, and works over https/wss with it', async () => {
    const dir = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const base = testConfig();
    const host: Agent = await startAgent(
      testConfig({
        agent: { tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } },
        security: { tokens: [{ name: 'kiosk', token: TOKEN, scopes: ['queue'] }] },
        queue: { ...base.queue, voice: { enabled: false } },
      }),
      { listen: true },
    );
    started.push(host);
    expect(host.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = (caFile: string, id: string) =>
      startAgent(testConfig({ agent: { id }, queue: { ...base.queue, role: 'client', hostUrl: host.url, token: TOKEN, printing: { enabled: false }, client: { checkIntervalMs: 60_000, timeoutMs: 5000, caFile } } }), { listen: true });

    // Without the CA: down, and the installer is told what to set.
    const untrusting: Agent = await client('', 'kiosk-no-ca');
    started.push(untrusting);
    await expect.poll(async () => (await api(untrusting, 'GET', '/queue/link')).lastError, { timeout: 5000 }).toMatch(/certificate is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\); put its CA certificate in queue\.client\.caFile/);
    expect((await api(untrusting, 'GET', '/queue/link')).reachable).toBe(false);
    expect((untrusting.ctx.queue as QueueClient).pushing).toBe(false);
    const health = await api(untrusting, 'GET', '/health');
    expect(health.checks.queue).toMatchObject({ ok: false, detail: { lastError: expect.stringContaining('queue.client.caFile') } });

    // With it: forwarded requests, reserved blocks and the wss board link.
    const trusting: Agent = await client(join(dir, 'cert.pem'), 'kiosk-ca');
    started.push(trusting);
    await expect.poll(() => (trusting.ctx.queue as QueueClient).pushing, { timeout: 5000 }).toBe(true);
    await expect.poll(async () => (await api(trusting, 'GET', '/queue/link')).blocks.every((b: { remaining: number }) => b.remaining > 0), { timeout: 5000 }).toBe(true);
    const link = await api(trusting, 'GET', '/queue/link');
    expect(link).toMatchObject({ reachable: true, lastError: null, notice: null });
    const issued = await api(trusting, 'POST', '/queue/tickets', { serviceId: 'land', print: false });
    expect(issued).toMatchObject({ serviceId: 'land' });
    expect(issued.offline).toBeFalsy();

    const display = new WebSocket(`${trusting.url.replace('http', 'ws')}/api/v1/events?types=hcc.queue.board`);
    await new Promise((resolve, reject) => (display.once('open', resolve), display.once('error', reject)));
    const shown = new Promise<number>((resolve) =>
      display.on('message', (m) => {
        const ev = JSON.parse(String(m)) as { data: { lastCalls: { number: string }[] } };
        if (ev.data.lastCalls[0]?.number === issued.number) resolve(performance.now());
      }),
    );
    const t0 = performance.now();
    expect((await api(host, 'POST', '/queue/counters/1/call-next')).ticket.number).toBe(issued.number);
    const ms = (await shown) - t0;
    display.terminate();
    console.log(`board push over wss with a private CA: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
  }, 30_000);
});
