/** Report arithmetic: nearest-rank p90 and CSV quoting. */
import { describe, expect, it } from 'vitest';
import { percentile, reportCsv } from '../../src/queue/report.ts';
import type { Report, ReportRow } from '../../src/queue/schemas.ts';

const row = (id: string, name: string, extra: Partial<ReportRow> = {}): ReportRow => ({
  id,
  name,
  tickets: 0,
  served: 0,
  noShow: 0,
  waiting: 0,
  avgWaitSec: null,
  p90WaitSec: null,
  avgServiceSec: null,
  p90ServiceSec: null,
  ratings: {},
  ...extra,
});

describe('queue report', () => {
  it('p90 by nearest rank', () => {
    expect(percentile([], 90)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });

  it('CSV quotes names with commas and quotes, empty cells for no data, one column per level', () => {
    const report: Report = {
      date: '2026-11-23',
      timezone: 'Asia/Ho_Chi_Minh',
      services: [row('land', 'Đất đai, nhà ở "A"', { tickets: 2, served: 1, avgWaitSec: 12.5, ratings: { good: 1 } })],
      counters: [],
      total: row('total', 'Tổng cộng', { tickets: 2 }),
    };
    const lines = reportCsv(report, ['good', 'bad']).trim().split('\r\n');
    expect(lines[0].endsWith(',rating:good,rating:bad')).toBe(true);
    expect(lines[1]).toBe('service,land,"Đất đai, nhà ở ""A""",2,1,0,0,12.5,,,,1,0');
    expect(lines[2]).toBe('total,total,Tổng cộng,2,0,0,0,,,,,0,0');
  });
});
