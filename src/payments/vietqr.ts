/**
 * Dynamic VietQR: the text of a QR code that a banking app scans to pay a fee by NAPAS 247 transfer
 * to the centre's account, with the amount and the reference already filled in.
 *
 * A small module of our own rather than vietnam-qr-pay's encoder at run time: that encoder checks
 * nothing (an empty account number is silently left out, a value of 100 characters gets the length
 * "00", Vietnamese text goes in unfolded), so we would wrap it in all of the validation below for
 * the sake of 20 lines of TLV; and keeping it a devDependency keeps it an independent decoder for
 * the tests, which it could not be if it also wrote the payloads.
 *
 * Only ASCII goes in (purposeText folds Vietnamese), so EMVCo's length in characters equals the
 * length in bytes and every app reads the same thing.
 */
import { invalid } from '../errors.ts';

/**
 * Protocol constants. EMVCo QRCPS Merchant-Presented Mode v1.1 §4 (data objects: ID, two-digit
 * length, value of 1-99 characters; root objects, Additional Data Field Template "62" and the CRC
 * "63"); NAPAS "Technical Specifications on NAPAS QR Switching" v1.5.2 part IV (QR code format)
 * §5.2: 5.2.1 payload format (00), 5.2.2 point of initiation (01), 5.2.3.2 merchant account
 * information template (38, GUID A000000727, beneficiary organisation, service code), 5.2.5 currency
 * (53), 5.2.6 amount (54), then country (58), additional data (62) and CRC (63).
 * Names (59) and city (60) are left out, as in the transfer codes NAPAS's VietQR service issues:
 * the payer's app shows the account holder's name from NAPAS's own account lookup.
 */
export const VIETQR = {
  root: { payloadFormat: '00', initiation: '01', merchantAccount: '38', currency: '53', amount: '54', country: '58', additionalData: '62', crc: '63' },
  /** "01" is the only payload format; "12" = dynamic (a code per payment, the amount is set). */
  payloadFormat: '01',
  dynamic: '12',
  /** Sub-fields of 38: GUID, beneficiary organisation (its own 00 BIN and 01 account), service. */
  merchantAccount: { guid: '00', beneficiary: '01', bin: '00', consumer: '01', service: '02' },
  napasGuid: 'A000000727',
  /** Inter-bank fund transfer 24/7 to an account (QRIBFTTC would be to a card). */
  serviceToAccount: 'QRIBFTTA',
  /** ISO 4217 numeric for VND, ISO 3166-1 alpha-2 for Viet Nam. */
  vnd: '704',
  vn: 'VN',
  /** Sub-field of 62: purpose of transaction. */
  purpose: '08',
  limits: {
    /** EMVCo: the amount is at most 13 characters; VND has no minor unit, so whole digits. */
    amountDigits: 13,
    /** NAPAS: consumer (account) id, letters and digits, up to 19. */
    account: 19,
    /** EMVCo / NAPAS: purpose of transaction "ans var. up to 25". */
    purpose: 25,
  },
} as const;

export interface VietQrInput {
  /** NAPAS BIN of the receiving bank, 6 digits (e.g. 970415 VietinBank). */
  bankBin: string;
  accountNumber: string;
  /** VND, a positive integer. */
  amount: number;
  /** Transfer reference: ASCII letters, digits, space, "." and "-", at most 25; see purposeText. */
  purpose: string;
  /** Not encoded (see VIETQR): accepted so callers pass the configured account whole and print the name beside the code. */
  accountName?: string;
}

/**
 * Characters kept in a purpose. Banking apps strip or refuse others in a transfer's content, which
 * would change the reference the payment is matched by; "." and "-" are kept for dossier codes.
 */
const PURPOSE_CHARS = /^[A-Za-z0-9 .-]*$/;

/** Vietnamese to the ASCII banking apps accept: marks removed, đ/Đ to d/D, anything else to a space, at most 25 characters. */
export function purposeText(s: string): string {
  const folded = s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9 .-]/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
  return folded.slice(0, VIETQR.limits.purpose).trimEnd();
}

/** The payload text of a dynamic VietQR for a transfer of `amount` VND to the account. */
export function vietQrPayload(input: VietQrInput): string {
  const { bankBin, accountNumber, amount, purpose } = input;
  const { limits, root, merchantAccount: m } = VIETQR;
  if (!/^\d{6}$/.test(bankBin)) throw invalid('vietqr-bank-bin', `the bank BIN must be 6 digits, not "${bankBin.slice(0, 20)}"`, `Mã BIN ngân hàng phải gồm 6 chữ số, không phải "${bankBin.slice(0, 20)}"`);
  if (!accountNumber) throw invalid('vietqr-account-number', 'the account number is empty', 'Số tài khoản trống');
  if (accountNumber.length > limits.account) throw invalid('vietqr-account-number', `the account number is longer than ${limits.account} characters`, `Số tài khoản dài quá ${limits.account} ký tự`);
  if (!/^[A-Za-z0-9]+$/.test(accountNumber)) throw invalid('vietqr-account-number', 'the account number may hold only letters and digits', 'Số tài khoản chỉ gồm chữ và số');
  if (!Number.isSafeInteger(amount) || amount <= 0) throw invalid('vietqr-amount', `the amount must be a positive whole number of dong, not ${amount}`, `Số tiền phải là số đồng nguyên dương, không phải ${amount}`);
  if (String(amount).length > limits.amountDigits) throw invalid('vietqr-amount', `the amount has more than ${limits.amountDigits} digits`, `Số tiền có hơn ${limits.amountDigits} chữ số`);
  if (!purpose.trim()) throw invalid('vietqr-purpose', 'the transfer reference is empty', 'Nội dung chuyển khoản trống');
  if (purpose.length > limits.purpose) throw invalid('vietqr-purpose', `the transfer reference is longer than ${limits.purpose} characters`, `Nội dung chuyển khoản dài quá ${limits.purpose} ký tự`);
  if (!PURPOSE_CHARS.test(purpose)) throw invalid('vietqr-purpose', 'the transfer reference may hold only unaccented letters, digits, spaces, "." and "-" (see purposeText)', 'Nội dung chuyển khoản chỉ gồm chữ không dấu, số, dấu cách, "." và "-"');

  const beneficiary = tlv(m.bin, bankBin) + tlv(m.consumer, accountNumber);
  const body =
    tlv(root.payloadFormat, VIETQR.payloadFormat) +
    tlv(root.initiation, VIETQR.dynamic) +
    tlv(root.merchantAccount, tlv(m.guid, VIETQR.napasGuid) + tlv(m.beneficiary, beneficiary) + tlv(m.service, VIETQR.serviceToAccount)) +
    tlv(root.currency, VIETQR.vnd) +
    tlv(root.amount, String(amount)) +
    tlv(root.country, VIETQR.vn) +
    tlv(root.additionalData, tlv(VIETQR.purpose, purpose)) +
    root.crc + '04';
  // The CRC covers everything before it, its own ID and length included.
  return body + crc16ccittFalse(body).toString(16).toUpperCase().padStart(4, '0');
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) over the UTF-8 bytes. */
export function crc16ccittFalse(s: string): number {
  let crc = 0xffff;
  for (const byte of Buffer.from(s, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** One EMVCo data object. Validation above keeps every value within 1-99 characters; this guards the arithmetic. */
function tlv(id: string, value: string): string {
  if (value.length < 1 || value.length > 99) throw new Error(`VietQR field ${id}: ${value.length} characters`);
  return id + String(value.length).padStart(2, '0') + value;
}
