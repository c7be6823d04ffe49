/**
 * Picking the procedure on the receipt form: suggestions as the clerk types (code or words,
 * diacritics optional), then the form follows — the request, the papers as a checklist (required
 * ones ticked, optional ones marked), the processing time, the appointment computed in the
 * centre's working days and shown with its weekday, and the fee lines.
 */
import { get } from '../lib/api.ts';
import { h, render } from '../lib/dom.ts';
import type { Appointment, Procedure, ProceduresAnswer } from '../lib/procedures.ts';
import { field, i18n, t } from './shared.ts';

/** "14/02–22/02: Tết Nguyên đán; 30/04: Ngày Giải phóng…" — consecutive days with one reason grouped. */
export function skippedText(skipped: Appointment['skipped']): string {
  const groups: { from: string; to: string; reason: string }[] = [];
  for (const s of skipped) {
    const reason = i18n.pick(s.reasonVi, s.reason);
    const last = groups.at(-1);
    if (last && last.reason === reason && Date.parse(s.date) - Date.parse(last.to) === 86_400_000) last.to = s.date;
    else groups.push({ from: s.date, to: s.date, reason });
  }
  const dm = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}`;
  return groups.map((g) => `${dm(g.from)}${g.to !== g.from ? `–${dm(g.to)}` : ''}: ${g.reason}`).join('; ');
}

export class ProcedurePicker {
  readonly search = h('input', { name: 'procedure', 'data-field': 'procedure', autocomplete: 'off', maxLength: 200, placeholder: t('procedureHint'), role: 'combobox', 'aria-autocomplete': 'list' });
  private readonly list = h('ul', { class: 'c-suggest hidden', role: 'listbox', 'data-testid': 'procedure-suggestions' });
  private readonly note = h('p', { class: 'c-status', 'data-testid': 'procedure-note' });
  private readonly clear = h('button', { type: 'button', class: 'secondary hidden', onclick: () => this.pick(null) }, t('procedureClear'));
  readonly el: HTMLElement;
  picked: Procedure | null = null;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Called with the procedure chosen (null when cleared). */
  onPick: (p: Procedure | null) => void = () => undefined;

  constructor() {
    this.el = h('div', { class: 'c-procedure' }, field(t('procedure'), this.search), this.list, h('div', { class: 'c-row' }, this.note, this.clear));
    this.search.addEventListener('input', () => {
      clearTimeout(this.timer);
      // A short pause between keys: one request per word typed, not per letter.
      this.timer = setTimeout(() => void this.suggest(), 120);
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.list.classList.add('hidden');
    });
  }

  private async suggest(): Promise<void> {
    const q = this.search.value.trim();
    const mine = ++this.seq;
    if (!q) return void this.list.classList.add('hidden');
    try {
      const r = await get<ProceduresAnswer>(`/procedures?q=${encodeURIComponent(q)}&limit=8`);
      if (mine !== this.seq) return; // a later keystroke's answer wins
      render(
        this.list,
        r.items.length
          ? r.items.map((p) => h('li', {}, h('button', { type: 'button', role: 'option', 'data-code': p.code, onclick: () => this.pick(p) }, h('strong', {}, p.code), ` ${i18n.pick(p.name, p.nameEn || p.name)} `, h('span', { class: 'muted' }, `· ${p.field}`))))
          : h('li', { class: 'muted', 'data-testid': 'procedure-none' }, t('procedureNone')),
      );
      this.list.classList.remove('hidden');
    } catch (err) {
      if (mine !== this.seq) return;
      this.note.className = 'c-status bad';
      this.note.textContent = (err as Error).message;
    }
  }

  pick(p: Procedure | null): void {
    this.picked = p;
    this.list.classList.add('hidden');
    this.clear.classList.toggle('hidden', !p);
    this.search.value = p ? p.code : '';
    this.note.className = p ? 'c-status ok' : 'c-status';
    this.note.textContent = p ? `${t('procedurePicked', { code: p.code })}` : '';
    if (p) this.note.prepend(h('strong', {}, `${i18n.pick(p.name, p.nameEn || p.name)} · `));
    this.onPick(p);
  }
}

/** The appointment for a processing time from now, as the agent computes it (working days, holidays, cut-off). */
export function appointmentFor(p: Pick<Procedure, 'processingDays' | 'processingHours'>): Promise<Appointment> {
  const q = p.processingHours ? `workingHours=${p.processingHours}` : `workingDays=${p.processingDays}`;
  return get<Appointment>(`/calendar/appointment?${q}`);
}
