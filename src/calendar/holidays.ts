/**
 * Vietnamese public holidays of one solar year, pure: the statutory days, their compensation days
 * and the changes the government announces each year (given by config, never guessed here).
 *
 * Sources:
 * - Bộ luật Lao động 2019 (45/2019/QH14), Điều 112 khoản 1: 1/1; Tết Âm lịch 5 days; 10/3 lunar;
 *   30/4; 1/5; 2/9 plus one day before or after. Khoản 3: the Prime Minister sets the Tết days and
 *   the 2/9 extra day each year.
 * - Same code, Điều 111 khoản 3: a holiday of Điều 112 khoản 1 falling on the weekly rest day is
 *   compensated on the next working day (nghỉ bù).
 * - Lunar dates: Ho Ngoc Duc's algorithm at UTC+7 (package @nghiavuive/lunar_date_vi). The Chinese
 *   calendar (UTC+8) differs in some years (Tết 2007: 17/2 here, 18/2 in China; 2030: 2/2 vs 3/2).
 */
import lunar from '@nghiavuive/lunar_date_vi';
import { invalid } from '../errors.ts';
import { addDays, parseDay, weekday, ymd } from './days.ts';

// The package is CommonJS (a UMD bundle, no exports map): under NodeNext + esModuleInterop its
// module.exports is the default import, which tsc, tsx, vitest and plain Node all accept.
const { LunarDate } = lunar;

export type HolidayKind = 'statutory' | 'compensation' | 'announced';

export interface Holiday {
  date: string;
  reason: string;
  reasonVi: string;
  kind: HolidayKind;
}

export interface AnnouncedDay {
  date: string;
  reason: string;
  reasonVi: string;
}

export interface HolidayRules {
  /** Weekly rest days (0 = Sunday): a holiday on one of them is compensated. */
  weeklyRest: readonly number[];
  /** Default Tết placement: how many of the 5 days come before mùng 1 (1 = the last day of the year). */
  tetDaysBefore: number;
  /** Announced Tết breaks (inclusive, weekends inside them included): replace the default placement. */
  tetAnnounced: readonly { year: number; from: string; to: string }[];
  /** Default 2/9 extra day: 'before' = 1/9, 'after' = 3/9. */
  nationalDayExtra: 'before' | 'after';
  /** Announced 2/9 extra day per year. */
  nationalDayExtraByYear: readonly { year: number; date: string }[];
  /** Announced extra days off (moved Tết day, swapped day off, a local event…). */
  daysOff: readonly AnnouncedDay[];
}

export const MIN_YEAR = 1901;
export const MAX_YEAR = 2198;

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw invalid('invalid-year', `Year out of range ${MIN_YEAR}–${MAX_YEAR}: ${year}`, `Năm ngoài phạm vi ${MIN_YEAR}–${MAX_YEAR}: ${year}`);
  }
}

/** The solar day of a lunar date (regular month, not a leap month) of lunar year `year`. */
export function lunarToSolar(day: number, month: number, year: number): string {
  checkYear(year);
  const l = new LunarDate({ day, month, year, leap_month: false });
  l.init();
  const s = l.toSolarDate().get();
  return ymd(s.year, s.month, s.day);
}

/** Mùng 1 Tết of the lunar year starting in solar year `year`. */
export function tetDay(year: number): string {
  return lunarToSolar(1, 1, year);
}

/**
 * The last day of the lunar year ending just before Tết of `year` (29 or 30 tháng Chạp): the day
 * before mùng 1, which holds whatever the length of month 12 and even after a leap month 12.
 */
export function lunarNewYearsEve(year: number): string {
  return addDays(tetDay(year), -1);
}

/** Giỗ Tổ Hùng Vương, 10/3 lunar (the regular 3rd month when the year has a leap 3rd month). */
export function hungKingsDay(year: number): string {
  return lunarToSolar(10, 3, year);
}

const TET = { reason: 'Lunar New Year (Tết Nguyên đán)', reasonVi: 'Tết Nguyên đán' };

