/**
 * Child process of the crash test: a real agent (buildApp) on a given data dir, relaying over HTTP
 * to CENTRAL_URL, with one extra route that records events, each in its own transaction, and
 * answers only after the commit. Prints `READY <port>` once it listens. Killed with SIGKILL by the test.
 */
import { validateConfig } from '../../src/config/load.ts';
import { buildApp } from '../../src/app.ts';
import { anyEvents } from '../helpers/events.ts';

const config = validateConfig({
  agent: { id: process.env.AGENT_ID ?? 'crash-desk', site: 'crash-site', listen: { host: '127.0.0.1', port: 0 }, dataDir: process.env.DATA_DIR },
  log: { level: 'silent' },
  devices: [],
  queue: { role: 'host', services: [], counters: [] },
  central: { transport: 'http', http: { url: process.env.CENTRAL_URL, timeoutMs: 2000 }, relay: { maxEvents: 50, backoffBaseMs: 10, backoffMaxMs: 100 } },
});
const agent = await buildApp(config);
agent.fastify.post('/crash/enqueue', { schema: { hide: true } }, async (req) => {
  const { subject, n } = req.body as { subject: string; n: number };
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(anyEvents(agent.ctx.events).record('hcc.test.crash', subject, { i }).id);
  return { ids };
});
const { address } = await agent.start();
process.stdout.write(`READY ${new URL(address!).port}\n`);
process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
