/**
 * Runs page analysis (analyse-core.ts) on a worker thread so that jsqr and the skew search never
 * hold the event loop. One worker is enough: pages arrive one at a time and sharp (libuv threads)
 * does the decoding.
 */
import { Worker } from 'node:worker_threads';
import type { AnalyseRequest, AnalyseResult } from './analyse-core.ts';

type Pending = { resolve: (r: AnalyseResult) => void; reject: (e: Error) => void };

export class PageAnalyser {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  analyse(req: AnalyseRequest): Promise<AnalyseResult> {
    const w = this.worker ?? this.spawn();
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
    if (w) await w.terminate();
    this.failAll(new Error('page analyser closed'));
  }

  private spawn(): Worker {
    const url = new URL('./analyse-worker.ts', import.meta.url).href;
    // Workers do not inherit the tsx loader on Node 20: register it in the worker before importing.
    const w = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); })`, { eval: true });
    w.unref();
    w.on('message', (m: { id: number; result?: AnalyseResult; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result!);
    });
    w.on('error', (err) => {
      if (this.worker === w) this.worker = null;
      this.failAll(err);
    });
    w.on('exit', () => {
      if (this.worker === w) this.worker = null;
      this.failAll(new Error('page analyser exited'));
    });
    this.worker = w;
    return w;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
