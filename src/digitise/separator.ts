/**
 * Separator sheets: an A4 page the agent prints with a QR naming the dossier component that
 * follows it. Scanned, the sheet is recognised (src/digitise/analyse.ts), starts a new
 * document and is left out of every PDF.
 */
import { bwipLib, pdfkitLib } from '../../drivers/support/lazy.ts';
import { xmpSafe } from './pdf.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** QR text: a fixed prefix and version, then the component name percent-encoded (QR byte mode stays ASCII). */
const PREFIX = 'HCC-SEP:1:';

export const SEPARATOR_TITLE = { vi: 'TỜ PHÂN CÁCH THÀNH PHẦN HỒ SƠ', en: 'Dossier component separator sheet' };
export const SEPARATOR_HINT = {
  vi: 'Đặt tờ này ngay trước các trang của thành phần hồ sơ dưới đây. Tờ này không được lưu vào bản số hoá.',
  en: 'Place this sheet right before the pages of the component below. It is not kept in the digitised copy.',
};

export function separatorPayload(component: string): string {
  return PREFIX + encodeURIComponent(component);
}

/** The component a QR text names, or null if the text is not a separator's. */
export function parseSeparator(text: string): string | null {
  if (!text.startsWith(PREFIX)) return null;
  try {
    const name = decodeURIComponent(text.slice(PREFIX.length));
    return name.length > 0 ? name : null;
  } catch {
    return null;
  }
}

/** The QR as a PNG; large modules so it survives a 150 dpi grey scan and our 600 px analysis size. */
export async function separatorQrPng(component: string): Promise<Buffer> {
  const opts = { bcid: 'qrcode', text: separatorPayload(component), scale: 12, eclevel: 'M', paddingwidth: 4, paddingheight: 4, backgroundcolor: 'FFFFFF' };
  return (bwipLib().toBuffer as (o: typeof opts) => Promise<Buffer>)(opts);
}

const require = createRequire(import.meta.url);
function notoPath(weight: '400Regular' | '700Bold'): string {
  const pkg = dirname(require.resolve('@expo-google-fonts/noto-sans/package.json'));
  return join(pkg, weight, `NotoSans_${weight}.ttf`);
}
export const FONT_REGULAR = notoPath('400Regular');
export const FONT_BOLD = notoPath('700Bold');

/** Layout in millimetres shared by the printed PDF and the simulated scanner's rendering. */
export const SEPARATOR_LAYOUT = { qrX: 55, qrY: 80, qrSize: 100, titleY: 30, nameY: 195 };

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
  doc.registerFont('regular', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  doc.font('bold').fontSize(20).text(SEPARATOR_TITLE.vi, 0, L.titleY * MM, { width, align: 'center' });
  doc.font('regular').fontSize(12).text(SEPARATOR_TITLE.en, { width, align: 'center' });
  doc.image(qr, L.qrX * MM, L.qrY * MM, { width: L.qrSize * MM, height: L.qrSize * MM });
  doc.font('bold').fontSize(24).text(component, 15 * MM, L.nameY * MM, { width: width - 30 * MM, align: 'center' });
  doc.font('regular').fontSize(11).text(SEPARATOR_HINT.vi, 25 * MM, 250 * MM, { width: width - 50 * MM, align: 'center' });
  doc.fontSize(9).fillColor('#444').text(SEPARATOR_HINT.en, { width: width - 50 * MM, align: 'center' });
  doc.end();
  return done;
}
