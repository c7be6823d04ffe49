/**
 * "Tra cứu giấy tờ cần chuẩn bị": the procedure catalogue (GET /procedures) as big cards — the
 * search results, or the whole catalogue by field when nothing is typed — and one procedure
 * (GET /procedures/:code): the papers to bring (required first, each with its originals and
 * copies; the optional ones marked with their note), processing time, fees, how the result is
 * returned and, when the calendar answers, the expected appointment if submitted now.
 * Every state says what it is: loading, no match, catalogue empty, agent unreachable.
 */
import { h } from '../lib/dom.ts';
import type { Lang } from '../lib/i18n.ts';
import type { Appointment, FeeItem, Procedure, ProcedureComponent, ProceduresAnswer } from '../lib/procedures.ts';
import { money, vnClock, weekdayDate } from '../lib/procedures.ts';
import type { Key } from './i18n.ts';

export type ListAnswer = { ok: true; data: ProceduresAnswer } | { ok: false; status: number };

type T = (k: Key, vars?: Record<string, string | number>) => string;
type Pick = (vi: string | undefined, en: string | undefined) => string;

export function processingTime(p: Procedure, t: T): string {
  if (p.processingHours) return t('workingHoursN', { n: p.processingHours });
  return p.processingDays === 0 ? t('sameDay') : t('workingDaysN', { n: p.processingDays });
}

export function feeText(f: FeeItem, t: T): string {
  if (f.amount === null) return t('feeByRule');
  return f.amount === 0 ? t('free') : `${money(f.amount)} ${t('currency')}`;
}

/** "Thứ Sáu, 04/12/2026" (Vietnam time), with "hôm nay" when it is today. */
export function appointmentDay(iso: string, lang: Lang, t: T, now = Date.now()): string {
  const s = weekdayDate(iso, lang);
  if (!s) return '';
  return vnClock(now).toISOString().slice(0, 10) === vnClock(Date.parse(iso)).toISOString().slice(0, 10) ? `${t('today')}, ${s}` : s;
}

function card(p: Procedure, pick: Pick, sub: string, open: (p: Procedure) => void): HTMLElement {
  return h(
    'button',
    { class: 'k-proc', type: 'button', 'data-code': p.code, onclick: () => open(p) },
    h('span', { class: 'k-proc-name' }, pick(p.name, p.nameEn)),
    h('span', { class: 'k-proc-sub' }, sub),
  );
}

/** The results under the search box (or a sentence saying why there are none). */
export function procedureList(query: string, answer: ListAnswer | undefined, t: T, pick: Pick, open: (p: Procedure) => void, retry: () => void): HTMLElement {
  const box = h('div', { class: 'k-results', 'data-testid': 'proc-results', 'aria-live': 'polite' });
  if (!answer) {
    box.append(h('p', { class: 'k-hint', 'data-testid': 'proc-loading' }, t('searching')));
    return box;
  }
  if (!answer.ok) {
    box.append(
      h('p', { class: 'notice bad k-staff', role: 'alert', 'data-testid': 'proc-error' }, t('catalogueDown')),
      h('button', { class: 'k-retry', type: 'button', onclick: retry }, t('retry')),
    );
    return box;
  }
  const { items, total, catalogue } = answer.data;
  if (catalogue.size === 0) {
    box.append(h('p', { class: 'notice k-staff', role: 'alert', 'data-testid': 'proc-empty' }, t('catalogueEmpty')));
    return box;
  }
  if (items.length === 0) {
    box.append(
      h('div', { class: 'notice k-staff', role: 'alert', 'data-testid': 'proc-nomatch' }, h('p', { class: 'k-nomatch' }, t('noMatch')), h('p', {}, t('noMatchHelp'))),
    );
    return box;
  }
  if (query.trim()) {
    box.append(
      h('p', { class: 'k-count', 'data-testid': 'proc-count' }, t('matchesN', { n: total })),
      ...items.map((p) => card(p, pick, p.field, open)),
    );
  } else {
    // The whole catalogue, grouped by field in the catalogue's own order.
    const byField = new Map<string, Procedure[]>();
    for (const p of items) byField.set(p.field, [...(byField.get(p.field) ?? []), p]);
    box.append(h('p', { class: 'k-count' }, t('allProcedures')));
    for (const [field, list] of byField) {
      box.append(h('h2', { class: 'k-field' }, field), ...list.map((p) => card(p, pick, `${t('procCode')}: ${p.code}`, open)));
    }
  }
  if (total > items.length) box.append(h('p', { class: 'k-hint', 'data-testid': 'proc-more' }, t('shownOf', { shown: items.length, total })));
  return box;
}

