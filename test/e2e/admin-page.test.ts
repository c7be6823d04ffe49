/**
 * The admin page in a real browser: devices and their state, a test page printed from the button
 * (with its preview), a simulated printer put out of paper from the page, the outbox with a dead
 * letter the central system refused and its retry, recent events and the health checks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, launch, LANDSCAPE, shot, uiAgent, watchErrors } from './browser.ts';

let browser: Browser;
let agent: Awaited<ReturnType<typeof uiAgent>>;
let central: Server;
let page: Page;
let errors: string[] = [];
/** The central side refuses events (422: permanent) until told otherwise. */
let refuse = true;
let received = 0;

beforeAll(async () => {
  central = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (refuse) {
        res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"schema mismatch"}');
        return;
      }
      received++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => central.listen(0, '127.0.0.1', r));
  const port = (central.address() as AddressInfo).port;
  [browser, agent] = await Promise.all([launch(), uiAgent({ central: { transport: 'http', http: { url: `http://127.0.0.1:${port}/events` } } })]);
  page = await browser.newPage({ viewport: LANDSCAPE });
  errors = watchErrors(page);
  await page.goto(`${agent.url}/admin`);
  await page.locator('.a-head .dot.on').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await agent?.cleanup();
  await new Promise((r) => central?.close(r));
});

describe('admin page', { timeout: 60000 }, () => {
  it('lists the devices with their state', async () => {
    const rows = page.locator('[data-testid="devices"] tr[data-device]');
    await eventually(() => rows.count()).toBe(3);
    for (const id of ['receipt', 'barcode', 'docs']) expect(await page.getByTestId(`state-${id}`).textContent()).toBe('connected');
  });

  it('prints a test page from the button and links its preview', async () => {
    await page.getByTestId('test-page-receipt').click();
    const job = page.getByTestId('test-job-receipt');
    await eventually(() => job.getAttribute('data-state'), 15000).toBe('printed');
    const href = await job.locator('a').getAttribute('href');
    const png = await fetch(agent.url + href);
    expect(png.status).toBe(200);
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
  });

  it('puts the simulated printer out of paper from the page; the state shows it', async () => {
    await page.getByTestId('condition-receipt').selectOption('paperOut');
    await eventually(() => page.getByTestId('state-receipt').textContent()).not.toBe('connected');
    expect(await page.locator('tr[data-device="receipt"]').textContent()).toContain('hết giấy');
    await page.getByTestId('condition-receipt').selectOption('fine');
    await eventually(() => page.getByTestId('state-receipt').textContent()).toBe('connected');
  });

  it('shows a dead letter the central system refused and sends it again', async () => {
    // A forwarded event: a ticket issued through the API.
    const r = await fetch(`${agent.url}/api/v1/queue/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'land' }) });
    expect(r.status).toBe(201);
    const dead = page.locator('[data-testid="dead-letters"] tr[data-dead]');
    // The page refreshes the outbox by itself until the ticket's event is among the dead letters.
    await eventually(() => page.getByTestId('dead-letters').textContent(), 20000).toContain('hcc.queue.ticket.issued');
    expect(await page.getByTestId('dead-letters').textContent()).toContain('HTTP 422');
    await shot(page, 'admin');
    refuse = false;
    // Retry one from its own button, then the rest (events of the same subject wait behind a dead one).
    const before = Number(await page.getByTestId('outbox-dead').textContent());
    expect(before).toBeGreaterThan(0);
    await dead.first().locator('button').click();
    await eventually(async () => Number(await page.getByTestId('outbox-dead').textContent()), 20000).toBeLessThan(before);
    await expect
      .poll(
        async () => {
          const all = page.getByTestId('retry-all');
          if (await all.count()) await all.click();
          else if (await dead.count()) await dead.first().locator('button').click();
          return page.getByTestId('outbox-dead').textContent();
        },
        { timeout: 30000, interval: 1000 },
      )
      .toBe('0');
    await eventually(() => received, 20000).toBeGreaterThan(0);
  });

  it('shows recent events and the health checks', async () => {
    await eventually(() => page.locator('[data-testid="events"] li').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('events').textContent()).toContain('hcc.queue.ticket.issued');
    expect(await page.getByTestId('health-status').textContent()).toMatch(/^(ok|degraded)$/);
  });

  it('reconnects its event stream when the connection drops, and events flow again', async () => {
    // Drop every WebSocket connection from the agent's side, as a restart or a network cut would.
    const wss = (agent.fastify as unknown as { websocketServer: { clients: Set<{ terminate(): void }> } }).websocketServer;
    expect(wss.clients.size).toBeGreaterThan(0);
    for (const c of wss.clients) c.terminate();
    await page.locator('.a-head .dot:not(.on)').waitFor({ timeout: 15000 });
    await page.locator('.a-head .dot.on').waitFor({ timeout: 15000 });
    // Events after the reconnect arrive again.
    const r = await fetch(`${agent.url}/api/v1/queue/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'civil', print: false }) });
    const { number } = (await r.json()) as { number: string };
    await eventually(() => page.getByTestId('events').textContent()).toContain(`hcc.queue.ticket.issued ${number}`);
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
