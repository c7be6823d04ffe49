/**
 * The answer to "Tra cứu hồ sơ": the dossier's status from the central system through the agent,
 * or a plain sentence when the central system cannot be reached or the code is unknown.
 */
import { h } from '../lib/dom.ts';
import { vnTime } from '../lib/dom.ts';
import type { Key } from './i18n.ts';

export type DossierAnswer = { ok: true; data: Record<string, any> } | { ok: false; status: number; code: string; body?: unknown };

type T = (k: Key, vars?: Record<string, string | number>) => string;

/** Fields the central side (DVCQG-style) or the agent's local record may use for the same thing. */
function pick(d: Record<string, any>, ...names: string[]): string {
  for (const n of names) {
    const v = n.split('.').reduce<any>((o, k) => (o && typeof o === 'object' ? o[k] : undefined), d);
    if (v !== undefined && v !== null && v !== '') return typeof v === 'object' ? '' : String(v);
  }
  return '';
}

function when(v: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(v) ? vnTime(v, true) : v;
}

function centralUnreachable(a: DossierAnswer): boolean {
  if (a.ok) {
    const d = a.data;
    return d.source === 'local' && (d.central === 'unreachable' || Boolean(d.centralError) || d.centralReachable === false);
  }
  return a.status === 502 || a.status === 503 || a.status === 504 || /central|unreachable|upstream/.test(a.code);
}

export function dossierView(code: string, answer: DossierAnswer | undefined, t: T): HTMLElement {
  const box = h('div', { class: 'k-dossier', 'data-testid': 'dossier' }, h('p', { class: 'k-label' }, t('dossierCode')), h('p', { class: 'k-code' }, code));
  if (!answer) {
    box.append(h('p', { class: 'k-hint' }, t('working')));
    return box;
  }
  const down = centralUnreachable(answer);
  if (!answer.ok) {
    const msg = answer.status === 404 ? t('notFound') : down ? t('centralDownNoData') : t('unavailable');
    box.append(h('p', { class: 'notice bad', role: 'alert', 'data-testid': down ? 'central-down' : 'lookup-error' }, msg));
    return box;
  }
  const d = answer.data;
  if (down) box.append(h('p', { class: 'notice', role: 'alert', 'data-testid': 'central-down' }, t('centralDown')));
  const status = pick(d, 'statusText', 'statusVi', 'status.name', 'TrangThaiHoSoText', 'status', 'TrangThaiHoSo', 'state');
  const rows: [Key, string][] = [
    ['status', status],
    ['procedure', pick(d, 'procedure', 'TenTTHC', 'request', 'receipt.request')],
    ['received', when(pick(d, 'receivedAt', 'NgayTiepNhan'))],
    ['appointment', when(pick(d, 'appointmentAt', 'NgayHenTra', 'receipt.appointmentAt'))],
  ];
  box.append(
    h(
      'dl',
      { class: 'k-facts' },
      rows.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', { 'data-field': k }, v)]),
    ),
  );
  if (d.source === 'local' && !down) box.append(h('p', { class: 'muted' }, t('localOnly')));
  return box;
}
