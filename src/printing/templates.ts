/**
 * Templates: validated data in, layout out. Each template has a TypeBox schema (data refused with
 * a clear 400 before anything is stored), kept with the shapes of its domain (dossier/schemas.ts,
 * queue/schemas.ts), and a builder that returns one layout per paper copy.
 */
import Type, { type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TemplateName } from './api.ts';
import { labelled, text, type Block, type Doc } from './layout.ts';
import type { Raster } from '../../drivers/protocols/escpos/raster.ts';
import { dateVi, longTimeVi, money, shortTime } from './format.ts';
import { allLetters } from '../../drivers/support/vietnamese.ts';
import { isRealDateTime } from '../dates.ts';
import { DossierReceiptData, ResultSlip } from '../dossier/schemas.ts';
import { QueueTicketData } from '../queue/schemas.ts';

export interface Branding {
  agencyName: string;
  receivingUnit: string;
  footer: string;
  timezone: string;
  /** Logo, already dithered to 1 bit (loaded by the print service at start). */
  logo?: Raster;
}

const logo = (b: Branding): Block[] => (b.logo ? [{ kind: 'image', raster: b.logo }] : []);

export interface BuildContext {
  branding: Branding;
  width: number;
  printerId: string;
  /** When the job was created (UTC ISO); used where a template prints "now". */
  createdAt: string;
}

export const TestPageData = Type.Object({}, { additionalProperties: false });


const big = (w: number) => (w >= 512 ? 1 : 0.8);

function queueTicket(d: QueueTicketData, c: BuildContext): Doc[] {
  const k = big(c.width);
  const s = Math.round(24 * k);
  const tz = c.branding.timezone;
  const blocks: Block[] = [
    ...logo(c.branding),
    text(c.branding.agencyName, { bold: true, align: 'center', size: s }),
    { kind: 'rule' },
    text('SỐ THỨ TỰ / YOUR NUMBER', { align: 'center', size: s }),
    text(d.number, { bold: true, align: 'center', size: Math.round(110 * k) }),
    text(d.serviceName, { bold: true, align: 'center', size: Math.round(30 * k) }),
  ];
  if (d.serviceNameEn) blocks.push(text(d.serviceNameEn, { align: 'center', size: s }));
  blocks.push({ kind: 'space', dots: 8 }, labelled('Giờ lấy số / Issued', shortTime(d.issuedAt, tz), s), labelled('Số người chờ trước / Waiting ahead', String(d.waitingAhead), s));
  if (d.estimatedWaitMinutes !== undefined) blocks.push(labelled('Thời gian chờ dự kiến / Est. wait', `${d.estimatedWaitMinutes} phút (min)`, s));
  if (d.counterHint) blocks.push(labelled('Quầy / Counter', d.counterHint, s));
  blocks.push({ kind: 'qr', data: d.qr ?? d.number, module: c.width >= 512 ? 5 : 4 }, text(c.branding.footer, { align: 'center', size: s }), { kind: 'space', dots: 16 });
  return [{ width: c.width, blocks }];
}

