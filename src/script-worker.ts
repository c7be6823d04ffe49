/**
 * A worker thread running one of the agent's TypeScript modules, for CPU work that must not hold
 * the event loop (page analysis, print rendering). The worker needs no TypeScript loader (a loader
 * costs ~20 MB and a slow start): the built agent loads the module's bundle that `npm run build`
 * wrote beside it (.build/agent/workers/NAME.mjs, listed in scripts/build.mjs); run from the
 * sources (tsx, tests), the module is bundled in memory once. Native libraries are loaded from the
 * project's node_modules. Requests and answers are matched by id: the worker answers
 * `{id, result}` or `{id, error}` to each `{id, req}`.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { projectPath } from './paths.ts';

/** Defined (true) by scripts/build.mjs in the built agent; absent when running from the sources. */
declare const __HCC_AGENT_BUNDLED__: boolean | undefined;
const BUNDLED = typeof __HCC_AGENT_BUNDLED__ !== 'undefined';

type Pending<R> = { resolve: (r: R) => void; reject: (e: Error) => void };

const bundles = new Map<string, Promise<string>>();

/** The module as one CommonJS script (an eval'd worker cannot be ESM). */
function bundle(entry: string): Promise<string> {
  let code = bundles.get(entry);
  if (!code) {
    code = import('esbuild')
      .then(({ build }) =>
        build({
          entryPoints: [entry],
          bundle: true,
          write: false,
          platform: 'node',
          format: 'cjs',
          target: 'node20',
          logLevel: 'silent',
          // Modules that find files (fonts, native libraries) from their own location find them from the project.
          define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
        }),
      )
      .then((out) => out.outputFiles[0].text);
    code.catch(() => bundles.delete(entry));
    bundles.set(entry, code);
  }
  return code;
}

/** The built agent's bundle of a worker module; a missing one is an incomplete build, said plainly. */
function builtWorker(entry: string): string {
  const file = projectPath('.build', 'agent', 'workers', `${basename(entry, '.ts')}.mjs`);
  if (!existsSync(file)) throw new Error(`${file} is missing: the worker ${entry} is not in WORKERS of scripts/build.mjs, or the build is incomplete (npm run build)`);
  return file;
}

export class ScriptWorker<Req, Res> {
  private worker: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending<Res>>();
  private nextId = 1;
  private readonly entry: string;

  /** `path`: the worker module's path inside the project, e.g. ['src', 'printing', 'render-worker.ts']. */
  constructor(path: string[], private readonly name: string) {
    this.entry = projectPath(...path);
  }

  /** Bundles and starts the worker (optional: the first call does it too). */
  async start(): Promise<void> {
    await (this.worker ??= this.spawn());
  }

  async call(req: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    const w = await (this.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, req }, transfer);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await (await w.catch(() => null))?.terminate();
    this.failAll(new Error(`${this.name} closed`));
  }

  private async spawn(): Promise<Worker> {
    let w: Worker;
    try {
      w = BUNDLED ? new Worker(builtWorker(this.entry)) : new Worker(await bundle(this.entry), { eval: true });
    } catch (err) {
      this.worker = null;
      throw err;
    }
    w.unref();
    const gone = (err: Error) => {
      this.worker = null; // a crashed worker is replaced on the next call
      this.failAll(err);
    };
    w.on('message', (m: { id: number; result?: Res; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result as Res);
    });
    w.on('error', gone);
    w.on('exit', () => gone(new Error(`${this.name} exited`)));
    return w;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
