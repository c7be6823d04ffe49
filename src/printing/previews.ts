/**
 * Preview PNGs, made once per job and kept: a bounded cache (by bytes) of finished PNGs, one shared
 * render for concurrent asks about the same job, and a bound on how many previews render at once,
 * so a burst of preview requests costs one render per job and a little memory, not one each.
 */

/** A long two-copy receipt is ~100 kB as a 1-bit PNG: this keeps the last few dozen. */
const MAX_BYTES = 8 * 1024 * 1024;
/** Renders run one at a time on the render worker anyway; more waiting in line only holds memory. */
const MAX_RENDERS = 2;

export class PreviewCache {
  private readonly done = new Map<string, Buffer>();
  private bytes = 0;
  private readonly pending = new Map<string, Promise<Buffer>>();
  private rendering = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly maxBytes = MAX_BYTES,
    private readonly maxRenders = MAX_RENDERS,
  ) {}

  /** The job's PNG: kept, being made, or made now by `make` (a failure is not kept). */
  get(id: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.done.get(id);
    if (hit) {
      // Most recently used last: eviction takes the oldest first.
      this.done.delete(id);
      this.done.set(id, hit);
      return Promise.resolve(hit);
    }
    let p = this.pending.get(id);
    if (!p) {
      p = this.limited(make).then((png) => {
        this.keep(id, png);
        return png;
      });
      const settled = () => this.pending.delete(id);
      p.then(settled, settled);
      this.pending.set(id, p);
    }
    return p;
  }

  /** Forgets every PNG (a purge erased job data: their images go too). */
  clear(): void {
    this.done.clear();
    this.bytes = 0;
  }

  private keep(id: string, png: Buffer): void {
    if (png.length > this.maxBytes) return;
    this.done.set(id, png);
    this.bytes += png.length;
    for (const [old, b] of this.done) {
      if (this.bytes <= this.maxBytes) break;
      this.done.delete(old);
      this.bytes -= b.length;
    }
  }

  private async limited<T>(make: () => Promise<T>): Promise<T> {
    if (this.rendering >= this.maxRenders) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.rendering++;
    try {
      return await make();
    } finally {
      this.rendering--;
      this.queue.shift()?.();
    }
  }
}
