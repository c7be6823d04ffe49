/**
 * The installed service runs built code it cannot write: a copy of the project is built as at
 * install time (`npm run build`), made read-only (and, when the suite runs as root, run as an
 * unprivileged user, as under the systemd unit), then started as `npm start` starts it. It must
 * start, serve the pages, render a print job and analyse scanned pages on its worker threads, and
 * stop, leaving every file of the copy as it was. The copy's node_modules lacks esbuild and tsx, so
 * nothing can be built or transpiled at start (its start time is measured by `npm run bench`).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/agent.ts';
import { freePort, ROOT, spawnAgent, waitHealthy } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';

/** What an installation holds (as `cp -r <checkout> /opt/hcc-agent` would, without tests, builds or data). */
const SHIPPED = ['package.json', 'src', 'drivers', 'kiosk-ui/src', 'kiosk-ui/pages.json', 'scripts', 'config', 'bin'];
/** The bundler and the TypeScript loader: what the installed service must not need. */
const BUILD_TOOLS = ['esbuild', '@esbuild', 'tsx'];
/** nobody:nogroup on Debian. */
const NOBODY = 65534;

/** node_modules is the dependencies' (its files may be hard links to the checkout's): left as it is, not compared. */
const DEPS = 'node_modules';

/** Every file and folder under `dir` (but node_modules) with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === DEPS) continue;
      const p = join(d, e.name);
      const st = lstatSync(p);
      out.set(relative(dir, p), `${st.size} ${st.mtimeMs} ${st.mode.toString(8)}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Takes write permission away from everything under `dir` (symlinks are not followed; node_modules is left as installed). */
function readOnly(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink() || e.name === DEPS) continue;
    if (e.isDirectory()) readOnly(p);
    chmodSync(p, statSync(p).mode & ~0o222);
  }
  chmodSync(dir, statSync(dir).mode & ~0o222);
}

const root = tempDir('hcc-install-');
const code = join(root, 'opt-hcc-agent');
afterAll(() => {
  chmodSync(root, 0o700);
  execFileSync('find', [code, '-path', join(code, 'node_modules'), '-prune', '-o', '-exec', 'chmod', 'u+w', '{}', '+']); // node_modules' files are the checkout's: left alone
  rmSync(root, { recursive: true, force: true });
});

describe('the built agent on read-only code', () => {
  it('starts from the build, serves pages and renders on its workers without writing under its code folder', async () => {
    chmodSync(root, 0o755);
    for (const f of SHIPPED) cpSync(join(ROOT, f), join(code, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(code, 'node_modules'));
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: code }); // what `npm ci` (prepare) or `npm run build` does at install
    rmSync(join(code, 'node_modules'));
    // The installation's own node_modules (hard links where the file system allows, else a copy):
    // the service's user must not need to pass through the checkout's parents, which may be closed
    // to it (a clone under /root is).
    execFileSync('sh', ['-c', 'cp -al "$0" "$1" 2>/dev/null || cp -a "$0" "$1"', join(ROOT, 'node_modules'), join(code, 'node_modules')]);
    for (const dep of BUILD_TOOLS) rmSync(join(code, 'node_modules', dep), { recursive: true, force: true });
    readOnly(code);
    const before = snapshot(code);
    expect([...before.keys()]).toEqual(expect.arrayContaining(['.build/agent/main.mjs', '.build/agent/workers/render-worker.mjs', '.build/agent/workers/analyse-worker.mjs', 'kiosk-ui/dist/kiosk.html']));

    // The data dir is the only writable place (HOME too: the default key file lives under it, as the unit's StateDirectory).
    const data = join(root, 'var-lib-hcc-agent');
    mkdirSync(data, { mode: 0o700 });
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(data, NOBODY, NOBODY);
    const port = await freePort();
    const p = spawnAgent(['start', '--port', String(port), '--data-dir', data], { HOME: data }, { viaNpmStart: true, cwd: code, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
    try {
      await waitHealthy(port, 30000);

      const get = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}${path}`, init);
      for (const path of ['/kiosk', '/ui/kiosk.js', '/board']) expect((await get(path)).status, path).toBe(200);

      const json = { 'content-type': 'application/json' };
      const job = await (await get('/api/v1/print/jobs', { method: 'POST', headers: json, body: JSON.stringify({ template: 'test-page', data: {} }) })).json();
      const done = await waitFor(
        async () => {
          const j = await (await get(`/api/v1/print/jobs/${job.id}`)).json();
          return ['printed', 'failed', 'interrupted'].includes(j.state) ? j : null;
        },
        { timeoutMs: 60_000, what: 'the test page printed or failed' },
      );
      expect(done).toMatchObject({ state: 'printed' });

      const scan = await (await get('/api/v1/scans', { method: 'POST', headers: json, body: JSON.stringify({ dossierCode: '000.00.21.H30-261122-9013' }) })).json();
      const session = await waitFor(
        async () => {
          const s = await (await get(`/api/v1/scans/${scan.id}`)).json();
          return s.state === 'scanning' ? null : s;
        },
        { timeoutMs: 60_000, what: 'the scan session settled' },
      );
      expect(session.state).toBe('completed');
      expect(session.pages).toBeGreaterThan(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nagent stdout: ${p.stdout()}\nagent stderr: ${p.stderr()}`);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect((await p.exited).code).toBe(0);
    expect(p.stdout() + p.stderr()).not.toMatch(/worker unavailable|EACCES|EROFS|built the pages/);
    expect(snapshot(code)).toEqual(before);
  }, 240_000);
});
