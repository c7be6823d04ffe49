/**
 * Queue rows: ticket issuance throughput and p99 latency with 50 concurrent autocannon clients
 * against the agent as a child process (as in production), with ticket printing off and on (the
 * simulated printer), each beside GET /api/v1/health on the same agent in the same run.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { stringify } from 'yaml';
import type { Row } from './run.ts';
import { spawnAgent, freePort, waitHealthy } from '../helpers/process.ts';
import { tempDir } from '../helpers/agent.ts';

const CONNECTIONS = 50;
const SECONDS = 5;
const SERVICES = 'ABCDEFGHJK'.split('').map((p) => ({ id: `svc-${p}`, name: `Dịch vụ ${p}`, nameEn: `Service ${p}`, prefix: p }));

interface Result {
  rps: number;
  p99: number;
  errors: number;
}

async function load(url: string, post?: () => string): Promise<Result> {
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(post
      ? {
          method: 'POST' as const,
          headers: { 'content-type': 'application/json' },
          // A different service per request, as at a kiosk with many buttons.
          requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: post() }) }],
        }
      : {}),
  });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

/** After a load run the agent may answer 503 (event loop still catching up, under-pressure): retry. */
async function settled<T>(request: () => Promise<Response>): Promise<T> {
  for (let i = 0; ; i++) {
    const res = await request();
    if (res.ok || i >= 100) return (await res.json()) as T;
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function measure(printing: boolean): Promise<{ tickets: Result; health: Result; issued: number; printed: boolean }> {
  const dir = tempDir('hcc-queue-bench-');
  const port = await freePort();
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    stringify({
      agent: { id: 'bench-host', site: 'bench', listen: { host: '127.0.0.1', port }, dataDir: join(dir, 'data') },
      log: { level: 'warn' },
      devices: [{ id: 'ticket', type: 'printer', driver: 'simulated', width: 576 }],
      queue: {
        role: 'host',
        dailyLimit: 99999,
        services: SERVICES,
        counters: [{ id: '1', name: 'Quầy 1', services: SERVICES.map((s) => s.id) }],
        printing: { enabled: printing, printer: 'ticket' },
      },
    }),
  );
  const agent = spawnAgent(['start', '--config', config]);
  try {
    await waitHealthy(port, 20000);
    const base = `http://127.0.0.1:${port}`;
    await load(`${base}/api/v1/health`); // warm-up
    const health = await load(`${base}/api/v1/health`);
    let n = 0;
    const tickets = await load(`${base}/api/v1/queue/tickets`, () => JSON.stringify({ serviceId: SERVICES[n++ % SERVICES.length].id }));
    const state = await settled<{ services: { waiting: number }[] }>(() => fetch(`${base}/api/v1/queue/state`));
    const issued = state.services.reduce((a, s) => a + s.waiting, 0);
    // Printing really ran: one more ticket comes back with its print job.
    const last = await settled<{ printJobId?: string }>(() =>
      fetch(`${base}/api/v1/queue/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"serviceId":"svc-A"}' }),
    );
    const printed = last.printJobId !== undefined;
    return { tickets, health, issued, printed };
  } finally {
    agent.child.kill('SIGTERM');
    await agent.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function (): Promise<Row[]> {
  const rows: Row[] = [];
  for (const printing of [false, true]) {
    const { tickets, health, issued, printed } = await measure(printing);
    const label = printing ? 'printing on (simulated printer)' : 'printing off';
    if (printing !== printed) rows.push({ area: 'queue', name: `printing ${printing ? 'on' : 'off'} but tickets came back ${printed ? 'with' : 'without'} a print job`, value: NaN, unit: '', pass: false });
    if (issued < tickets.rps * SECONDS * 0.9) rows.push({ area: 'queue', name: `only ${issued} tickets waiting after the run`, value: NaN, unit: '', pass: false });
    rows.push(
      {
        area: 'queue',
        name: `POST /queue/tickets throughput, ${CONNECTIONS} conns, ${label}${tickets.errors ? `, ${tickets.errors} ERRORS` : ''}`,
        value: tickets.rps,
        unit: 'tickets/s',
        reference: { name: 'GET /api/v1/health on the same agent (req/s)', value: health.rps },
        target: '>= 1000 tickets/s',
        pass: tickets.rps >= 1000 && tickets.errors === 0,
      },
      {
        area: 'queue',
        name: `POST /queue/tickets p99 latency, ${CONNECTIONS} conns, ${label}`,
        value: tickets.p99,
        unit: 'ms',
        reference: { name: 'GET /api/v1/health p99 on the same agent', value: health.p99 },
        target: '< 50 ms',
        pass: tickets.p99 < 50,
      },
    );
  }
  return rows;
}