function dossierReceipt(d: DossierReceiptData, c: BuildContext): Doc[] {
  const s = Math.round(22 * big(c.width));
  const tz = c.branding.timezone;
  const copies = d.copies ?? 1;
  const page = (copy: number): Doc => {
    const blocks: Block[] = [
      ...logo(c.branding),
      text(d.agencyName.toUpperCase(), { bold: true, align: 'center', size: s }),
      text((d.receivingUnit ?? c.branding.receivingUnit).toUpperCase(), { bold: true, align: 'center', size: s }),
      { kind: 'space', dots: 6 },
      text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, align: 'center', size: s - 2 }),
      text('Độc lập - Tự do - Hạnh phúc', { bold: true, align: 'center', size: s }),
      text(dateVi(d.receivedAt, tz), { align: 'right', size: s }),
      { kind: 'rule' },
      text('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ', { bold: true, align: 'center', size: s + 4 }),
      text(`Mã hồ sơ: ${d.dossierCode}`, { bold: true, align: 'center', size: s + 2 }),
      { kind: 'space', dots: 6 },
      labelled('Tiếp nhận hồ sơ của', d.applicant.name, s),
    ];
    if (d.applicant.address) blocks.push(labelled('Địa chỉ', d.applicant.address, s));
    if (d.applicant.phone) blocks.push(labelled('Số điện thoại', d.applicant.phone, s));
    if (d.applicant.email) blocks.push(labelled('Email', d.applicant.email, s));
    if (d.procedure) blocks.push(labelled('Thủ tục', `${d.procedure.name} (mã ${d.procedure.code})`, s));
    blocks.push(labelled('Nội dung yêu cầu giải quyết', d.request, s), text('1. Thành phần hồ sơ nộp gồm:', { bold: true, size: s }));
    const row = (a: string, b: string, cc: string, dd: string, bold = false): Block => ({
      kind: 'columns',
      size: s,
      cols: [
        { runs: [{ text: a, bold }], width: 0.08 },
        { runs: [{ text: b, bold }], width: 0.6 },
        { runs: [{ text: cc, bold }], width: 0.16, align: 'center' },
        { runs: [{ text: dd, bold }], width: 0.16, align: 'center' },
      ],
    });
    blocks.push(row('TT', 'Tên giấy tờ', 'Bản chính', 'Bản sao', true), { kind: 'rule', dashed: true });
    d.components.forEach((comp, i) => blocks.push(row(String(i + 1), comp.name, String(comp.originals), String(comp.copies))));
    blocks.push(
      { kind: 'rule', dashed: true },
      labelled('2. Số lượng hồ sơ', `${d.sets} (bộ)`, s),
      labelled('3. Thời gian giải quyết hồ sơ theo quy định', d.processingTime, s),
      labelled('4. Thời gian nhận hồ sơ', longTimeVi(d.receivedAt, tz), s),
      labelled('5. Thời gian trả kết quả giải quyết hồ sơ', longTimeVi(d.appointmentAt, tz), s),
      labelled('6. Đăng ký nhận kết quả tại', d.returnMethod === 'post' ? 'Qua dịch vụ bưu chính công ích' : 'Bộ phận tiếp nhận và trả kết quả', s),
    );
    blocks.push(...fees(d, c, s));
    if (d.registerBook) blocks.push(labelled('Vào Sổ theo dõi hồ sơ, Quyển số', d.registerBook, s));
    blocks.push(
      { kind: 'qr', data: d.dossierCode, module: c.width >= 512 ? 5 : 4 },
      text(d.dossierCode, { align: 'center', size: s }),
      { kind: 'space', dots: 8 },
      {
        kind: 'columns',
        size: s,
        cols: [
          { runs: [{ text: 'NGƯỜI NỘP HỒ SƠ', bold: true }], width: 0.5, align: 'center' },
          { runs: [{ text: 'NGƯỜI TIẾP NHẬN HỒ SƠ', bold: true }], width: 0.5, align: 'center' },
        ],
      },
      { kind: 'space', dots: 72 },
      { kind: 'columns', size: s, cols: [{ runs: [{ text: d.applicant.name }], width: 0.5, align: 'center' }, { runs: [{ text: d.clerk }], width: 0.5, align: 'center' }] },
    );
    if (copies === 2) blocks.push({ kind: 'space', dots: 8 }, text(copy === 1 ? 'Liên 1: Lưu' : 'Liên 2: Giao người nộp', { bold: true, align: 'center', size: s }));
    blocks.push(text(c.branding.footer, { align: 'center', size: s - 2 }), { kind: 'space', dots: 16 });
    return { width: c.width, blocks };
  };
  return copies === 2 ? [page(1), page(2)] : [page(1)];
}

/** The fee lines and their total; when a VietQR is given, the code to pay by bank transfer, with what it pays. */
function fees(d: DossierReceiptData, c: BuildContext, s: number): Block[] {
  if (d.fee === undefined) return [];
  const out: Block[] = [];
  if (d.fees?.length) {
    out.push(text('7. Phí, lệ phí:', { bold: true, size: s }));
    for (const f of d.fees) out.push(labelled(`- ${f.name}`, money(f.amount), s));
    out.push(labelled('Tổng cộng', money(d.fee), s));
  } else out.push(labelled('7. Phí, lệ phí', money(d.fee), s));
  if (d.vietqr) {
    out.push(
      { kind: 'space', dots: 6 },
      text('Chuyển khoản bằng mã VietQR / Pay by VietQR', { bold: true, align: 'center', size: s }),
      { kind: 'qr', data: d.vietqr, module: c.width >= 512 ? 4 : 3 },
      text(`Số tiền: ${money(d.fee)} · Nội dung: ${d.dossierCode}`, { align: 'center', size: s - 2 }),
    );
  }
  return out;
}

