#!/usr/bin/env node
// Bundles the pages (kiosk-ui/src → kiosk-ui/dist) with esbuild: one JS and one CSS file per page
// plus its HTML shell. Part of `npm run build` (scripts/build.mjs, run at install and before
// `npm start`); `npm run build:ui` builds the pages alone. The agent only reads dist, never builds it.
// Staleness is a hash of the sources (not mtimes: a git checkout changes mtimes, not content).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const root = resolve(dirname(SELF), '..');
export const UI_SRC = join(root, 'kiosk-ui', 'src');
export const UI_DIST = join(root, 'kiosk-ui', 'dist');
const PAGES_FILE = join(root, 'kiosk-ui', 'pages.json');

/** The pages: name → title shown in the tab (Vietnamese first). The agent reads the same file for its routes. */
export const PAGES = JSON.parse(readFileSync(PAGES_FILE, 'utf8'));

function listFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** Hash of every source file and of this script: the build is stale when it changes. */
export function sourceHash(srcDir = UI_SRC) {
  const h = createHash('sha256');
  for (const f of [...listFiles(srcDir), PAGES_FILE, SELF]) {
    h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

function readManifest(outDir) {
  try {
    return JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** True when dist lacks a file or was built from other sources. */
export function isStale(outDir = UI_DIST, srcDir = UI_SRC) {
  const m = readManifest(outDir);
  if (!m || m.sourceHash !== sourceHash(srcDir)) return true;
  return m.files.some((f) => {
    try {
      return !statSync(join(outDir, f)).isFile();
    } catch {
      return true;
    }
  });
}

function html(page, title) {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/ui/${page}.css">
<script type="module" src="/ui/${page}.js"></script>
</head>
<body class="page-${page}"><main id="app" aria-live="polite"></main></body>
</html>
`;
}

/** Writes a file through a temp name and a rename, so a concurrent reader (or builder) never sees half a file. */
function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Builds every page. Returns the files written and their sizes.
 * @param {{ outDir?: string, srcDir?: string, minify?: boolean }} [opts]
 */
export async function buildUi(opts = {}) {
  const outDir = opts.outDir ?? UI_DIST;
  const srcDir = opts.srcDir ?? UI_SRC;
  const { build } = await import('esbuild');
  const started = performance.now();
  const hash = sourceHash(srcDir);
  const result = await build({
    entryPoints: Object.fromEntries(Object.keys(PAGES).map((p) => [p, join(srcDir, p, 'main.ts')])),
    bundle: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    outdir: outDir,
    write: false,
    logLevel: 'silent',
  });
  mkdirSync(outDir, { recursive: true });
  const files = {};
  for (const f of result.outputFiles) {
    writeAtomic(f.path, f.contents);
    files[relative(outDir, f.path)] = f.contents.length;
  }
  for (const [page, title] of Object.entries(PAGES)) {
    const body = html(page, title);
    writeAtomic(join(outDir, `${page}.html`), body);
    files[`${page}.html`] = Buffer.byteLength(body);
  }
  // The manifest goes last: its hash says the files above are complete.
  writeAtomic(join(outDir, 'manifest.json'), JSON.stringify({ sourceHash: hash, builtAt: new Date().toISOString(), files: Object.keys(files), sizes: files }, null, 1));
  return { outDir, files, ms: performance.now() - started };
}

/** Builds when dist is missing or stale; returns whether it built. */
export async function ensureUiBuilt(opts = {}) {
  if (!isStale(opts.outDir, opts.srcDir)) return { built: false };
  const r = await buildUi(opts);
  return { built: true, ...r };
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  const r = await buildUi({ minify: !process.argv.includes('--dev') });
  for (const [f, n] of Object.entries(r.files)) process.stdout.write(`${f.padEnd(16)} ${String(n).padStart(8)} B\n`);
  process.stdout.write(`built ${relative(process.cwd(), r.outDir) || '.'} in ${r.ms.toFixed(0)} ms\n`);
}
