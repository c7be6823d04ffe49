/**
 * The dossier receipt as an A4 PDF (pdfkit) for A4 printers and for the clerk to save: Noto Sans
 * embedded (subset) so Vietnamese shows on any viewer, the dossier code as a vector QR code.
 */
import { pdfkitLib } from '../lazy.ts';
import { FONT_FILES } from './font.ts';
import { qrMatrix } from './symbols.ts';
import { dateVi, longTimeVi, money } from './format.ts';
import type { Branding, DossierReceipt } from './templates.ts';

/**
 * OpenType features for every text run: no `ccmp`, whose decomposition of some precomposed
 * letters (ụ) leaves glyphs with no Unicode mapping, so copy-paste and search would lose tones.
 * Text is NFC, so the font's precomposed glyphs are what should print.
 */
const F = { ccmp: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[];

export function dossierReceiptPdf(d: DossierReceipt, branding: Branding): Promise<Buffer> {
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
    doc.font('B').text('1. Thành phần hồ sơ nộp gồm:', { features: F });
    const cols = [30, W - 30 - 140, 70, 70];
    const row = (cells: string[], bold = false) => {
      const y = doc.y;
      let x = 60;
      let bottom = y;
      cells.forEach((c, i) => {
        doc.font(bold ? 'B' : 'R').fontSize(10).text(c, x + 3, y + 3, { features: F, width: cols[i] - 6, align: i >= 2 ? 'center' : 'left' });
        bottom = Math.max(bottom, doc.y + 3);
        x += cols[i];
      });
      x = 60;
      for (const w of cols) {
        doc.rect(x, y, w, bottom - y).stroke();
        x += w;
      }
      doc.x = 60;
      doc.y = bottom;
    };
    row(['TT', 'Tên giấy tờ', 'Bản chính', 'Bản sao'], true);
    d.components.forEach((c, i) => row([String(i + 1), c.name, String(c.originals), String(c.copies)]));
    doc.moveDown(0.5);
    field('2. Số lượng hồ sơ', `${d.sets} (bộ)`);
    field('3. Thời gian giải quyết hồ sơ theo quy định', d.processingTime);
    field('4. Thời gian nhận hồ sơ', longTimeVi(d.receivedAt, tz));
    field('5. Thời gian trả kết quả giải quyết hồ sơ', longTimeVi(d.appointmentAt, tz));
    field('6. Đăng ký nhận kết quả tại', d.returnMethod === 'post' ? 'Qua dịch vụ bưu chính công ích' : 'Bộ phận tiếp nhận và trả kết quả');
    if (d.fee !== undefined) field('Phí, lệ phí', money(d.fee));
    if (d.registerBook) field('Vào Sổ theo dõi hồ sơ, Quyển số', d.registerBook);
    doc.moveDown(0.8);
    // Vector QR of the dossier code, then the two signature columns.
    const m = qrMatrix(d.dossierCode);
    const mod = 2.4;
    const qy = doc.y;
    for (let r = 0; r < m.size; r++) for (let c = 0; c < m.size; c++) if (m.modules[r * m.size + c]) doc.rect(60 + c * mod, qy + r * mod, mod, mod).fill('#000');
    doc.font('R').fontSize(8).text(d.dossierCode, 60, qy + m.size * mod + 4, { features: F, width: 160 });
    doc.font('B').fontSize(11).text('NGƯỜI NỘP HỒ SƠ', 60 + 170, qy, { features: F, width: (W - 170) / 2, align: 'center' });
    doc.font('B').fontSize(11).text('NGƯỜI TIẾP NHẬN HỒ SƠ', 60 + 170 + (W - 170) / 2, qy, { features: F, width: (W - 170) / 2, align: 'center' });
    doc.font('R').fontSize(10).text(d.applicant.name, 60 + 170, qy + 80, { features: F, width: (W - 170) / 2, align: 'center' });
    doc.font('R').fontSize(10).text(d.clerk, 60 + 170 + (W - 170) / 2, qy + 80, { features: F, width: (W - 170) / 2, align: 'center' });
    doc.x = 60;
    doc.y = Math.max(doc.y, qy + m.size * mod + 20) + 10;
    if (copies === 2) doc.font('B').fontSize(10).text(copy === 1 ? 'Liên 1: Lưu' : 'Liên 2: Giao người nộp', { features: F, width: W, align: 'right' });
  };
  page(1);
  if (copies === 2) {
    doc.addPage();
    page(2);
  }
  doc.end();
  return done;
}
