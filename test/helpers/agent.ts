/** Test helpers: a config with simulated devices in a fresh temp data dir, and a built agent. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { validateConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { buildApp, type Agent } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';

export function tempDir(prefix = 'hcc-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A valid config: simulated devices, temp data dir, port 0. `patch` is merged per top-level section. */
export function testConfig(patch: Record<string, any> = {}): Config {
  const dataDir: string = patch.agent?.dataDir ?? tempDir();
  const raw: Record<string, any> = {
    agent: { id: 'test-desk', site: 'test-site', listen: { host: '127.0.0.1', port: 0 }, dataDir, ...(patch.agent ?? {}) },
    log: { level: 'silent', ...(patch.log ?? {}) },
    // Load shedding off in tests: a busy CI machine must not turn requests into 503s (tested on its own).
    http: { maxEventLoopDelayMs: 0, maxRssBytes: 0, ...(patch.http ?? {}) },
    security: { keyFile: join(dataDir, '..', `${dataDir.split('/').pop()}.key`), ...(patch.security ?? {}) },
    devices: patch.devices ?? [
      { id: 'receipt', type: 'printer', driver: 'simulated', width: 576 },
      { id: 'barcode', type: 'barcode', driver: 'simulated' },
      { id: 'docs', type: 'document-scanner', driver: 'simulated', pages: 10 },
    ],
    queue: patch.queue ?? {
      role: 'host',
      services: [
        { id: 'land', name: 'Đất đai', nameEn: 'Land', prefix: 'A' },
        { id: 'civil', name: 'Hộ tịch', nameEn: 'Civil status', prefix: 'B' },
      ],
      counters: [
        { id: '1', name: 'Quầy 1', services: ['land', 'civil'] },
        { id: '3', name: 'Quầy 3', services: ['land'] },
      ],
    },
  };
  for (const [k, v] of Object.entries(patch)) if (!(k in raw)) raw[k] = v;
  return validateConfig(raw);
}

export interface TestAgent extends Agent {
  cleanup(): Promise<void>;
}

/** Builds and starts an agent on inject() (listen=false unless asked). */
export async function startAgent(config = testConfig(), opts: { listen?: boolean; logLines?: string[] } = {}): Promise<TestAgent & { url: string }> {
  let logger;
  if (opts.logLines) {
    const lines = opts.logLines;
    logger = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(c.toString()); cb(); } }));
  }
  const agent = await buildApp(config, { logger });
  const { address } = await agent.start({ listen: opts.listen ?? false });
  return {
    ...agent,
    url: address ?? '',
    async cleanup() {
      await agent.stop();
      rmSync(config.agent.dataDir, { recursive: true, force: true });
    },
  };
}
