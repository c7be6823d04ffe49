/**
 * Renders print jobs on a worker thread. A ticket's raster takes 5–15 ms of canvas work; on the
 * event loop that would hold every other request (a kiosk issuing tickets, a counter calling) for
 * as long. The worker's code is bundled with esbuild into one CommonJS script (no TypeScript loader
 * in the worker); native libraries (canvas) are still loaded from the project's node_modules. If the
 * worker cannot start, jobs are rendered in-process as before.
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { projectPath } from '../paths.ts';
import type { renderJob, RenderedJob } from './render.ts';

type Args = Parameters<typeof renderJob>;
type Pending = { resolve: (r: RenderedJob) => void; reject: (e: Error) => void };

let code: Promise<string> | null = null;
function workerCode(): Promise<string> {
  code ??= import('esbuild')
    .then(({ build }) =>
      build({
        entryPoints: [projectPath('src', 'printing', 'render-worker.ts')],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        logLevel: 'silent',
        // Modules that find files (fonts, native libraries) from their own location find them from the project.
        define: { 'import.meta.url': JSON.stringify(pathToFileURL(projectPath('src', 'printing', 'render.ts')).href) },
      }),
    )
    .then((out) => out.outputFiles[0].text)
    .catch((err: unknown) => {
      code = null;
      throw err;
    });
  return code;
}

export class RenderPool {
  private worker: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private inProcess: typeof renderJob | null = null;

  constructor(private readonly log: Logger) {}

  async render(...args: Args): Promise<RenderedJob> {
    if (this.inProcess) return this.inProcess(...args);
    let w: Worker;
    try {
      w = await (this.worker ??= this.spawn());
    } catch (err) {
      this.log.warn({ err }, 'render worker unavailable; rendering in-process');
      this.inProcess = (await import('./render.ts')).renderJob;
      return this.inProcess(...args);
    }
    const id = this.nextId++;
    const out = await new Promise<RenderedJob>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, args });
    });
    // Buffers arrive as plain Uint8Arrays.
    return { ...out, bytes: Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength) };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await (await w.catch(() => null))?.terminate();
    this.failAll(new Error('renderer closed'));
  }

  private async spawn(): Promise<Worker> {
    const w = new Worker(await workerCode(), { eval: true });
    w.unref();
    const gone = (err: Error) => {
      this.worker = null; // replaced on the next job
      this.failAll(err);
    };
    w.on('message', (m: { id: number; out?: RenderedJob; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.out!);
    });
    w.on('error', gone);
    w.on('exit', () => gone(new Error('render worker exited')));
    return w;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
