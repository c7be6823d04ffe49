/** Plain calendar days as 'YYYY-MM-DD' strings: arithmetic on UTC midnights, so no time zone leaks in. */
import { invalid } from '../errors.ts';

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a real calendar day (2026-02-30 is refused, Date.parse would roll it over into March). */
export function parseDay(day: string): number {
  const m = ISO_DAY.exec(day);
  if (m) {
    const [y, mo, d] = m.slice(1).map(Number);
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return ms;
  }
  throw invalid('invalid-date', `Not a calendar date (YYYY-MM-DD): ${day}`, `Ngày không hợp lệ (YYYY-MM-DD): ${day}`);
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function ymd(year: number, month: number, day: number): string {
  return formatDay(Date.UTC(year, month - 1, day));
}

export function addDays(day: string, n: number): string {
  return formatDay(parseDay(day) + n * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: string): number {
  return new Date(parseDay(day)).getUTCDay();
}

/** Whole days from a to b (b later = positive). */
export function daysBetween(a: string, b: string): number {
  return Math.round((parseDay(b) - parseDay(a)) / DAY_MS);
}
