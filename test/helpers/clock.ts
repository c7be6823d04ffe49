/** A clock whose timers fire only when the test moves time on (implements drivers/support/clock.ts). */
import type { Clock } from '../../drivers/support/clock.ts';

export class FakeClock implements Clock {
  /** Starts at the real time: events are stamped by the real clock, and ages are read against this one. */
  t = Date.now();
  timers: { at: number; fn: () => void; id: number; delay: number }[] = [];
  private next = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id, delay: ms });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Jumps to the earliest timer and fires it; false when none is set. */
  advanceToNext(): boolean {
    if (this.timers.length === 0) return false;
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    const x = this.timers.shift()!;
    this.t = Math.max(this.t, x.at);
    x.fn();
    return true;
  }
  /** Fires the next timer (there must be one) and lets what it started settle: one turn of the event loop. */
  async fireNext(): Promise<void> {
    if (!this.advanceToNext()) throw new Error('no timer is set');
    await new Promise((r) => setImmediate(r));
  }
  /** Moves time on by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      if (!this.timers.length || this.timers[0].at > end) break;
      this.advanceToNext();
    }
    this.t = end;
  }
  /** Delays of the timers now set, soonest first. */
  pending(): number[] {
    return [...this.timers].sort((a, b) => a.at - b.at).map((x) => x.delay);
  }
}
