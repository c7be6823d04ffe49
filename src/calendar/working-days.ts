/**
 * The centre's working calendar: which days count, and the appointment printed on a dossier receipt
 * = receipt + the procedure's processing time in working days (or working hours).
 *
 * Rules and their sources:
 * - The receipt day itself is not counted; day 1 is the next working day (Bộ luật Dân sự 2015,
 *   Điều 147 khoản 1: a period in days starts on the day after the event).
 * - Weekly rest days (default Saturday and Sunday: the 40-hour week of public servants, Quyết định
 *   188/1999/QĐ-TTg), public
 *   holidays and their compensation days (holidays.ts) and announced days off do not count;
 *   announced working days (a swapped Saturday) do.
 * - Afternoon cut-off: several provinces' one-stop rules count a dossier received late in the
 *   afternoon (often after 15:00) from the next working day. We could not confirm a national rule
 *   in Nghị định 61/2018/NĐ-CP, 107/2021/NĐ-CP or Thông tư 01/2018/TT-VPCP, so the cut-off is
 *   config (`cutoff`); by default it is the end of the day's last session.
 * - A dossier received on a day that does not count, or at/after the cut-off, is taken as received
 *   at the start of the next working day.
 * - appointmentAt is the deadline: the receipt's clock time on the last counted day, moved forward
 *   into that day's sessions (before opening or at lunch → the next session's start; after the
 *   last session → its end). Processing time in hours counts only minutes inside sessions.
 * - A weekly rest day with sessions (Saturday-morning reception) receives dossiers; it counts as one
 *   whole working day only with `countRestDaySessions`.
 */
import { invalid } from '../errors.ts';
import { hhmmToMinutes, localTime } from '../queue/clock.ts';
import type { CalendarConfig } from './config.ts';
import { addDays, daysBetween, parseDay, weekday } from './days.ts';
import { checkRules, holidaysOf, type Holiday, type HolidayRules } from './holidays.ts';

export interface SkippedDay {
  date: string;
  reason: string;
  reasonVi: string;
}

export interface Appointment {
  /** ISO 8601 UTC. */
  appointmentAt: string;
  /** Days passed over while counting (not working days, or the receipt day after the cut-off). */
  skipped: SkippedDay[];
}

type Span = readonly [from: number, to: number];

export const MAX_WORKING_DAYS = 365;
export const MAX_WORKING_HOURS = 365 * 8;
/** No working day in this many calendar days means the config has none at all. */
const SEARCH_LIMIT = 400;

const REST = { reason: 'Weekly rest day', reasonVi: 'Ngày nghỉ hằng tuần' };
const NO_HOURS = { reason: 'No working sessions on this weekday', reasonVi: 'Không có giờ làm việc vào thứ này' };
const NOT_COUNTED = { reason: 'Weekly rest day (reception only, not counted)', reasonVi: 'Ngày nghỉ hằng tuần (chỉ tiếp nhận, không tính)' };

export class WorkingCalendar {
  private readonly rules: HolidayRules;
  private readonly byYear = new Map<number, Map<string, Holiday>>();
  private readonly weekSessions: Span[][];
  private readonly workDays: Map<string, { reason: string; reasonVi: string; sessionsOf: number }>;
  private readonly cutoff: number | null;