function tetDays(year: number, rules: HolidayRules): { days: string[]; announced: boolean } {
  const a = rules.tetAnnounced.find((t) => t.year === year);
  if (a) {
    const days: string[] = [];
    for (let d = a.from; d <= a.to && days.length < 31; d = addDays(d, 1)) days.push(d);
    return { days, announced: true };
  }
  const first = addDays(tetDay(year), -rules.tetDaysBefore);
  return { days: [0, 1, 2, 3, 4].map((i) => addDays(first, i)), announced: false };
}

/** Statutory days of Điều 112 khoản 1 for `year` (Tết by default placement unless announced). */
function statutory(year: number, rules: HolidayRules): { holidays: Holiday[]; compensable: Set<string> } {
  const holidays: Holiday[] = [];
  const compensable = new Set<string>();
  const add = (date: string, reason: string, reasonVi: string, kind: HolidayKind = 'statutory', compensate = true): void => {
    holidays.push({ date, reason, reasonVi, kind });
    if (compensate) compensable.add(date);
  };
  add(ymd(year, 1, 1), "New Year's Day", 'Tết Dương lịch');
  // An announced Tết break already places the 5 days on working days; its weekends get no nghỉ bù.
  const tet = tetDays(year, rules);
  for (const d of tet.days) add(d, TET.reason, TET.reasonVi, tet.announced ? 'announced' : 'statutory', !tet.announced);
  add(hungKingsDay(year), "Hung Kings' Commemoration Day", 'Giỗ Tổ Hùng Vương');
  add(ymd(year, 4, 30), 'Reunification Day', 'Ngày Chiến thắng (30/4)');
  add(ymd(year, 5, 1), 'International Labour Day', 'Ngày Quốc tế lao động (1/5)');
  add(ymd(year, 9, 2), 'National Day', 'Quốc khánh (2/9)');
  const extra = rules.nationalDayExtraByYear.find((n) => n.year === year);
  if (extra) add(extra.date, 'National Day (extra day)', 'Quốc khánh (ngày nghỉ liền kề)', 'announced');
  else add(ymd(year, 9, rules.nationalDayExtra === 'before' ? 1 : 3), 'National Day (extra day)', 'Quốc khánh (ngày nghỉ liền kề)');
  return { holidays, compensable };
}

/**
 * Every day off of solar year `year`, sorted: statutory days, compensation days for those on a weekly
 * rest day (Điều 111 khoản 3, each on the next day that is neither a rest day nor a day off), and
 * the announced extra days off. A date listed twice keeps its first reason.
 */
export function holidaysOf(year: number, rules: HolidayRules): Holiday[] {
  checkYear(year);
  const { holidays, compensable } = statutory(year, rules);
  for (const d of rules.daysOff) if (d.date.startsWith(`${year}-`)) holidays.push({ ...d, kind: 'announced' });
  const off = new Set(holidays.map((h) => h.date));
  const rest = (d: string): boolean => rules.weeklyRest.includes(weekday(d));
  for (const h of [...holidays].sort((a, b) => a.date.localeCompare(b.date))) {
    if (!compensable.has(h.date) || !rest(h.date)) continue;
    compensable.delete(h.date); // a date that is two holidays at once (rare) is compensated once
    let d = addDays(h.date, 1);
    while (rest(d) || off.has(d)) d = addDays(d, 1);
    off.add(d);
    holidays.push({ date: d, reason: `Compensation day for ${h.reason} (${h.date})`, reasonVi: `Nghỉ bù ${h.reasonVi} (${h.date})`, kind: 'compensation' });
  }
  const seen = new Set<string>();
  return holidays
    .filter((h) => (seen.has(h.date) ? false : (seen.add(h.date), true)))
    .sort((a, b) => a.date.localeCompare(b.date));
}

/** Checks announced dates are real days (the schema checks only their shape). */
export function checkRules(rules: HolidayRules): void {
  for (const d of rules.daysOff) parseDay(d.date);
  for (const n of rules.nationalDayExtraByYear) parseDay(n.date);
  for (const t of rules.tetAnnounced) {
    if (parseDay(t.to) < parseDay(t.from) || parseDay(t.to) - parseDay(t.from) > 30 * 86_400_000) {
      throw invalid('invalid-tet-range', `Tết ${t.year}: ${t.from}…${t.to} is not a range of at most 31 days`, `Tết ${t.year}: ${t.from}…${t.to} không phải khoảng tối đa 31 ngày`);
    }
  }
}
