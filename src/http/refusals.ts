/**
 * Refused requests (an unknown token, a page of another site without one) counted per caller key
 * in fixed windows. Over the limit the key gets 429 before its token is even looked at, so a
 * token cannot be guessed at request speed. The ordinary rate limiter cannot do this: it runs
 * after authentication, so a refused request never reaches it.
 */
import { HttpError } from './errors.ts';

/** Enough distinct keys for a busy LAN; past it the oldest window is forgotten. */
const MAX_KEYS = 10_000;

export class RefusalLimiter {
  private readonly windows = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws 429 (with Retry-After) while `key` is over the limit. */
  gate(key: string): void {
    const w = this.windows.get(key);
    if (!w) return;
    const left = w.until - this.now();
    if (left <= 0) this.windows.delete(key);
    else if (w.count >= this.max) throw tooMany(Math.ceil(left / 1000));
  }

  /** Counts one refusal of `key`; returns the 429 to answer instead once the limit is passed. */
  refused(key: string, err: HttpError): HttpError {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || w.until <= now) {
      this.windows.delete(key);
      if (this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value!);
      this.windows.set(key, (w = { count: 0, until: now + this.windowMs }));
    }
    w.count++;
    return w.count > this.max ? tooMany(Math.ceil((w.until - now) / 1000)) : err;
  }
}

function tooMany(seconds: number): HttpError {
  return new HttpError(429, 'rate-limited', `Too many refused requests from this address; retry in ${seconds} s`, `Quá nhiều yêu cầu bị từ chối từ địa chỉ này; thử lại sau ${seconds} giây`, { 'retry-after': String(seconds) });
}
