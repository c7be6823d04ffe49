/** What the counter page's panels share: the texts, the counter id and a status line helper. */
import { ApiError, pageParam } from '../lib/api.ts';
import { h } from '../lib/dom.ts';
import { I18n } from '../lib/i18n.ts';
import { texts, type Key } from './i18n.ts';

export const i18n = new I18n<Key>(texts, 'hcc.counter.lang');
export const t = i18n.t.bind(i18n);
export const counterId = pageParam('counter') ?? '1';

/** A line under a panel for the outcome of the last action (agent's own bilingual message on failure). */
export function statusLine(testid: string): { el: HTMLElement; ok(text: string): void; fail(err: unknown): void; clear(): void } {
  const el = h('p', { class: 'c-status', 'data-testid': testid, role: 'status' });
  return {
    el,
    ok(text) {
      el.className = 'c-status ok';
      el.textContent = text;
    },
    fail(err) {
      el.className = 'c-status bad';
      el.textContent = err instanceof ApiError ? i18n.pick(err.messageVi, err.message) : String((err as Error)?.message ?? err);
    },
    clear() {
      el.className = 'c-status';
      el.textContent = '';
    },
  };
}

export function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', { class: 'c-field' }, h('span', {}, label), input);
}

/** The clerk's name goes on receipts and slips; typed once per counter and remembered. */
export const clerk = h('input', { name: 'clerk', 'data-field': 'clerk', maxLength: 120, autocomplete: 'name', placeholder: 'Họ tên cán bộ' });
try {
  clerk.value = localStorage.getItem('hcc.counter.clerk') ?? '';
} catch {}
clerk.addEventListener('change', () => {
  try {
    localStorage.setItem('hcc.counter.clerk', clerk.value.trim());
  } catch {}
});
