/**
 * Runs page analysis (analyse-core.ts) on a worker thread so that jsqr and the skew search never
 * hold the event loop. One worker is enough: pages arrive one at a time and sharp (libuv threads)
 * does the decoding.
 */
import { ScriptWorker } from '../script-worker.ts';
import type { AnalyseRequest, AnalyseResult } from './analyse-core.ts';

export class PageAnalyser {
  private readonly worker = new ScriptWorker<AnalyseRequest, AnalyseResult>(['src', 'digitise', 'analyse-worker.ts'], 'page analyser');

  /** Optional warm-up (bundle and start the worker) so the first page does not wait for it. */
  start(): Promise<void> {
    return this.worker.start();
  }

  /** The grey buffer is copied into the message; it is small (≈ 0.5 MB). */
  analyse(req: AnalyseRequest): Promise<AnalyseResult> {
    return this.worker.call(req);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