function resultSlip(d: ResultSlip, c: BuildContext): Doc[] {
  const s = Math.round(22 * big(c.width));
  const blocks: Block[] = [
    ...logo(c.branding),
    text(c.branding.agencyName, { bold: true, align: 'center', size: s }),
    { kind: 'rule' },
    text('PHIẾU TRẢ KẾT QUẢ', { bold: true, align: 'center', size: s + 6 }),
    text('Result returned', { align: 'center', size: s }),
    labelled('Mã hồ sơ', d.dossierCode, s),
    labelled('Người nộp hồ sơ', d.applicantName, s),
    labelled('Thời gian trả kết quả', longTimeVi(d.returnedAt, c.branding.timezone), s),
    labelled('Hình thức trả', d.returnMethod === 'post' ? 'Qua dịch vụ bưu chính công ích' : 'Tại Bộ phận tiếp nhận và trả kết quả', s),
  ];
  if (d.postalItem) blocks.push(labelled('Số hiệu bưu gửi', d.postalItem, s), { kind: 'code128', data: d.postalItem, height: 56 });
  if (d.receivedBy) blocks.push(labelled('Người nhận kết quả', d.receivedBy, s));
  if (d.fee) blocks.push(labelled('Phí, lệ phí', `${money(d.fee.amount)} — ${d.fee.paid ? 'ĐÃ NỘP' : 'CHƯA NỘP'}`, s));
  blocks.push(labelled('Cán bộ trả kết quả', d.clerk, s), { kind: 'qr', data: d.dossierCode, module: 4 }, text(c.branding.footer, { align: 'center', size: s }), { kind: 'space', dots: 16 });
  return [{ width: c.width, blocks }];
}

/** Glyph grid parameters of the test page, used by the tests to find every letter. */
export const TEST_GLYPH = { size: 24, cell: 36 } as const;

function testPage(_d: unknown, c: BuildContext): Doc[] {
  const blocks: Block[] = [
    text('TRANG IN THỬ / TEST PAGE', { bold: true, align: 'center', size: 28 }),
    text(`${c.printerId} · ${c.width} dots · ${shortTime(c.createdAt, c.branding.timezone)}`, { align: 'center', size: 20 }),
    { kind: 'rule' },
    text('Bảng chữ cái tiếng Việt, đủ dấu / Vietnamese alphabet, all tones:', { size: 20 }),
    { kind: 'glyphs', chars: allLetters(), cell: TEST_GLYPH.cell, size: TEST_GLYPH.size },
    { kind: 'rule', dashed: true },
    text('Giấy tiếp nhận hồ sơ và hẹn trả kết quả', { size: 24 }),
    text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, size: 24 }),
    text('Độc lập - Tự do - Hạnh phúc', { bold: true, size: 24 }),
    { kind: 'ruler' },
    { kind: 'qr', data: `hcc-agent test ${c.printerId}`, module: 5 },
    { kind: 'code128', data: 'HCC-TEST-128', height: 56 },
    text(c.branding.footer, { align: 'center', size: 20 }),
    { kind: 'space', dots: 16 },
  ];
  return [{ width: c.width, blocks }];
}

interface TemplateDef {
  schema: TSchema;
  build(data: any, c: BuildContext): Doc[];
  /** The subject of the job's events (dossier code or ticket number). */
  subject(data: any): string | undefined;
}

export const TEMPLATE_DEFS: Record<TemplateName, TemplateDef> = {
  'queue-ticket': { schema: QueueTicketData, build: queueTicket, subject: (d) => d.number },
  'dossier-receipt': { schema: DossierReceiptData, build: dossierReceipt, subject: (d) => d.dossierCode },
  'result-slip': { schema: ResultSlip, build: resultSlip, subject: (d) => d.dossierCode },
  'test-page': { schema: TestPageData, build: testPage, subject: () => undefined },
};

const compiled = Object.fromEntries(Object.entries(TEMPLATE_DEFS).map(([k, v]) => [k, Compile(v.schema as any)])) as Record<TemplateName, ReturnType<typeof Compile>>;

/** Null when valid, otherwise one readable line naming the first bad field. */
export function validateTemplateData(template: TemplateName, data: unknown): string | null {
  const c = compiled[template];
  if (c.Check(data)) {
    // The pattern checks the shape only: 2026-02-31 would print as 3 March.
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (k.endsWith('At') && typeof v === 'string' && !isRealDateTime(v)) return `data.${k} is not a real date and time: "${v}"`;
    }
    return null;
  }
  const errs = [...c.Errors(data)].filter((e) => e.keyword !== 'boolean');
  const e = errs[0];
  if (!e) return 'invalid data';
  const where = e.instancePath ? `data${e.instancePath.replace(/\//g, '.')}` : 'data';
  const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as any).additionalProperties?.join(', ')})` : '';
  return `${where} ${e.message}${extra}`;
}
