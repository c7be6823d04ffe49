/**
 * Printing: render + encode time of a queue ticket and a one-copy dossier receipt (layout → 1-bit
 * raster → GS v 0 bands with blank rows as feed), each beside node-thermal-printer building the
 * same bitmap through its image path (the same layout drawn on canvas, PNG-encoded, then
 * `printImageBuffer`), measured in the same run with the same varying data. Then bytes per job
 * and the line time they imply at 9600 and 115200 baud (8N1), beside node-thermal-printer's bytes;
 * and the text-mode bytes of the same layout beside the raster bytes.
 */
import { performance } from 'node:perf_hooks';
import { createCanvas } from '@napi-rs/canvas';
import { ThermalPrinter, PrinterTypes } from 'node-thermal-printer';
import type { Row } from './run.ts';
import { TEMPLATE_DEFS, type Branding } from '../../src/printing/templates.ts';
import { renderDoc } from '../../src/printing/layout.ts';
import { encodeRasterJob } from '../../drivers/protocols/escpos/encode.ts';
import { encodeTextJob } from '../../src/printing/escpos-text.ts';
import { getDot, type Raster } from '../../drivers/protocols/escpos/raster.ts';
import { ticketData, receiptData } from '../unit/printing-fixtures.ts';

const branding: Branding = { agencyName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH HẢI DƯƠNG', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn quý khách!', timezone: 'Asia/Ho_Chi_Minh' };
const ctx = { branding, width: 576, printerId: 'bench', createdAt: '2026-11-22T07:05:00Z' };
const N = 80;
const WARMUP = 25;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Ours: data → layout → raster → ESC/POS bytes. */
function ours(template: 'queue-ticket' | 'dossier-receipt', data: unknown): Buffer {
  const pages = TEMPLATE_DEFS[template].build(data, ctx).map((d) => renderDoc(d).raster);
  return encodeRasterJob(pages);
}

/** The same raster as a PNG, the form node-thermal-printer's image path takes. */
function png(r: Raster): Buffer {
  const c = createCanvas(r.width, r.height);
  const g = c.getContext('2d');
  const img = g.createImageData(r.width, r.height);
  img.data.fill(255);
  for (let y = 0; y < r.height; y++) for (let x = 0; x < r.width; x++) if (getDot(r, x, y)) img.data.fill(0, (y * r.width + x) * 4, (y * r.width + x) * 4 + 3);
  g.putImageData(img, 0, 0);
  return c.toBuffer('image/png');
}

/** Reference: the same layout drawn, PNG-encoded, then node-thermal-printer's printImageBuffer + cut. */
async function reference(template: 'queue-ticket' | 'dossier-receipt', data: unknown): Promise<Buffer> {
  const pages = TEMPLATE_DEFS[template].build(data, ctx).map((d) => renderDoc(d).raster);
  const p = new ThermalPrinter({ type: PrinterTypes.EPSON, interface: 'tcp://127.0.0.1:9' });
  for (const page of pages) {
    await p.printImageBuffer(png(page));
    p.cut();
  }
  return p.getBuffer();
}

async function timeIt(fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const t0 = performance.now();
    await fn(i);
    if (i >= WARMUP) out.push(performance.now() - t0);
  }
  return out;
}

const lineMs = (bytes: number, baud: number) => ((bytes * 10) / baud) * 1000;

export default async function bench(): Promise<Row[]> {
  const ticket = (i: number) => ticketData({ number: `A${String(i % 1000).padStart(3, '0')}`, waitingAhead: i % 40, qr: `https://hcc.example/q/A${i}` });
  const receipt = (i: number) => receiptData({ dossierCode: `000.00.21.H30-261122-${String(i).padStart(4, '0')}` });
  const rows: Row[] = [];
  for (const [template, data, target] of [
    ['queue-ticket', ticket, 15],
    ['dossier-receipt', receipt, 40],
  ] as const) {
    const mine = p50(await timeIt((i) => ours(template, data(i))));
    const ref = p50(await timeIt((i) => reference(template, data(i))));
    rows.push({ area: 'printing', name: `${template} render+encode p50`, value: mine, unit: 'ms', reference: { name: 'canvas PNG + node-thermal-printer printImageBuffer', value: ref }, target: `< ${target} ms`, pass: mine < target });
  }
  for (const [template, data] of [
    ['queue-ticket', ticket(1)],
    ['dossier-receipt', receipt(1)],
  ] as const) {
    const mine = ours(template, data).length;
    const ref = (await reference(template, data)).length;
    rows.push({ area: 'printing', name: `${template} bytes (raster)`, value: mine, unit: 'B', reference: { name: 'node-thermal-printer image bytes', value: ref } });
    for (const baud of [9600, 115200]) {
      rows.push({ area: 'printing', name: `${template} line time @${baud}`, value: lineMs(mine, baud), unit: 'ms', reference: { name: 'node-thermal-printer bytes', value: lineMs(ref, baud) } });
    }
    // Text mode (printer font, TCVN-3 tables) for slow serial printers: same layout, far fewer bytes.
    const text = encodeTextJob(TEMPLATE_DEFS[template].build(data, ctx), { codec: 'tcvn3', codePages: [30, 31] }).length;
    rows.push({ area: 'printing', name: `${template} bytes (text mode, tcvn3)`, value: text, unit: 'B', reference: { name: 'raster bytes', value: mine } });
    rows.push({ area: 'printing', name: `${template} text-mode line time @9600`, value: lineMs(text, 9600), unit: 'ms', reference: { name: 'raster', value: lineMs(mine, 9600) } });
  }
  return rows;
}
