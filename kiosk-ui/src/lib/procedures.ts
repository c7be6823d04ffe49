/** GET /api/v1/procedures and /procedures/:code: the procedure catalogue (the agent's own types, only the types imported), and how the pages write its figures. */
import type { Procedure } from '../../../src/procedures/schemas.ts';
import type { Lang } from './i18n.ts';
export type { FeeItem, Procedure, ProcedureComponent, ProceduresAnswer } from '../../../src/procedures/schemas.ts';
/** GET /api/v1/calendar/appointment: the appointment after a processing time in working days (or hours). */
export type { Appointment } from '../../../src/calendar/working-days.ts';

/** Thousands with dots, as vi-VN writes them (100.000), without relying on the browser's locale data. */
export function money(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** The processing time as the receipt states it (always Vietnamese: it is printed). */
export function processingTimeVi(p: Pick<Procedure, 'processingDays' | 'processingHours'>): string {
  if (p.processingHours) return `${p.processingHours} giờ làm việc`;
  return p.processingDays === 0 ? 'Trong ngày làm việc' : `${p.processingDays} ngày làm việc`;
}

const WEEKDAYS: Record<Lang, string[]> = {
  vi: ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};

/** The wall clock in Vietnam (UTC+7, no daylight saving) of an instant, read with the getUTC* methods. */
export function vnClock(ms: number): Date {
  return new Date(ms + 7 * 3600_000);
}

/** "Thứ Sáu, 04/12/2026" (Vietnam time), with " 10:00" when `withTime`; '' for a bad time. */
export function weekdayDate(iso: string, lang: Lang, withTime = false): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = vnClock(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${WEEKDAYS[lang][d.getUTCDay()]}, ${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  return withTime ? `${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}` : day;
}
