/** Foundation rows: cold start to ready, idle RSS, and health throughput against bare Fastify. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { Row } from './run.ts';
import { spawnAgent, freePort, waitHealthy, ROOT } from '../helpers/process.ts';
import { tempDir } from '../helpers/agent.ts';
// @ts-expect-error plain ESM script without types
import { ensureBuilt } from '../../scripts/build.mjs';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time (user + system) a process has used so far, in µs (/proc/PID/stat, clock ticks of 10 ms). */
function cpuUs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

/**
 * Requests/s over 4 s after a 1 s warm-up (both sides get the same, so the JIT has run for each),
 * and the server's CPU time per request over those 4 s: steadier than requests/s on a shared machine.
 */
async function throughput(port: number, pid: number): Promise<{ rps: number; cpuPerReq: number }> {
  const opts = { url: `http://127.0.0.1:${port}/api/v1/health`, connections: 10, headers: { host: 'localhost' } };
  await autocannon({ ...opts, duration: 1 });
  const c0 = cpuUs(pid);
  const r = await autocannon({ ...opts, duration: 4 });
  return { rps: r.requests.average, cpuPerReq: (cpuUs(pid) - c0) / r.requests.total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function (): Promise<Row[]> {
  await ensureBuilt(); // as after the first `npm start` of a fresh clone
  const starts: number[] = [];
  let rss = NaN;
  let agent = { rps: NaN, cpuPerReq: NaN };
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const t0 = performance.now();
    const p = spawnAgent(['start', '--port', String(port), '--data-dir', tempDir()], {}, true);
    await waitHealthy(port, 20000);
    starts.push(performance.now() - t0);
    if (i === 2) {
      await new Promise((r) => setTimeout(r, 1500));
      rss = rssMb(p.child.pid!);
      agent = await throughput(port, p.child.pid!);
    }
    p.child.kill('SIGTERM');
    await p.exited;
  }
  // The reference: bare Fastify, also a child process, in the same run.
  const port = await freePort();
  const bare = spawn(process.execPath, ['--import', 'tsx', 'test/bench/fixtures/bare-fastify.ts', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => bare.stdout.once('data', r));
  const bareRun = await throughput(port, bare.pid!);
  bare.kill('SIGTERM');
  const ready = median(starts);
  return [
    { area: 'foundation', name: 'cold start to health 200 (median of 3, process spawn included)', value: ready, unit: 'ms', target: '< 1500 ms', pass: ready < 1500 },
    { area: 'foundation', name: 'idle RSS after start', value: rss, unit: 'MB', target: '< 120 MB', pass: rss < 120 },
    {
      area: 'foundation',
      name: 'GET /api/v1/health throughput (10 conns)',
      value: agent.rps,
      unit: 'req/s',
      reference: { name: 'bare Fastify hello-world', value: bareRun.rps },
      target: '>= 0.5x',
      pass: agent.rps >= 0.5 * bareRun.rps,
    },
    {
      area: 'foundation',
      name: 'GET /api/v1/health server CPU per request (user + system)',
      value: agent.cpuPerReq,
      unit: 'µs',
      reference: { name: 'bare Fastify hello-world', value: bareRun.cpuPerReq },
    },
  ];
}
