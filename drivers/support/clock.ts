/**
 * Time for code that waits: the current time and one-shot timers. Injected wherever a timer
 * decides behaviour (the outbox relay's backoff, a device's reconnect backoff, a barcode framer's
 * silence), so a test drives it with a fake clock (test/helpers/clock.ts) instead of sleeping.
 * Below the drivers so that drivers/ and src/ share the one type.
 */
export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  /** `unref`: the timer alone does not keep the process alive (a device's reconnect). */
  setTimeout(fn: () => void, ms: number, opts?: { unref?: boolean }): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms, opts) => {
    const t = setTimeout(fn, ms);
    if (opts?.unref) t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
