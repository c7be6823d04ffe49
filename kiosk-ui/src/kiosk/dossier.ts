/**
 * The answer to "Tra cứu hồ sơ": the dossier's status from the central system through the agent
 * (GET /dossiers/:code), or — when the central system cannot be reached — a plain sentence and
 * what this centre recorded itself.
 */
import { h, vnTime } from '../lib/dom.ts';
import type { DossierStatus } from '../lib/dossier.ts';
import type { Key } from './i18n.ts';

export type DossierAnswer = { ok: true; data: DossierStatus } | { ok: false; status: number };

type T = (k: Key, vars?: Record<string, string | number>) => string;
type Pick = (vi: string | undefined, en: string | undefined) => string;

function when(v: string | undefined): string {
  return v && /^\d{4}-\d{2}-\d{2}T/.test(v) ? vnTime(v, true) : (v ?? '');
}

export function dossierView(code: string, answer: DossierAnswer | undefined, t: T, pick: Pick): HTMLElement {
  const box = h('div', { class: 'k-dossier', 'data-testid': 'dossier' }, h('p', { class: 'k-label' }, t('dossierCode')), h('p', { class: 'k-code' }, code));
  if (!answer) {
    box.append(h('p', { class: 'k-hint' }, t('working')));
    return box;
  }
  if (!answer.ok) {
    // The agent itself did not answer usefully (bad code, agent down): a sentence, never the error.
    box.append(h('p', { class: 'notice bad', role: 'alert', 'data-testid': 'lookup-error' }, answer.status === 400 ? t('badCode') : t('unavailable')));
    return box;
  }
  const d = answer.data;
  const local = d.local;
  if (!d.centralReachable) {
    box.append(h('p', { class: 'notice', role: 'alert', 'data-testid': 'central-down' }, local ? t('centralDown') : t('centralDownNoData')));
    if (!local) return box;
  } else if (d.status === 'unknown' && !local) {
    box.append(h('p', { class: 'notice', role: 'alert', 'data-testid': 'not-found' }, t('notFound')));
    return box;
  }
  const statusText = d.centralReachable ? pick(d.statusTextVi, d.statusText) || d.status || '' : local?.returnedAt ? t('returned') : t('receivedHere');
  const rows: [Key, string][] = [
    ['status', statusText],
    ['received', when(local?.receivedAt)],
    ['appointment', when(d.appointmentAt ?? local?.appointmentAt)],
    ['returnedAt', when(local?.returnedAt)],
  ];
  box.append(
    h(
      'dl',
      { class: 'k-facts' },
      rows.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', { 'data-field': k }, v)]),
    ),
  );
  return box;
}
