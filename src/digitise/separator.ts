/** The printable separator sheet (A4 PDF); the sheet's format lives in drivers/protocols/separator-sheet.ts. */
import { pdfkitLib } from '../../drivers/support/lazy.ts';
import { FONT_FILES } from '../../drivers/support/fonts.ts';
import { SEPARATOR_HINT, SEPARATOR_LAYOUT, SEPARATOR_TITLE, separatorQrPng } from '../../drivers/protocols/separator-sheet.ts';
import { xmpSafe } from './pdf.ts';

const MM = 72 / 25.4;

/** One A4 separator page as a PDF (PDF/A-2b, fonts embedded). */
export async function separatorPdf(component: string): Promise<Buffer> {
  const qr = await separatorQrPng(component);
  const PDFDocument = pdfkitLib();
  const doc = new PDFDocument({ size: 'A4', margin: 0, subset: 'PDF/A-2b', pdfVersion: '1.7', lang: 'vi-VN', info: { Title: xmpSafe(`${SEPARATOR_TITLE.vi}: ${component}`), Creator: 'hcc-agent', Producer: 'hcc-agent' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((res, rej) => {
    doc.on('end', () => res(Buffer.concat(chunks)));
    doc.on('error', rej);
  });
  const L = SEPARATOR_LAYOUT;
  const width = 210 * MM;
  doc.registerFont('regular', FONT_FILES.regular);
  doc.registerFont('bold', FONT_FILES.bold);
  doc.font('bold').fontSize(20).text(SEPARATOR_TITLE.vi, 0, L.titleY * MM, { width, align: 'center' });
  doc.font('regular').fontSize(12).text(SEPARATOR_TITLE.en, { width, align: 'center' });
  doc.image(qr, L.qrX * MM, L.qrY * MM, { width: L.qrSize * MM, height: L.qrSize * MM });
  doc.font('bold').fontSize(24).text(component, 15 * MM, L.nameY * MM, { width: width - 30 * MM, align: 'center' });
  doc.font('regular').fontSize(11).text(SEPARATOR_HINT.vi, 25 * MM, 250 * MM, { width: width - 50 * MM, align: 'center' });
  doc.fontSize(9).fillColor('#444').text(SEPARATOR_HINT.en, { width: width - 50 * MM, align: 'center' });
  doc.end();
  return done;
}
