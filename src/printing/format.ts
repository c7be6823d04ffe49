/** Times are stored UTC and shown in the agent's time zone (Asia/Ho_Chi_Minh by default). */

function parts(iso: string, tz: string): Record<string, string> {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return {};
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
}

/** "14:05 22/11/2026" */
export function shortTime(iso: string, tz: string): string {
  const p = parts(iso, tz);
  return p.year ? `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}` : iso;
}

/** "14 giờ 05 phút, ngày 22 tháng 11 năm 2026" as on the Mẫu 01 form. */
export function longTimeVi(iso: string, tz: string): string {
  const p = parts(iso, tz);
  return p.year ? `${p.hour} giờ ${p.minute} phút, ngày ${p.day} tháng ${p.month} năm ${p.year}` : iso;
}

/** "ngày 22 tháng 11 năm 2026" */
export function dateVi(iso: string, tz: string): string {
  const p = parts(iso, tz);
  return p.year ? `ngày ${p.day} tháng ${p.month} năm ${p.year}` : iso;
}

export function money(vnd: number): string {
  return `${new Intl.NumberFormat('vi-VN').format(vnd)} đồng`;
}
