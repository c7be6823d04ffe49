/** Shared by the digitising tests: PDF checks with qpdf, waiting for a session, reading the outbox. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Agent } from '../../src/app.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);

/** `qpdf --check` must pass; returns the page count. */
export async function qpdfPages(path: string): Promise<number> {
  const check = await run('qpdf', ['--check', path]);
  if (!/No syntax or stream encoding errors found/.test(check.stdout)) throw new Error(`qpdf --check: ${check.stdout}`);
  const n = await run('qpdf', ['--show-npages', path]);
  return Number(n.stdout.trim());
}

/** The document information dictionary, strings decoded (qpdf JSON v2). */
export async function pdfInfo(path: string): Promise<Record<string, string>> {
  const r = await run('qpdf', ['--json=2', '--json-key=qpdf', path], { maxBuffer: 256 << 20 });
  const objs = (JSON.parse(r.stdout) as { qpdf: [unknown, Record<string, { value: any }>] }).qpdf[1];
  const val = (v: any): any => (typeof v === 'string' && / 0 R$/.test(v) ? val(objs[`obj:${v}`].value) : v);
  const info = val(objs.trailer.value['/Info']) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(info).map(([k, v]) => [k.slice(1), String(val(v)).replace(/^[ub]:/, '')]));
}

/** Text of a PDF through Ghostscript's txtwrite device (what a search would find). */
export async function pdfText(path: string): Promise<string> {
  const r = await run('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-sDEVICE=txtwrite', '-sOutputFile=-', path], { maxBuffer: 16 << 20 });
  return r.stdout;
}

export function outboxEvents(agent: Agent, type: string): CloudEvent<any>[] {
  return (agent.ctx.db.prepare('SELECT envelope FROM outbox WHERE type = ? ORDER BY seq').all(type) as { envelope: string }[]).map((r) => JSON.parse(r.envelope));
}

export function until<T>(fn: () => T | undefined | null | false, timeoutMs = 60_000, stepMs = 50): Promise<T> {
  return waitFor(fn, { timeoutMs, stepMs }) as Promise<T>;
}
