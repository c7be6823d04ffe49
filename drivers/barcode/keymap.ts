/**
 * Keyboard-wedge scanners type their reads as a USB boot keyboard. This turns boot keyboard
 * reports (USB HID 1.11, Appendix B.1: modifier byte, reserved byte, six key usages) into text
 * using the US layout (HID Usage Tables, Keyboard/Keypad page 0x07). Keys that are not on the
 * US layout, or that come with Ctrl/Alt/GUI, reject the whole read with a clear reason: a
 * scanner set to another keyboard country would otherwise produce silently wrong codes.
 */

/** Modifier byte bits (HID 1.11, Appendix B.1). */
export const MODIFIER = {
  leftCtrl: 0x01,
  leftShift: 0x02,
  leftAlt: 0x04,
  leftGui: 0x08,
  rightCtrl: 0x10,
  rightShift: 0x20,
  /** AltGr on non-US layouts. */
  rightAlt: 0x40,
  rightGui: 0x80,
} as const;

const SHIFT = MODIFIER.leftShift | MODIFIER.rightShift;
const NOT_TEXT = MODIFIER.leftCtrl | MODIFIER.rightCtrl | MODIFIER.leftAlt | MODIFIER.rightAlt | MODIFIER.leftGui | MODIFIER.rightGui;

/** Keyboard page usages with a meaning of their own (HID Usage Tables 1.12, section 10). */
export const USAGE = {
  errorRollOver: 0x01,
  enter: 0x28,
  capsLock: 0x39,
  keypadEnter: 0x58,
  /** Keyboard Non-US # and ~ (exists only on ISO layouts). */
  nonUsHash: 0x32,
  /** Keyboard Non-US \ and | (the extra ISO key next to left Shift). */
  nonUsBackslash: 0x64,
} as const;

/** US layout: usage → [unshifted, shifted]. */
export const US_KEYMAP: ReadonlyMap<number, readonly [string, string]> = (() => {
  const m = new Map<number, readonly [string, string]>();
  for (let i = 0; i < 26; i++) m.set(0x04 + i, [String.fromCharCode(97 + i), String.fromCharCode(65 + i)]);
  const digits = '1234567890';
  const shiftedDigits = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) m.set(0x1e + i, [digits[i], shiftedDigits[i]]);
  const rest: [number, string, string][] = [
    [0x2b, '\t', '\t'],
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
    // Keypad (Num Lock on, as scanners send it)
    [0x54, '/', '/'],
    [0x55, '*', '*'],
    [0x56, '-', '-'],
    [0x57, '+', '+'],
    [0x59, '1', '1'],
    [0x5a, '2', '2'],
    [0x5b, '3', '3'],
    [0x5c, '4', '4'],
    [0x5d, '5', '5'],
    [0x5e, '6', '6'],
    [0x5f, '7', '7'],
    [0x60, '8', '8'],
    [0x61, '9', '9'],
    [0x62, '0', '0'],
    [0x63, '.', '.'],
  ];
  for (const [u, a, b] of rest) m.set(u, [a, b]);
  return m;
})();

export type KeyResult =
  | { type: 'char'; char: string }
  | { type: 'end' }
  | { type: 'ignore' }
  | { type: 'reject'; code: string; reason: string; reasonVi: string };

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/** One newly pressed key with the modifiers held at that moment. */
export function translateKey(usage: number, modifiers: number): KeyResult {
  if (usage === USAGE.enter || usage === USAGE.keypadEnter) return { type: 'end' };
  // The host's Caps Lock state is unknown here; scanners that toggle it also send Shift explicitly.
  if (usage === USAGE.capsLock) return { type: 'ignore' };
  if (modifiers & NOT_TEXT) {
    return {
      type: 'reject',
      code: 'modifier-key',
      reason: `key ${hex(usage)} came with Ctrl/Alt/AltGr/GUI held (modifiers ${hex(modifiers)}); set the scanner to the US keyboard layout without control-key output`,
      reasonVi: `máy quét gửi phím ${hex(usage)} kèm Ctrl/Alt/AltGr; hãy đặt máy quét về bàn phím kiểu Mỹ (US)`,
    };
  }
  const pair = US_KEYMAP.get(usage);
  if (!pair) {
    const nonUs = usage === USAGE.nonUsHash || usage === USAGE.nonUsBackslash;
    return {
      type: 'reject',
      code: nonUs ? 'non-us-key' : 'unknown-key',
      reason: nonUs
        ? `key ${hex(usage)} exists only on non-US keyboard layouts; set the scanner to the US keyboard layout`
        : `key ${hex(usage)} is not a character on the US keyboard layout; set the scanner to the US layout`,
      reasonVi: `phím ${hex(usage)} không thuộc bàn phím kiểu Mỹ (US); hãy đặt máy quét về bàn phím US`,
    };
  }
  return { type: 'char', char: pair[modifiers & SHIFT ? 1 : 0] };
}

export interface WedgeRead {
  text: string;
  truncated: boolean;
}

export interface WedgeRejection {
  code: string;
  reason: string;
  reasonVi: string;
}

/**
 * Feeds boot keyboard reports; returns a finished read (or rejection) when Enter comes.
 * A key counts when it appears in a report and was not in the previous one (6-key rollover).
 */
export class KeyboardWedgeDecoder {
  private previous = new Set<number>();
  private text = '';
  private truncated = false;
  private rejection: WedgeRejection | null = null;

  constructor(private readonly maxLength: number) {}

  /** `report`: 8 bytes, or 9 with a leading report id. */
  feed(report: Buffer): { read?: WedgeRead; rejected?: WedgeRejection } | null {
    const r = report.length === 9 ? report.subarray(1) : report;
    if (r.length < 3) return null;
    const modifiers = r[0];
    const keys = [...r.subarray(2, 8)].filter((k) => k !== 0);
    // ErrorRollOver in every slot: too many keys at once, the report says nothing about which.
    if (keys.includes(USAGE.errorRollOver)) return null;
    const pressed = keys.filter((k) => !this.previous.has(k));
    this.previous = new Set(keys);
    for (const usage of pressed) {
      const k = translateKey(usage, modifiers);
      if (k.type === 'ignore') continue;
      if (k.type === 'end') return this.finish();
      if (k.type === 'reject') {
        this.rejection ??= { code: k.code, reason: k.reason, reasonVi: k.reasonVi };
        continue;
      }
      if (this.text.length >= this.maxLength) this.truncated = true;
      else this.text += k.char;
    }
    return null;
  }

  private finish(): { read?: WedgeRead; rejected?: WedgeRejection } | null {
    const out = this.rejection ? { rejected: this.rejection } : this.text.length ? { read: { text: this.text, truncated: this.truncated } } : null;
    this.text = '';
    this.truncated = false;
    this.rejection = null;
    return out;
  }
}
