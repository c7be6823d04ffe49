/**
 * Separator sheets, the agent's own sheet format: an A4 page with a QR naming the dossier
 * component that follows it. src/digitise prints it (separator.ts) and recognises it when
 * scanned (analyse.ts, process.ts); the simulated scanner draws the same sheet. The QR text,
 * the wording and the layout live here so both sides agree.
 */
import { bwipLib } from '../support/lazy.ts';

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

/** Layout in millimetres shared by the printed PDF and the simulated scanner's rendering. */
export const SEPARATOR_LAYOUT = { qrX: 55, qrY: 80, qrSize: 100, titleY: 30, nameY: 195 };
