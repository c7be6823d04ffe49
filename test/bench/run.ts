/**
 * `npm run bench`: runs every test/bench/*.bench.ts and prints one table. Each row stands next
 * to its reference measured in the same run, so the ratio holds on a noisy machine.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export interface Row {
  /** Issue / area, e.g. "foundation". */
  area: string;
  name: string;
  value: number;
  unit: string;
  /** The reference measured in the same run, e.g. bare Fastify. */
  reference?: { name: string; value: number };
  /** Target as text, e.g. "< 1500 ms" or ">= 0.5x". */
  target?: string;
  pass?: boolean;
}

export type Bench = () => Promise<Row[]>;

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only))).sort();

const rows: Row[] = [];
for (const f of files) {
  const mod = (await import(join(dir, f))) as { default: Bench };
  process.stderr.write(`bench ${f}…\n`);
  try {
    rows.push(...(await mod.default()));
  } catch (err) {
    rows.push({ area: f.replace('.bench.ts', ''), name: `FAILED: ${(err as Error).message}`, value: NaN, unit: '', pass: false });
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2)) : '—');
const table = rows.map((r) => ({
  area: r.area,
  measure: r.name,
  value: `${fmt(r.value)} ${r.unit}`,
  reference: r.reference ? `${r.reference.name}: ${fmt(r.reference.value)} ${r.unit}` : '',
  ratio: r.reference && r.reference.value ? `${(r.value / r.reference.value).toFixed(2)}x` : '',
  target: r.target ?? '',
  ok: r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
}));
const cols = Object.keys(table[0] ?? { area: '' }) as (keyof (typeof table)[number])[];
const width = (c: (typeof cols)[number]) => Math.max(c.length, ...table.map((t) => String(t[c]).length));
const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(width(cols[i]))).join(' | ')} |`;
console.log(line(cols as string[]));
console.log(`|${cols.map((c) => '-'.repeat(width(c) + 2)).join('|')}|`);
for (const t of table) console.log(line(cols.map((c) => String(t[c]))));
process.exit(0);
