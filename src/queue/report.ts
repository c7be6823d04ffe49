/**
 * KPIs of one day per service and per counter: tickets, served, no-show, waiting time
 * (first call − issue) and service time (completion − call), average and p90, ratings.
 */
import type { Db } from '../store/db.ts';
import type { QueueConfig } from './config.ts';
import type { Report, ReportRow } from './schemas.ts';

interface Row {
  service_id: string;
  counter_id: string | null;
  state: string;
  issued_at: number;
  first_called_at: number | null;
  called_at: number | null;
  completed_at: number | null;
  level: string | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

function figures(id: string, name: string, rows: Row[]): ReportRow {
  const waits = rows.filter((r) => r.first_called_at !== null).map((r) => (r.first_called_at! - r.issued_at) / 1000).sort((a, b) => a - b);
  const services = rows
    .filter((r) => r.state === 'completed' && r.called_at !== null && r.completed_at !== null)
    .map((r) => (r.completed_at! - r.called_at!) / 1000)
    .sort((a, b) => a - b);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const ratings: Record<string, number> = {};
  for (const r of rows) if (r.level) ratings[r.level] = (ratings[r.level] ?? 0) + 1;
  return {
    id,
    name,
    tickets: rows.length,
    served: rows.filter((r) => r.state === 'completed').length,
    noShow: rows.filter((r) => r.state === 'no-show').length,
    waiting: rows.filter((r) => r.state === 'waiting' || r.state === 'called').length,
    avgWaitSec: round(avg(waits)),
    p90WaitSec: round(percentile(waits, 90)),
    avgServiceSec: round(avg(services)),
    p90ServiceSec: round(percentile(services, 90)),
    ratings,
  };
}

export function buildReport(db: Db, cfg: QueueConfig, day: string, timezone: string): Report {
  const rows = db
    .prepare(
      `SELECT t.service_id, t.counter_id, t.state, t.issued_at, t.first_called_at, t.called_at, t.completed_at, r.level
       FROM queue_tickets t LEFT JOIN queue_ratings r ON r.ticket_id = t.id WHERE t.day = ?`,
    )
    .all(day) as Row[];
  const by = (key: (r: Row) => string | null) => {
    const m = new Map<string, Row[]>();
    for (const r of rows) {
      const k = key(r);
      if (k === null) continue;
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    return m;
  };
  const perService = by((r) => r.service_id);
  const perCounter = by((r) => r.counter_id);
  const serviceIds = [...new Set([...cfg.services.map((s) => s.id), ...perService.keys()])];
  const counterIds = [...new Set([...cfg.counters.map((c) => c.id), ...perCounter.keys()])];
  return {
    date: day,
    timezone,
    services: serviceIds.map((id) => figures(id, cfg.services.find((s) => s.id === id)?.name ?? id, perService.get(id) ?? [])),
    counters: counterIds.map((id) => figures(id, cfg.counters.find((c) => c.id === id)?.name ?? id, perCounter.get(id) ?? [])),
    total: figures('total', 'Tổng cộng', rows),
  };
}

const CSV_COLUMNS = ['kind', 'id', 'name', 'tickets', 'served', 'noShow', 'waiting', 'avgWaitSec', 'p90WaitSec', 'avgServiceSec', 'p90ServiceSec'] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header row; one column per rating level. */
export function reportCsv(report: Report, levels: string[]): string {
  const header = [...CSV_COLUMNS, ...levels.map((l) => `rating:${l}`)];
  const lines = [header.join(',')];
  const add = (kind: string, r: ReportRow) => {
    const rec = { kind, ...r } as Record<string, unknown>;
    lines.push([...CSV_COLUMNS.map((c) => csvCell(rec[c])), ...levels.map((l) => String(r.ratings[l] ?? 0))].join(','));
  };
  for (const r of report.services) add('service', r);
  for (const r of report.counters) add('counter', r);
  add('total', report.total);
  return `${lines.join('\r\n')}\r\n`;
}
