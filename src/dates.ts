/**
 * Whether an ISO 8601 date-time names a real calendar time. Date.parse rolls impossible dates over
 * (2026-02-31 becomes 3 March), which would print a wrong appointment on a citizen's receipt.
 */
export function isRealDateTime(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!m || Number.isNaN(Date.parse(text))) return false;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h <= 23 && mi <= 59 && s <= 59;
}
