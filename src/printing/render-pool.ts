/**
 * Renders print jobs on a worker thread (src/script-worker.ts). A ticket's raster takes 5–15 ms of
 * canvas work; on the event loop that would hold every other request (a kiosk issuing tickets, a
 * counter calling) for as long. If the worker cannot start, jobs are rendered in-process.
 */
import type { Logger } from 'pino';
import { ScriptWorker } from '../script-worker.ts';
import type { renderJob, RenderedJob } from './render.ts';

type Args = Parameters<typeof renderJob>;

export class RenderPool {
  private readonly worker = new ScriptWorker<Args, RenderedJob>(['src', 'printing', 'render-worker.ts'], 'print renderer');
  private inProcess: typeof renderJob | null = null;

  constructor(private readonly log: Logger) {}

  async render(...args: Args): Promise<RenderedJob> {
    if (this.inProcess) return this.inProcess(...args);
    try {
      await this.worker.start();
    } catch (err) {
      this.log.warn({ err }, 'render worker unavailable; rendering in-process');
      this.inProcess = (await import('./render.ts')).renderJob;
      return this.inProcess(...args);
    }
    const out = await this.worker.call(args);
    // Buffers arrive as plain Uint8Arrays.
    return { ...out, bytes: Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength) };
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
