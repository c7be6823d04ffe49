#!/usr/bin/env node
// `npm run build`: everything the agent runs in production, built once so that the installed
// service needs no bundler at start and never writes into its code folders (the systemd unit
// keeps them read-only):
//   .build/agent/main.mjs + chunks    the server: src/main.ts bundled by esbuild (packages stay in node_modules);
//   .build/agent/workers/NAME.mjs     each worker thread's module, loaded from here by src/script-worker.ts;
//   kiosk-ui/dist/                    the pages (scripts/build-ui.mjs).
// npm runs it at `npm install`/`npm ci` (prepare) and before `npm start` (prestart). Each part is
// rebuilt only when a file it was built from changed (content hash, not mtimes: a checkout changes
// mtimes), so on an unchanged tree it only hashes its inputs. Running the bundle instead of
// transpiling each file at start (tsx) halves start-up time and saves tens of MB on a kiosk PC;
// tests and development run the sources through tsx and need no build.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUi, ensureUiBuilt } from './build-ui.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the server and its workers are built. */
export const AGENT_DIR = join(root, '.build', 'agent');
/** The server's entry point: the CLI. */
const MAIN = 'src/main.ts';
/** The worker threads' modules (src/script-worker.ts): each bundled on its own, as workers/<file name>.mjs. */
export const WORKERS = ['src/printing/render-worker.ts', 'src/digitise/analyse-worker.ts'];
/** What a build depends on besides the sources esbuild reads: dependency versions and this script. */
const EXTRA_INPUTS = ['package.json', 'scripts/build.mjs'];
const STAMP = 'build.json';

function hashFiles(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
  return h.digest('hex');
}

/** True when the agent was never built, or a file it was built from changed or is gone. */
export function isAgentStale(dir = AGENT_DIR) {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
    return hashFiles(stamp.inputs) !== stamp.hash;
  } catch {
    return true;
  }
}

/** Builds the server and its workers into a fresh folder, then swaps it in: a reader never sees half a build. */
export async function buildAgent(dir = AGENT_DIR) {
  const started = performance.now();
  const { build } = await import('esbuild');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const common = { absWorkingDir: root, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outExtension: { '.js': '.mjs' }, sourcemap: 'linked', metafile: true, logLevel: 'warning' };
  const server = await build({
    ...common,
    entryPoints: { main: join(root, MAIN) },
    outdir: tmp,
    // Dynamic imports become their own chunks, so what they load stays unloaded until used.
    splitting: true,
    // Tells src/script-worker.ts to load the workers built below instead of bundling them at run time.
    define: { __HCC_AGENT_BUNDLED__: 'true' },
  });
  const workers = await build({ ...common, entryPoints: Object.fromEntries(WORKERS.map((f) => [basename(f, '.ts'), join(root, f)])), outdir: join(tmp, 'workers') });
  const inputs = [...new Set([...Object.keys(server.metafile.inputs), ...Object.keys(workers.metafile.inputs), ...EXTRA_INPUTS])].sort();
  writeFileSync(join(tmp, STAMP), JSON.stringify({ hash: hashFiles(inputs), builtAt: new Date().toISOString(), inputs }, null, 1));
  const old = `${dir}.old-${process.pid}`;
  try {
    renameSync(dir, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // Another build (a parallel test worker) swapped its result in between the two renames: it was built from the same sources.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return { dir, ms: performance.now() - started };
}

/** Builds what is stale (everything with `force`); returns what was built, as [folder, ms] pairs. */
export async function ensureBuilt({ force = false } = {}) {
  const built = [];
  if (force || isAgentStale()) {
    const r = await buildAgent();
    built.push([r.dir, r.ms]);
  }
  const ui = force ? { built: true, ...(await buildUi()) } : await ensureUiBuilt();
  if (ui.built) built.push([ui.outDir, ui.ms]);
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [dir, ms] of await ensureBuilt({ force: process.argv.includes('--force') })) {
    process.stdout.write(`built ${relative(process.cwd(), dir) || '.'} in ${ms.toFixed(0)} ms\n`);
  }
}
