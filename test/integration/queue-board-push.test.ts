/**
 * A board attached to a client agent follows the host as it happens: the client keeps a WebSocket
 * to the host's event stream and relays `hcc.queue.board` to its own /api/v1/events. The poll
 * interval is set to a minute throughout, so anything seen within a second came by push.
 */
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { QueueClient } from '../../src/queue/client.ts';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import { waitFor } from '../helpers/wait.ts';
import { HostEvents } from '../../src/queue/host-events.ts';

const TOKEN = 'board-kiosk-secret';
const POLL_MS = 60_000;

type Agent = TestAgent & { url: string };
interface Board {
  generatedAt: string;
  lastCalls: { number: string; counterId: string }[];
}

/** A board display on an agent: a WebSocket on its /api/v1/events, waiting for a board showing a call. */
async function boardDisplay(agent: Agent) {
  const ws = new WebSocket(`${agent.url.replace('http', 'ws')}/api/v1/events`);
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const boards: { at: number; board: Board }[] = [];
  ws.on('message', (m) => {
    const ev = JSON.parse(String(m)) as { type: string; data: Board };
    if (ev.type === 'hcc.queue.board') boards.push({ at: performance.now(), board: ev.data });
  });
  return {
    ws,
    boards,
    /** Resolves with the arrival time of the first board whose latest call is `number`. */
    showing(number: string, timeoutMs: number): Promise<number> {
      return new Promise((resolve, reject) => {
        const started = performance.now();
        const look = setInterval(() => {
          const hit = boards.find((b) => b.board.lastCalls[0]?.number === number);
          if (hit) {
            clearInterval(look);
            resolve(hit.at);
          } else if (performance.now() - started > timeoutMs) {
            clearInterval(look);
            reject(new Error(`no board showing ${number} within ${timeoutMs} ms (boards: ${boards.map((b) => b.board.lastCalls[0]?.number ?? '-').join(', ')})`));
          }
        }, 5);
      });
    },
  };
}

const api = async (a: Agent, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
  const res = await a.fastify.inject({ method, url: `/api/v1${url}`, payload, headers: { host: '127.0.0.1' } });
  return res.json();
};

/** Issues a ticket on the host, then measures from the host's call to a board on `display` showing it. */
async function callAndMeasure(host: Agent, display: Awaited<ReturnType<typeof boardDisplay>>): Promise<{ number: string; ms: number }> {
  const boardsBefore = display.boards.length;
  const { number } = await api(host, 'POST', '/queue/tickets', { serviceId: 'land', print: false });
  // Let the issue's own board push arrive first, so the measurement covers the call alone.
  await waitFor(() => display.boards.length > boardsBefore, { timeoutMs: 3000, what: "the issued ticket's board" });
  const t0 = performance.now();
  const called = await api(host, 'POST', '/queue/counters/1/call-next');
  expect(called.ticket.number).toBe(number);
  const at = await display.showing(number, 3000);
  return { number, ms: at - t0 };
}

