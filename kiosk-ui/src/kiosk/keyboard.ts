/**
 * The on-screen keyboard of the procedure search: letters without diacritics (the search folds
 * them, so "ket hon" finds "kết hôn"), digits and "." for procedure codes, space, delete, clear.
 * QWERTY, as on the phones where most people type Vietnamese (Telex). Every key is a button of at
 * least 64 px; the keyboard never takes the focus from anything, it only calls `onKey`.
 */
import { h } from '../lib/dom.ts';

export type KeyPress = { char: string } | { action: 'delete' | 'clear' };

const ROWS = ['1234567890.', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

export function keyboard(labels: { name: string; space: string; del: string; clear: string }, onKey: (k: KeyPress) => void): HTMLElement {
  const key = (label: string, press: KeyPress, cls = '', testKey = label) =>
    h('button', { class: `secondary k-key ${cls}`.trim(), type: 'button', 'data-key': testKey, onclick: () => onKey(press) }, label);
  return h(
    'div',
    { class: 'k-keyboard', 'data-testid': 'keyboard', role: 'group', 'aria-label': labels.name },
    ROWS.map((row) => h('div', { class: 'k-key-row' }, [...row].map((c) => key(c, { char: c })))),
    h(
      'div',
      { class: 'k-key-row' },
      key(labels.clear, { action: 'clear' }, 'k-key-wide', 'clear'),
      key(labels.space, { char: ' ' }, 'k-key-space', 'space'),
      key(labels.del, { action: 'delete' }, 'k-key-wide', 'delete'),
    ),
  );
}
