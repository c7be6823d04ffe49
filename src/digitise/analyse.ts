/**
 * Runs page analysis (analyse-core.ts) on a worker thread so that jsqr and the skew search never
 * hold the event loop. One worker is enough: pages arrive one at a time and sharp (libuv threads)
 * does the decoding. The worker's code is bundled once with esbuild into plain JavaScript, so the
 * worker needs no TypeScript loader (a loader in the worker costs ~20 MB and a slow start).
 */
import { Worker } from 'node:worker_threads';
import { projectPath } from '../paths.ts';
import type { AnalyseRequest, AnalyseResult } from './analyse-core.ts';

type Pending = { resolve: (r: AnalyseResult) => void; reject: (e: Error) => void };

let bundled: Promise<string> | null = null;
function workerCode(): Promise<string> {
  bundled ??= import('esbuild').then(({ build }) => build({
    // From the project root, so it is found from the sources and from npm start's bundle alike.
    entryPoints: [projectPath('src', 'digitise', 'analyse-worker.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
  })).then(
    (out) => out.outputFiles[0].text,
    (err: unknown) => {
      bundled = null;
      throw err;
    },
  );
  return bundled;
}

export class PageAnalyser {
  private worker: Promise<Worker> | null = null;
  private current: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** Optional warm-up (bundle and start the worker) so the first page does not wait for it. */
  async start(): Promise<void> {
    await (this.worker ??= this.spawn());
  }

  async analyse(req: AnalyseRequest): Promise<AnalyseResult> {
    const w = await (this.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise<AnalyseResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The grey buffer is copied into the message; it is small (≈ 0.5 MB).
      w.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.current = null;
    if (w) await (await w.catch(() => null))?.terminate();
    this.failAll(new Error('page analyser closed'));
  }

  private async spawn(): Promise<Worker> {
    let w: Worker;
    try {
      w = new Worker(await workerCode(), { eval: true });
    } catch (err) {
      this.worker = null;
      throw err;
    }
    w.unref();
    const gone = (err: Error) => {
      // A crashed worker is replaced on the next page.
      if (this.current === w) {
        this.current = null;
        this.worker = null;
      }
      this.failAll(err);
    };
    w.on('message', (m: { id: number; result?: AnalyseResult; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result!);
    });
    w.on('error', (err) => gone(err));
    w.on('exit', () => gone(new Error('page analyser exited')));
    this.current = w;
    return w;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