  constructor(
    private readonly cfg: CalendarConfig,
    private readonly timeZone = 'Asia/Ho_Chi_Minh',
  ) {
    this.rules = {
      weeklyRest: cfg.weeklyRest,
      tetDaysBefore: cfg.tetDaysBefore,
      tetAnnounced: cfg.tet,
      nationalDayExtra: cfg.nationalDayExtra,
      nationalDayExtraByYear: cfg.nationalDayExtraByYear,
      daysOff: cfg.daysOff,
    };
    checkRules(this.rules);
    for (const w of cfg.workDays) parseDay(w.date);
    this.weekSessions = [0, 1, 2, 3, 4, 5, 6].map((wd) =>
      cfg.sessions
        .filter((s) => s.days.includes(wd))
        .map((s): Span => [hhmmToMinutes(s.from), hhmmToMinutes(s.to)])
        .filter(([a, b]) => b > a)
        .sort((a, b) => a[0] - b[0]),
    );
    this.workDays = new Map(cfg.workDays.map((w) => [w.date, w]));
    this.cutoff = cfg.cutoff ? hhmmToMinutes(cfg.cutoff) : null;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone }); // an unknown zone fails here, not at the counter
    } catch {
      throw invalid('invalid-time-zone', `Unknown IANA time zone: ${timeZone}`, `Múi giờ IANA không hợp lệ: ${timeZone}`);
    }
  }

  /** Days off of a solar year, sorted, with reasons. */
  holidays(year: number): Holiday[] {
    return [...this.holidayMap(year).values()];
  }

  /** Whether `date` (YYYY-MM-DD) counts as a working day of the centre. */
  isWorkingDay(date: string): boolean {
    parseDay(date);
    return this.whyNot(date) === null;
  }

  /** N working days after the receipt at `fromMs` (epoch ms). */
  appointment(fromMs: number, workingDays: number): Appointment {
    if (!Number.isInteger(workingDays) || workingDays < 0 || workingDays > MAX_WORKING_DAYS) {
      throw invalid('invalid-working-days', `Processing time must be a whole number of working days from 0 to ${MAX_WORKING_DAYS}`, `Thời hạn giải quyết phải là số nguyên ngày làm việc từ 0 đến ${MAX_WORKING_DAYS}`);
    }
    const skipped: SkippedDay[] = [];
    const start = this.receipt(fromMs, skipped);
    let day = start.day;
    for (let i = 0; i < workingDays; i++) day = this.nextWorkingDay(day, skipped);
    return { appointmentAt: this.at(day, this.clamp(day, start.minutes)), skipped };
  }

  /** `hours` working hours after the receipt, counting only minutes inside sessions of working days. */
  appointmentHours(fromMs: number, hours: number): Appointment {
    if (!Number.isFinite(hours) || hours < 0 || hours > MAX_WORKING_HOURS) {
      throw invalid('invalid-working-hours', `Processing time must be from 0 to ${MAX_WORKING_HOURS} working hours`, `Thời hạn giải quyết phải từ 0 đến ${MAX_WORKING_HOURS} giờ làm việc`);
    }
    const skipped: SkippedDay[] = [];
    const start = this.receipt(fromMs, skipped);
    let day = start.day;
    let minute = this.clamp(day, start.minutes);
    let left = Math.round(hours * 60);
    for (;;) {
      for (const [from, to] of this.sessionsOn(day)) {
        if (to <= minute) continue;
        const begin = Math.max(from, minute);
        if (begin + left <= to) return { appointmentAt: this.at(day, begin + left), skipped };
        left -= to - begin;
      }
      day = this.nextWorkingDay(day, skipped);
      minute = 0;
    }
  }

  /** The effective receipt: the local day and clock, moved to the next working day's opening when needed. */
  private receipt(fromMs: number, skipped: SkippedDay[]): { day: string; minutes: number } {
    if (!Number.isFinite(fromMs)) throw invalid('invalid-time', 'The receipt time is not a valid time', 'Thời điểm tiếp nhận không hợp lệ');
    const t = localTime(new Date(fromMs), this.timeZone);
    const why = this.whyNot(t.day);
    if (why === null) {
      const sessions = this.sessionsOn(t.day);
      const close = sessions[sessions.length - 1][1];
      const cut = this.cutoff === null ? close : Math.min(this.cutoff, close);
      if (t.minutes < cut) return { day: t.day, minutes: t.minutes };
      const hhmm = `${String(Math.floor(cut / 60)).padStart(2, '0')}:${String(cut % 60).padStart(2, '0')}`;
      skipped.push({ date: t.day, reason: `Received at or after ${hhmm}: counted from the next working day`, reasonVi: `Tiếp nhận từ ${hhmm}: tính từ ngày làm việc tiếp theo` });
    } else {
      skipped.push({ date: t.day, ...why });
    }
    const day = this.nextWorkingDay(t.day, skipped);
    return { day, minutes: this.sessionsOn(day)[0][0] };
  }

  /** The first working day after `day`; the days passed over go to `skipped`. */
  private nextWorkingDay(day: string, skipped: SkippedDay[]): string {
    for (let i = 1; i <= SEARCH_LIMIT; i++) {
      const d = addDays(day, i);
      const why = this.whyNot(d);
      if (why === null) return d;
      skipped.push({ date: d, ...why });
    }
    throw invalid('calendar-no-working-day', `No working day within ${SEARCH_LIMIT} days after ${day}: check calendar.sessions`, `Không có ngày làm việc trong ${SEARCH_LIMIT} ngày sau ${day}: kiểm tra calendar.sessions`);
  }

  /** Null for a working day, else the reason it is not one. */
  private whyNot(date: string): { reason: string; reasonVi: string } | null {
    const h = this.holidayMap(Number(date.slice(0, 4))).get(date);
    if (h) return { reason: h.reason, reasonVi: h.reasonVi };
    if (this.sessionsOn(date).length > 0) return null;
    const wd = weekday(date);
    if (!this.cfg.weeklyRest.includes(wd)) return NO_HOURS;
    return this.weekSessions[wd].length > 0 ? NOT_COUNTED : REST;
  }

  /** Sessions of a day that counts (ignoring holidays); none for a day that does not count. */
  private sessionsOn(date: string): Span[] {
    const swap = this.workDays.get(date);
    if (swap) return this.weekSessions[swap.sessionsOf];
    const wd = weekday(date);
    if (this.cfg.weeklyRest.includes(wd) && !this.cfg.countRestDaySessions) return [];
    return this.weekSessions[wd];
  }

  private holidayMap(year: number): Map<string, Holiday> {
    let m = this.byYear.get(year);
    if (!m) {
      m = new Map(holidaysOf(year, this.rules).map((h) => [h.date, h]));
      this.byYear.set(year, m);
    }
    return m;
  }

  /** A clock minute moved forward into the day's sessions, or the end of its last session. */
  private clamp(day: string, minutes: number): number {
    const sessions = this.sessionsOn(day);
    for (const [from, to] of sessions) if (minutes < to) return Math.max(from, minutes);
    return sessions[sessions.length - 1][1];
  }

  /** The UTC instant of a local day and minute in the calendar's zone. */
  private at(day: string, minutes: number): string {
    let ms = parseDay(day) + minutes * 60_000;
    // Two corrections reach the zone's offset (even across a DST change, which Vietnam does not have).
    for (let i = 0; i < 2; i++) {
      const t = localTime(new Date(ms), this.timeZone);
      ms -= (daysBetween(day, t.day) * 1440 + t.minutes - minutes) * 60_000;
    }
    return new Date(ms).toISOString();
  }
}
