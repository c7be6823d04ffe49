/** Runs the agent as a real child process (as `npm start` does) for start-up, signal and crash tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface AgentProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const BUILT_MAIN = '.build/agent/main.mjs';

/** The node arguments of package.json's start script (`node <flags> .build/agent/main.mjs start`), without the command. */
function npmStartArgs(): string[] {
  const script: string = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).scripts.start;
  const words = script.split(/\s+/);
  return words.slice(1, words.indexOf(BUILT_MAIN) + 1);
}

export interface SpawnOptions {
  /** Run what `npm start` runs (the built agent, after its `prestart` build) instead of the sources through tsx. */
  viaNpmStart?: boolean;
  /** The project copy to run from (default: this checkout). */
  cwd?: string;
  /** Run as this user and group (a test run by root checking what an unprivileged service may do). */
  uid?: number;
  gid?: number;
}

/** Spawns `node --import tsx src/main.ts ARGS` from the repo root; `viaNpmStart` runs what `npm start` runs (the bundle). */
/** Agents spawned by this test file and still running: a failed assertion must not leave one behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** SIGKILLs every agent this file spawned that is still running (for afterEach). */
export async function killAgents(): Promise<void> {
  const left = [...running];
  for (const c of left) c.kill('SIGKILL');
  await Promise.all(left.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
}

export function spawnAgent(args: string[], env: NodeJS.ProcessEnv = {}, opts: boolean | SpawnOptions = false): AgentProcess {
  const { viaNpmStart = false, cwd = ROOT, uid, gid } = typeof opts === 'boolean' ? { viaNpmStart: opts } : opts;
  const entry = viaNpmStart ? npmStartArgs() : ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, [...entry, ...args], { cwd, uid, gid, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls GET /api/v1/health until 200; returns ms waited. */
export async function waitHealthy(port: number, timeoutMs = 10000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      if (r.status === 200) return performance.now() - t0;
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`agent on port ${port} not healthy within ${timeoutMs} ms`);
}

/**
 * Benchmarks that measure the agent's memory run their child the way `npm start` runs the agent:
 * bundled by esbuild and started with plain node and the same flags, not through tsx (whose
 * transpiler and source maps would be counted as the agent's). Returns the node arguments.
 */
export async function bundledNodeArgs(tsFile: string): Promise<string[]> {
  const { build } = await import('esbuild');
  const name = tsFile.split('/').pop()!.replace(/\.ts$/, '');
  const outdir = `${ROOT}/.build/test/${name}`;
  await build({ entryPoints: { [name]: tsFile }, outdir, outExtension: { '.js': '.mjs' }, bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  const flags = npmStartArgs().slice(0, -1); // node flags of the start script, without the script
  return [...flags, `${outdir}/${name}.mjs`];
}
