/**
 * The dossier receipt as an A4 PDF (pdfkit) for A4 printers and for the clerk to save: Noto Sans
 * embedded (subset) so Vietnamese shows on any viewer, the dossier code as a vector QR code.
 */
import { pdfkitLib } from '../../drivers/support/lazy.ts';
import { FONT_FILES } from '../../drivers/support/fonts.ts';
import { qrMatrix } from '../../drivers/protocols/escpos/symbols.ts';
import { dateVi, longTimeVi, money } from './format.ts';
import type { Branding } from './templates.ts';
import type { DossierReceiptData } from '../dossier/schemas.ts';

/**
 * OpenType features for every text run: no `ccmp`, whose decomposition of some precomposed
 * letters (ụ) leaves glyphs with no Unicode mapping, so copy-paste and search would lose tones.
 * Text is NFC, so the font's precomposed glyphs are what should print.
 */
const F = { ccmp: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[];

export function dossierReceiptPdf(d: DossierReceiptData, branding: Branding): Promise<Buffer> {
  const PDFDocument = pdfkitLib();
  const doc = new PDFDocument({ size: 'A4', margins: { top: 50, bottom: 50, left: 60, right: 60 }, info: { Title: `Giấy tiếp nhận hồ sơ ${d.dossierCode}`, Creator: 'hcc-agent' } });
  doc.registerFont('R', FONT_FILES.regular);
  doc.registerFont('B', FONT_FILES.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const tz = branding.timezone;
  const W = doc.page.width - 120;
  const copies = d.copies ?? 1;

  const maxY = () => doc.page.height - doc.page.margins.bottom;
  /** Whether a block `h` points tall fits between doc.y and the bottom margin. */
  const fits = (h: number) => doc.y + h <= maxY();
  const newPage = () => {
    doc.addPage();
    doc.x = 60;
  };
  /** Starts a new page unless `h` points fit on this one. */
  const room = (h: number) => {
    if (!fits(h)) newPage();
  };

  const page = (copy: number) => {
    const top = doc.y;
    const half = W / 2 - 10;
    doc.font('B').fontSize(11).text(d.agencyName.toUpperCase(), 60, top, { features: F, width: half, align: 'center' });
    doc.font('B').fontSize(10).text((d.receivingUnit ?? branding.receivingUnit).toUpperCase(), { features: F, width: half, align: 'center' });
    const leftBottom = doc.y;
    doc.font('B').fontSize(11).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 60 + half + 20, top, { features: F, width: half, align: 'center' });
    doc.font('B').fontSize(11).text('Độc lập - Tự do - Hạnh phúc', { features: F, width: half, align: 'center', underline: true });
    doc.font('R').fontSize(10).text(dateVi(d.receivedAt, tz), { features: F, width: half, align: 'center' });
    doc.x = 60;
    doc.y = Math.max(doc.y, leftBottom) + 16;
    doc.font('B').fontSize(14).text('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ', { features: F, width: W, align: 'center' });
    doc.font('B').fontSize(12).text(`Mã hồ sơ: ${d.dossierCode}`, { features: F, width: W, align: 'center' });
    doc.moveDown(0.8);
    const field = (label: string, value: string) => doc.font('B').fontSize(11).text(`${label}: `, { features: F, continued: true }).font('R').text(value, { features: F });
    field('Tiếp nhận hồ sơ của', d.applicant.name);
    if (d.applicant.address) field('Địa chỉ', d.applicant.address);
    if (d.applicant.phone) field('Số điện thoại', d.applicant.phone);
    if (d.applicant.email) field('Email', d.applicant.email);
    field('Nội dung yêu cầu giải quyết', d.request);
    const cols = [30, W - 30 - 140, 70, 70];
    // Table rows are drawn cell by cell at fixed positions, so each row is measured first and moved
    // whole to a new page (under a repeated header row) when it would cross the bottom margin.
    // Positioned text gets `height: Infinity` so pdfkit never starts a page from inside a cell.
    const cellText = (i: number) => ({ features: F, width: cols[i] - 6, align: i >= 2 ? 'center' : 'left', height: Infinity }) as const;
    const rowHeight = (cells: string[], bold: boolean) => {
      doc.font(bold ? 'B' : 'R').fontSize(10);
      return Math.max(...cells.map((c, i) => doc.heightOfString(c, cellText(i)))) + 6;
    };
    const draw = (cells: string[], bold: boolean, h: number) => {
      const y = doc.y;
      let x = 60;
      doc.font(bold ? 'B' : 'R').fontSize(10);
      cells.forEach((c, i) => {
        doc.text(c, x + 3, y + 3, cellText(i));
        x += cols[i];
      });
      x = 60;
      for (const w of cols) {
        doc.rect(x, y, w, h).stroke();
        x += w;
      }
      doc.x = 60;
      doc.y = y + h;
    };
    const head = ['TT', 'Tên giấy tờ', 'Bản chính', 'Bản sao'];
    const headH = rowHeight(head, true);
    const rows = d.components.map((c, i) => [String(i + 1), c.name, String(c.originals), String(c.copies)]);
    const heights = rows.map((r) => rowHeight(r, false));
    // The section title stays with the header row and the first component.
    doc.font('B').fontSize(11);
    room(doc.heightOfString('1. Thành phần hồ sơ nộp gồm:', { features: F, width: W }) + headH + (heights[0] ?? 0));
    doc.font('B').fontSize(11).text('1. Thành phần hồ sơ nộp gồm:', 60, doc.y, { features: F, width: W });
    draw(head, true, headH);
    rows.forEach((r, i) => {
      if (!fits(heights[i])) {
        newPage();
        draw(head, true, headH);
      }
      draw(r, false, heights[i]);
    });
    doc.moveDown(0.5);
    field('2. Số lượng hồ sơ', `${d.sets} (bộ)`);
    field('3. Thời gian giải quyết hồ sơ theo quy định', d.processingTime);
    field('4. Thời gian nhận hồ sơ', longTimeVi(d.receivedAt, tz));
    field('5. Thời gian trả kết quả giải quyết hồ sơ', longTimeVi(d.appointmentAt, tz));
    field('6. Đăng ký nhận kết quả tại', d.returnMethod === 'post' ? 'Qua dịch vụ bưu chính công ích' : 'Bộ phận tiếp nhận và trả kết quả');
    if (d.fee !== undefined) field('Phí, lệ phí', money(d.fee));
    if (d.registerBook) field('Vào Sổ theo dõi hồ sơ, Quyển số', d.registerBook);
    doc.moveDown(0.8);
    // Vector QR of the dossier code, then the two signature columns (and the copy's label): one
    // block, measured and moved whole to the next page when it does not fit under the fields.
    const m = qrMatrix(d.dossierCode);
    const mod = 2.4;
    const sigW = (W - 170) / 2;
    const pinned = (width: number, align: 'left' | 'center' | 'right' = 'left') => ({ features: F, width, align, height: Infinity }) as const;
    const copyLabel = copies === 2 ? (copy === 1 ? 'Liên 1: Lưu' : 'Liên 2: Giao người nộp') : undefined;
    doc.font('R').fontSize(8);
    const qrBottom = m.size * mod + 4 + doc.heightOfString(d.dossierCode, pinned(160));
    doc.font('R').fontSize(10);
    const namesBottom = 80 + Math.max(doc.heightOfString(d.applicant.name, pinned(sigW, 'center')), doc.heightOfString(d.clerk, pinned(sigW, 'center')));
    doc.font('B').fontSize(10);
    const labelH = copyLabel ? 10 + doc.heightOfString(copyLabel, pinned(W, 'right')) : 0;
    room(Math.max(qrBottom, namesBottom, m.size * mod + 20) + labelH);
    const qy = doc.y;
    for (let r = 0; r < m.size; r++) for (let c = 0; c < m.size; c++) if (m.modules[r * m.size + c]) doc.rect(60 + c * mod, qy + r * mod, mod, mod).fill('#000');
    doc.font('R').fontSize(8).text(d.dossierCode, 60, qy + m.size * mod + 4, pinned(160));
    doc.font('B').fontSize(11).text('NGƯỜI NỘP HỒ SƠ', 60 + 170, qy, pinned(sigW, 'center'));
    doc.font('B').fontSize(11).text('NGƯỜI TIẾP NHẬN HỒ SƠ', 60 + 170 + sigW, qy, pinned(sigW, 'center'));
    doc.font('R').fontSize(10).text(d.applicant.name, 60 + 170, qy + 80, pinned(sigW, 'center'));
    const applicantBottom = doc.y;
    doc.font('R').fontSize(10).text(d.clerk, 60 + 170 + sigW, qy + 80, pinned(sigW, 'center'));
    doc.x = 60;
    doc.y = Math.max(doc.y, applicantBottom, qy + qrBottom, qy + m.size * mod + 20) + 10;
    if (copyLabel) doc.font('B').fontSize(10).text(copyLabel, 60, doc.y, pinned(W, 'right'));
  };
  page(1);
  if (copies === 2) {
    doc.addPage();
    page(2);
  }
  doc.end();
  return done;
}
