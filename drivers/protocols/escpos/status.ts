/**
 * DLE EOT real-time status decoding. Bit layout from the Epson ESC/POS Command Reference,
 * "DLE EOT n — Transmit real-time status" (reference_en/escpos/dle_eot.html): bits 1 and 4 are
 * fixed to 1, bits 0 and 7 to 0 in every reply; bit numbers below are 0-based.
 */
import type { PrinterCondition } from '../../contracts.ts';

/** n = 1, printer status. */
export const PRINTER_STATUS = { drawerPin3High: 0x04, offline: 0x08, waitingOnlineRecovery: 0x20, feedButton: 0x40 } as const;
/** n = 2, offline cause. */
export const OFFLINE_CAUSE = { coverOpen: 0x04, feedingByButton: 0x08, paperEndStop: 0x20, errorOccurred: 0x40 } as const;
/** n = 3, error cause. */
export const ERROR_CAUSE = { recoverable: 0x04, autocutter: 0x08, unrecoverable: 0x20, autoRecoverable: 0x40 } as const;
/** n = 4, roll paper sensor: two bits each (both set = condition present). */
export const PAPER_SENSOR = { nearEnd: 0x0c, end: 0x60 } as const;

/** GS r 1 reply: bits 0–1 paper near end, bits 2–3 paper end; bits 4 and 7 fixed to 0. */
export const GS_R_PAPER = { nearEnd: 0x03, end: 0x0c, fixedMask: 0x90 } as const;
export const isGsRReply = (b: number) => (b & GS_R_PAPER.fixedMask) === 0;

/** Fixed bits every status byte carries (bit 1 and bit 4 on, bit 0 and bit 7 off). */
export const FIXED_MASK = 0x93;
export const FIXED_VALUE = 0x12;

export function isStatusByte(b: number): boolean {
  return (b & FIXED_MASK) === FIXED_VALUE;
}

/** The four replies of DLE EOT 1, 2, 3, 4 in that order. */
export type StatusBytes = [number, number, number, number];

export function decodeStatus([s1, s2, s3, s4]: StatusBytes): PrinterCondition {
  return {
    online: (s1 & PRINTER_STATUS.offline) === 0,
    coverOpen: (s2 & OFFLINE_CAUSE.coverOpen) !== 0,
    paperOut: (s2 & OFFLINE_CAUSE.paperEndStop) !== 0 || (s4 & PAPER_SENSOR.end) === PAPER_SENSOR.end,
    paperNearEnd: (s4 & PAPER_SENSOR.nearEnd) === PAPER_SENSOR.nearEnd,
    cutterError: (s3 & ERROR_CAUSE.autocutter) !== 0,
    unrecoverableError: (s3 & ERROR_CAUSE.unrecoverable) !== 0,
    autoRecoverableError: (s3 & ERROR_CAUSE.autoRecoverable) !== 0,
  };
}

/** What a printer in condition `c` answers (the simulated printer uses this). */
export function encodeStatus(c: PrinterCondition): StatusBytes {
  const stopped = !c.online || c.coverOpen || c.paperOut || c.cutterError || c.unrecoverableError || c.autoRecoverableError;
  return [
    FIXED_VALUE | (stopped ? PRINTER_STATUS.offline : 0),
    FIXED_VALUE | (c.coverOpen ? OFFLINE_CAUSE.coverOpen : 0) | (c.paperOut ? OFFLINE_CAUSE.paperEndStop : 0) | (c.cutterError || c.unrecoverableError || c.autoRecoverableError ? OFFLINE_CAUSE.errorOccurred : 0),
    FIXED_VALUE | (c.cutterError ? ERROR_CAUSE.autocutter : 0) | (c.unrecoverableError ? ERROR_CAUSE.unrecoverable : 0) | (c.autoRecoverableError ? ERROR_CAUSE.autoRecoverable : 0),
    FIXED_VALUE | (c.paperNearEnd || c.paperOut ? PAPER_SENSOR.nearEnd : 0) | (c.paperOut ? PAPER_SENSOR.end : 0),
  ];
}

export interface ConditionText {
  /** Device status code, e.g. `paper-out`. */
  code: string;
  en: string;
  vi: string;
  /** The printer cannot print until someone acts. */
  blocking: boolean;
}

/** The most important problem first; null when the printer is fine. */
export function describeCondition(c: PrinterCondition): ConditionText | null {
  if (c.paperOut) return { code: 'paper-out', en: 'out of paper', vi: 'hết giấy', blocking: true };
  if (c.coverOpen) return { code: 'cover-open', en: 'cover open', vi: 'nắp máy in đang mở', blocking: true };
  if (c.cutterError) return { code: 'cutter-error', en: 'cutter error', vi: 'lỗi dao cắt giấy', blocking: true };
  if (c.unrecoverableError) return { code: 'unrecoverable-error', en: 'unrecoverable printer error; power-cycle the printer', vi: 'máy in gặp lỗi không tự khắc phục được; hãy tắt và bật lại máy in', blocking: true };
  if (c.autoRecoverableError) return { code: 'recoverable-error', en: 'printer error (e.g. head overheated); waiting for it to recover', vi: 'máy in đang lỗi tạm thời (ví dụ đầu in quá nóng); đang chờ máy tự phục hồi', blocking: true };
  if (!c.online) return { code: 'offline', en: 'printer offline', vi: 'máy in đang ngoại tuyến (offline)', blocking: true };
  if (c.paperNearEnd) return { code: 'paper-near-end', en: 'paper nearly out', vi: 'sắp hết giấy', blocking: false };
  return null;
}

export const NO_ANSWER: ConditionText = { code: 'no-status', en: 'printer did not answer the status request', vi: 'máy in không trả lời yêu cầu trạng thái', blocking: true };
