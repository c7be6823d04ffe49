/**
 * Procedure search rows: GET /api/v1/procedures?q= latency over a catalogue of 2,000 procedures,
 * one request at a time as a clerk types (each prefix of real queries, with and without
 * diacritics, and codes), beside GET /api/v1/health on the same agent (a child process, as in
 * production) in the same run; and the search alone, in process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Row } from './run.ts';
import { spawnAgent, freePort, waitHealthy } from '../helpers/process.ts';
import { tempDir } from '../helpers/agent.ts';
import { projectPath } from '../../src/paths.ts';
import { ProcedureIndex } from '../../src/procedures/search.ts';
import { parseCatalogue } from '../../src/procedures/catalogue.ts';
// @ts-expect-error plain ESM script without types
import { ensureBuilt } from '../../scripts/build.mjs';

const N = 2000;
const QUERIES = ['dang ky bien dong', 'Đăng ký khai sinh', 'ket hon', 'chứng thực bản sao', 'ho kinh doanh', '1.00', '1.001612', 'trich luc ho tich', 'cap ban sao', 'thanh lap'];

/** 2,000 procedures: the example's, renamed and renumbered, as a province's full list would be. */
function catalogue(): { procedures: Record<string, unknown>[] } {
  const base = (parse(readFileSync(projectPath('config', 'procedures', 'example.yaml'), 'utf8')) as { procedures: Record<string, unknown>[] }).procedures;
  const words = ['cấp', 'đổi', 'gia hạn', 'điều chỉnh', 'xác nhận', 'thu hồi', 'đăng ký lại', 'bổ sung', 'chuyển đổi', 'hủy'];
  return {
    procedures: Array.from({ length: N }, (_, i) => {
      const b = base[i % base.length];
      return { ...b, code: `${1 + (i % 3)}.${String(100000 + i).padStart(6, '0')}`, name: `${b.name} — ${words[i % words.length]} lần ${Math.floor(i / base.length)}` };
    }),
  };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

/** One kept-alive connection, as the counter page's browser holds one: the time is the agent's, not a TCP handshake's. */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

function timed(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: keepAlive, headers: { host: 'localhost' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${url}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

export default async function (): Promise<Row[]> {
  await ensureBuilt(); // the agent runs as `npm start` runs it
  const dir = tempDir();
  const cat = catalogue();
  writeFileSync(join(dir, 'catalogue.yaml'), stringify(cat));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, stringify({ agent: { dataDir: join(dir, 'data') }, log: { level: 'warn' }, procedures: { files: [join(dir, 'catalogue.yaml')] } }));
  const port = await freePort();
  const p = spawnAgent(['start', '--config', config, '--port', String(port)], {}, true);
  try {
    await waitHealthy(port, 20000).catch((err) => {
      throw new Error(`${(err as Error).message}: ${p.stderr().slice(-500)}${p.stdout().slice(-500)}`);
    });
    const base = `http://127.0.0.1:${port}/api/v1`;
    const typed = QUERIES.flatMap((q) => Array.from({ length: q.length }, (_, i) => q.slice(0, i + 1)));
    const search: number[] = [];
    const health: number[] = [];
    // Round 0 warms the JIT up on both routes and is not counted.
    for (let round = 0; round < 6; round++) {
      for (const q of typed) {
        const s = await timed(`${base}/procedures?q=${encodeURIComponent(q)}`);
        const h = await timed(`${base}/health`);
        if (round > 0) {
          search.push(s);
          health.push(h);
        }
      }
    }
    const index = new ProcedureIndex(parseCatalogue(cat));
    const inProcess: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (const q of typed) {
        const t0 = performance.now();
        index.search(q, 20);
        if (round > 0) inProcess.push(performance.now() - t0);
      }
    }
    const p99 = pct(search, 99);
    return [
      { area: 'procedures', name: `GET /procedures?q= p99, ${N} procedures, ${search.length} typed queries`, value: p99, unit: 'ms', reference: { name: 'GET /health p99', value: pct(health, 99) }, target: '< 5 ms', pass: p99 < 5 },
      { area: 'procedures', name: 'GET /procedures?q= p50', value: pct(search, 50), unit: 'ms', reference: { name: 'GET /health p50', value: pct(health, 50) } },
      { area: 'procedures', name: `search alone (in process) p99, ${N} procedures`, value: pct(inProcess, 99), unit: 'ms' },
    ];
  } finally {
    keepAlive.destroy();
    p.child.kill('SIGTERM');
    await p.exited;
  }
}
