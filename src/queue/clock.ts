/**
 * Local calendar time for the queue: the day key that numbering resets on and the weekday/minute
 * for opening hours, in the site's time zone (Asia/Ho_Chi_Minh), whatever the machine's zone.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export interface LocalTime {
  /** YYYY-MM-DD in the zone. */
  day: string;
  /** 0 = Sunday. */
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function localTime(at: Date, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(at)) p[part.type] = part.value;
  return { day: `${p.year}-${p.month}-${p.day}`, weekday: WEEKDAYS[p.weekday], minutes: Number(p.hour) * 60 + Number(p.minute) };
}

export function hhmmToMinutes(s: string): number {
  const [h, m] = s.split(':').map(Number);
  return h * 60 + m;
}

/** HH:MM:SS local time, for tickets and the board. */
export function localClock(at: Date, timeZone: string): string {
  return at.toLocaleTimeString('vi-VN', { timeZone, hour12: false });
}

/** Within one of the opening sessions (none configured = always open). */
export function isOpenAt(hours: readonly { days: number[]; from: string; to: string }[], at: Date, timeZone: string): boolean {
  if (hours.length === 0) return true;
  const t = localTime(at, timeZone);
  return hours.some((h) => h.days.includes(t.weekday) && t.minutes >= hhmmToMinutes(h.from) && t.minutes < hhmmToMinutes(h.to));
}
