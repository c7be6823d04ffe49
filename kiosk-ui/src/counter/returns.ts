/** Looking a dossier up (typed or scanned) and handing its result back with the result slip. */
import { API, get, post, withToken, type ApiError } from '../lib/api.ts';
import type { DossierStatus, FlowAnswer, ReturnBody, ReturnMethod } from '../lib/dossier.ts';
import { h, render, vnTime } from '../lib/dom.ts';
import { showPrintout } from './receipt.ts';
import { clerk, field, i18n, statusLine, t } from './shared.ts';

export class ReturnPanel {
  readonly code = h('input', { name: 'returnCode', 'data-field': 'returnCode', maxLength: 64, autocomplete: 'off' });
  private readonly recipient = h('input', { name: 'receivedBy', 'data-field': 'receivedBy', maxLength: 200 });
  private readonly method = h('select', { name: 'method', 'data-field': 'method' }, h('option', { value: 'counter' }, t('atCounter')), h('option', { value: 'post' }, t('byPost')));
  private readonly postal = h('input', { name: 'postalItem', 'data-field': 'postalItem', maxLength: 32, placeholder: 'EE123456785VN' });
  private readonly info = h('div', { class: 'c-dossier', 'data-testid': 'dossier-info' });
  private readonly preview = h('div', { class: 'c-preview', 'data-testid': 'slip-preview' });
  private readonly status = statusLine('return-status');
  readonly el = h(
    'form',
    { class: 'panel c-return', 'data-testid': 'return-form', onsubmit: (e: Event) => (e.preventDefault(), void this.submit()) },
    h('h2', {}, t('returnTitle')),
    h('div', { class: 'row' }, h('div', { class: 'grow' }, field(t('dossierCode'), this.code)), h('button', { type: 'button', class: 'secondary', onclick: () => void this.open(this.code.value.trim()) }, t('dossier'))),
    this.info,
    h('div', { class: 'c-grid2' }, field(t('recipient'), this.recipient), field(t('returnMethod'), this.method), field(t('postalItem'), this.postal)),
    h('button', { type: 'submit', class: 'good', 'data-testid': 'return-result' }, t('returnResult')),
    this.status.el,
    this.preview,
  );

  /** Opens a dossier: a scanned receipt QR lands here. */
  async open(code: string): Promise<void> {
    if (!code) return;
    this.code.value = code;
    render(this.info, h('p', { class: 'muted' }, '…'));
    try {
      const d = await get<DossierStatus>(`/dossiers/${encodeURIComponent(code)}`);
      const status = d.centralReachable ? i18n.pick(d.statusTextVi, d.statusText) || d.status || '' : d.local?.returnedAt ? t('returnedAlready') : '';
      render(
        this.info,
        d.centralReachable ? null : h('p', { class: 'notice', 'data-testid': 'central-down' }, i18n.pick(d.messageVi, d.message) || t('centralDown')),
        h(
          'dl',
          { class: 'c-facts' },
          h('dt', {}, t('status')),
          h('dd', { 'data-testid': 'dossier-status' }, status || '—'),
          h('dt', {}, t('appointment')),
          h('dd', {}, vnTime(d.appointmentAt ?? d.local?.appointmentAt, true) || '—'),
          d.local?.receiptPrintJobId ? h('dt', {}, t('preview')) : null,
          d.local?.receiptPrintJobId ? h('dd', {}, h('a', { href: withToken(`${API}/print/jobs/${encodeURIComponent(d.local.receiptPrintJobId)}/preview.png`), target: '_blank' }, t('receipt'))) : null,
        ),
      );
    } catch (err) {
      const e = err as ApiError;
      render(this.info, h('p', { class: 'notice bad', 'data-testid': 'dossier-error' }, i18n.pick(e.messageVi, e.message)));
    }
  }

  /** A scanned postal item number (UPU S10) fills the field and switches to delivery by post. */
  setPostalItem(code: string): void {
    this.postal.value = code;
    this.method.value = 'post';
  }

  private async submit(): Promise<void> {
    const code = this.code.value.trim();
    this.status.clear();
    if (!code) return this.status.fail(new Error(t('needCode')));
    if (!clerk.value.trim()) return this.status.fail(new Error(t('needClerk')));
    const body: ReturnBody = { returnMethod: this.method.value as ReturnMethod, clerk: clerk.value.trim() };
    if (this.recipient.value.trim()) body.receivedBy = this.recipient.value.trim();
    if (this.method.value === 'post' && this.postal.value.trim()) body.postalItem = this.postal.value.trim();
    try {
      const r = await post<FlowAnswer>(`/dossiers/${encodeURIComponent(code)}/return`, body);
      this.status.ok(`${t('sent')}: ${code}`);
      await showPrintout(this.preview, r.printJobId, false);
    } catch (err) {
      this.status.fail(err);
    }
  }
}
