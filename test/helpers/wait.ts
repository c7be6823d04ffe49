/**
 * Waiting on a condition or an event instead of sleeping a fixed time: a test goes on as soon as
 * what it waits for has happened, and says what it waited for when it never does. The timeout is
 * only a bound for a broken run, never a measure.
 */
import { once } from 'node:events';

export { once };

/**
 * Resolves with the first truthy value of `cond` (checked now, then every `stepMs`); rejects
 * naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(cond: () => T | Promise<T>, { timeoutMs = 10_000, stepMs = 10, what = String(cond) }: { timeoutMs?: number; stepMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