function paper(c: ProcedureComponent, t: T): HTMLElement {
  const optional = c.required === false;
  const n = (k: number, one: Key, many: Key) => (k === 0 ? '' : k === 1 ? t(one) : t(many, { n: k }));
  const counts = [n(c.originals, 'original1', 'originalsN'), n(c.copies, 'copy1', 'copiesN')].filter(Boolean).join(' + ');
  return h(
    'li',
    { class: `k-paper${optional ? ' k-paper-opt' : ''}`, 'data-required': String(!optional) },
    h('span', { class: 'k-paper-name' }, c.name),
    h(
      'span',
      { class: 'k-paper-meta' },
      counts ? h('span', { class: 'k-paper-count' }, counts) : null,
      optional ? h('span', { class: 'k-badge', 'data-testid': 'if-needed' }, t('ifNeeded')) : null,
      c.note ? h('span', { class: 'k-paper-note' }, c.note) : null,
    ),
  );
}

/** One procedure: what to bring, how long, how much, how the result comes back. */
export function procedureView(p: Procedure, appointment: Appointment | undefined, lang: Lang, t: T, pick: Pick): HTMLElement {
  const papers = [...p.components.filter((c) => c.required !== false), ...p.components.filter((c) => c.required === false)];
  const fees = p.fees ?? [];
  const returns = p.returnMethods ?? ['counter', 'post'];
  const when = appointment ? appointmentDay(appointment.appointmentAt, lang, t) : '';
  return h(
    'article',
    { class: 'k-procedure', 'data-testid': 'procedure', 'data-code': p.code },
    h('h1', { class: 'k-proc-title' }, pick(p.name, p.nameEn)),
    h(
      'dl',
      { class: 'k-facts' },
      h('dt', {}, t('procCode')),
      h('dd', { 'data-field': 'code' }, p.code),
      h('dt', {}, t('agency')),
      h('dd', { 'data-field': 'agency' }, p.agency),
      h('dt', {}, t('processingTime')),
      h('dd', { 'data-field': 'time', 'data-testid': 'proc-time' }, processingTime(p, t)),
    ),
    when ? h('p', { class: 'k-expected', 'data-testid': 'proc-expected' }, t('expected', { date: when })) : null,
    h('h2', { class: 'k-section' }, t('papersToBring')),
    h('ol', { class: 'k-papers', 'data-testid': 'papers' }, papers.map((c) => paper(c, t))),
    h('h2', { class: 'k-section' }, t('fees')),
    h(
      'ul',
      { class: 'k-fees', 'data-testid': 'fees' },
      fees.length
        ? fees.map((f) => h('li', { class: 'k-fee' }, h('span', { class: 'k-fee-name' }, f.name), h('span', { class: 'k-fee-amount', 'data-testid': 'fee-amount' }, feeText(f, t))))
        : h('li', { class: 'k-fee' }, h('span', { class: 'k-fee-amount', 'data-testid': 'fee-amount' }, t('free'))),
    ),
    h('h2', { class: 'k-section' }, t('returnMethods')),
    h('ul', { class: 'k-returns', 'data-testid': 'returns' }, returns.map((m) => h('li', {}, m === 'post' ? t('returnPost') : t('returnCounter')))),
  );
}