describe('queue board push to a client agent', () => {
  const started: Agent[] = [];
  const sockets: WebSocket[] = [];
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    for (const a of started.reverse()) await a.cleanup().catch(() => undefined);
  });

  const base = testConfig();
  const hostCfg = testConfig({
    security: { tokens: [{ name: 'board-kiosk', token: TOKEN, scopes: ['queue'] }] },
    queue: { ...base.queue, voice: { enabled: false } },
  });
  const clientCfg = (hostUrl: string, token: string, id: string) =>
    testConfig({
      agent: { id },
      queue: { ...base.queue, role: 'client', hostUrl, token, printing: { enabled: false }, client: { checkIntervalMs: POLL_MS, timeoutMs: 5000 } },
    });

  it('a call on the host reaches the client agent board by push within a second, also after the host restarts', async () => {
    let host: Agent = await startAgent(hostCfg, { listen: true });
    started.push(host);
    const port = Number(new URL(host.url).port);
    const client: Agent = await startAgent(clientCfg(host.url, TOKEN, 'board-hall-2'), { listen: true });
    started.push(client);
    const link = client.ctx.queue as QueueClient;
    await expect.poll(() => link.pushing, { timeout: 5000 }).toBe(true);
    // Its first round reserved numbers for offline issuing (the next round is a minute away).
    await expect.poll(async () => (await api(client, 'GET', '/queue/link')).blocks.every((b: { remaining: number }) => b.remaining > 0), { timeout: 10000 }).toBe(true);

    const display = await boardDisplay(client);
    sockets.push(display.ws);
    const first = await callAndMeasure(host, display);
    console.log(`board push host → client agent → display: ${first.ms.toFixed(1)} ms (poll interval ${POLL_MS} ms)`);
    expect(first.ms).toBeLessThan(1000);

    // The host goes away: the client keeps running and says so well before its next poll.
    const stoppedAt = performance.now();
    await host.stop();
    await expect.poll(async () => (await api(client, 'GET', '/queue/link')).reachable, { timeout: 5000, interval: 50 }).toBe(false);
    console.log(`host unreachable noticed after ${(performance.now() - stoppedAt).toFixed(0)} ms`);
    const link1 = await api(client, 'GET', '/queue/link');
    expect(link1).toMatchObject({ role: 'client', reachable: false, notice: { code: 'issuing-offline' } });
    const health = await api(client, 'GET', '/health');
    expect(health.status).toBe('degraded');
    expect(health.checks.queue).toMatchObject({ ok: false, messageVi: expect.stringContaining('Không kết nối được máy chủ xếp hàng') });
    expect(link.pushing).toBe(false);
    // A citizen takes a ticket at this kiosk meanwhile: it comes from the kiosk's reserved numbers.
    const offline = await api(client, 'POST', '/queue/tickets', { serviceId: 'land', print: false });
    expect(offline).toMatchObject({ offline: true, serviceId: 'land' });

    // Back on the same port with its database: the push resumes without waiting for a poll. The host
    // stays away a while first (real time: the client's reconnect attempts meet a closed port).
    await new Promise((r) => setTimeout(r, 1000));
    const restartedAt = performance.now();
    host = await startAgent({ ...hostCfg, agent: { ...hostCfg.agent, listen: { host: '127.0.0.1', port } } }, { listen: true });
    started.push(host);
    await expect.poll(() => link.pushing, { timeout: 8000, interval: 20 }).toBe(true);
    const linkBackAt = performance.now();
    console.log(`push link back ${(linkBackAt - restartedAt).toFixed(0)} ms after the host restarted`);
    // The offline ticket is in the host's line at once, not at the next check a minute later.
    await expect.poll(async () => (await api(host, 'GET', '/queue/state')).services.find((x: { id: string }) => x.id === 'land').waiting, { timeout: 2000, interval: 10 }).toBe(1);
    console.log(`offline ticket in the host's line ${(performance.now() - linkBackAt).toFixed(0)} ms after the link came back`);
    // … and is called like any other.
    expect((await api(host, 'POST', '/queue/counters/1/call-next')).ticket.number).toBe(offline.number);
    expect((await api(client, 'GET', '/queue/link')).reachable).toBe(true);
    expect((await api(client, 'GET', '/health')).status).toBe('ok');
    const again = await callAndMeasure(host, display);
    console.log(`board push after the restart: ${again.ms.toFixed(1)} ms`);
    expect(again.ms).toBeLessThan(1000);
    expect(again.number).not.toBe(first.number);

    // Each change reaches the display once, though both push and the reconnect re-read carry boards.
    const shown = display.boards.map((b) => JSON.stringify({ ...b.board, generatedAt: '' }));
    for (let i = 1; i < shown.length; i++) expect(shown[i]).not.toBe(shown[i - 1]);
  }, 25_000);

  it('a host that refuses the token is reported once and not asked again in a loop', async () => {
    const host: Agent = await startAgent(hostCfg, { listen: true });
    started.push(host);
    let attempts = 0;
    host.fastify.server.on('upgrade', (req: IncomingMessage) => {
      if (req.headers.authorization === 'Bearer not-the-token') attempts++;
    });
    const lines: string[] = [];
    const client: Agent = await startAgent(clientCfg(host.url, 'not-the-token', 'board-bad-token'), { listen: true, logLines: lines });
    started.push(client);

    // Watched over real time: a retry loop would show as more attempts within these 2.5 s.
    await new Promise((r) => setTimeout(r, 2500));
    const refusals = lines.map((l) => JSON.parse(l) as { level: number; msg: string; status?: number; reason?: string }).filter((l) => l.msg.includes('refused the live board link'));
    console.log(`wrong token: ${attempts} upgrade attempt(s) at the host in 2.5 s; logged: ${refusals.map((r) => `${r.status} ${r.reason}`).join('; ')}`);
    expect(attempts).toBe(1);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 50, status: 401, reason: 'Unknown or revoked token' });
    expect((client.ctx.queue as QueueClient).pushing).toBe(false);
    // The agent is still up and answering.
    expect((await api(client, 'GET', '/queue/link')).role).toBe('client');
  }, 10_000);

  it('follows the host URL scheme: ws for http, wss for https, keeping a path prefix', () => {
    const url = (base: string) => new HostEvents({ base, token: 't', timeoutMs: 1000, maxDelayMs: 5000, log: undefined!, ca: () => undefined, onBoard() {}, onOpen() {}, onUnreachable() {} }).url;
    expect(url('http://10.0.0.5:7420')).toBe('ws://10.0.0.5:7420/api/v1/events?types=hcc.queue.board');
    expect(url('https://queue.ubnd.local')).toBe('wss://queue.ubnd.local/api/v1/events?types=hcc.queue.board');
    expect(url('https://proxy.ubnd.local/hall-1')).toBe('wss://proxy.ubnd.local/hall-1/api/v1/events?types=hcc.queue.board');
  });
});
