#!/usr/bin/env node
// `npm start`: bundles the TypeScript sources with esbuild into .build/ when they changed (a few
// hundred ms), then runs the bundle with plain node. Running the bundle instead of transpiling
// each file at start (tsx) halves start-up time and saves tens of MB of resident memory on a
// kiosk PC; tests and development still run the sources directly through tsx.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.build');
/** Entry point: the CLI. (The page-analysis worker is bundled by src/digitise/analyse.ts itself.) */
export const ENTRIES = { main: 'src/main.ts' };

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function hash() {
  const h = createHash('sha256');
  for (const f of [...files(join(root, 'src')), ...files(join(root, 'drivers')), join(root, 'package.json'), fileURLToPath(import.meta.url)].sort()) {
    h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

export async function ensureBuilt() {
  const stamp = join(out, 'stamp');
  const want = hash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return false;
  const { build } = await import('esbuild');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const entryPoints = Object.fromEntries(Object.entries(ENTRIES).filter(([, f]) => existsSync(join(root, f))).map(([k, f]) => [k, join(root, f)]));
  await build({
    entryPoints,
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Dynamic imports become their own chunks, so what they load stays unloaded until used.
    splitting: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  writeFileSync(stamp, want);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureBuilt();
  await import(pathToFileURL(join(out, 'main.mjs')).href);
}
