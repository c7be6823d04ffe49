/** Looking a dossier up (typed or scanned) and handing its result back with the result slip. */
import { get, post, type ApiError } from '../lib/api.ts';
import { h, render, vnTime } from '../lib/dom.ts';
import { showPrintout } from './receipt.ts';
import { field, i18n, statusLine, t } from './shared.ts';

type Any = Record<string, any>;

export class ReturnPanel {
  readonly code = h('input', { name: 'returnCode', 'data-field': 'returnCode', maxLength: 64, autocomplete: 'off' });
  private readonly recipient = h('input', { name: 'recipient', 'data-field': 'recipient', maxLength: 120 });
  private readonly method = h('select', { name: 'method', 'data-field': 'method' }, h('option', { value: 'counter' }, t('atCounter')), h('option', { value: 'post' }, t('byPost')));
  private readonly postal = h('input', { name: 'postalItem', 'data-field': 'postalItem', maxLength: 13, placeholder: 'EE123456785VN' });
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
      const d = await get<Any>(`/dossiers/${encodeURIComponent(code)}`);
      const local = d.source === 'local' && (d.central === 'unreachable' || d.centralError);
      render(
        this.info,
        local ? h('p', { class: 'notice', 'data-testid': 'central-down' }, t('centralDown')) : null,
        h('dl', { class: 'c-facts' }, h('dt', {}, t('status')), h('dd', { 'data-testid': 'dossier-status' }, String(d.statusText ?? d.status ?? d.state ?? '')), h('dt', {}, t('appointment')), h('dd', {}, vnTime(d.appointmentAt ?? d.receipt?.appointmentAt, true))),
      );
      const name = d.applicant?.name ?? d.receipt?.applicant?.name;
      if (name && !this.recipient.value) this.recipient.value = name;
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
    const body: Any = { recipient: this.recipient.value.trim(), method: this.method.value };
    if (this.method.value === 'post' && this.postal.value.trim()) body.postalItem = this.postal.value.trim();
    try {
      const r = await post<Any>(`/dossiers/${encodeURIComponent(code)}/return`, body);
      this.status.ok(`${t('sent')}: ${code}`);
      const jobId: string | undefined = r.printJobId ?? r.print?.id;
      if (jobId) await showPrintout(this.preview, jobId, false);
    } catch (err) {
      this.status.fail(err);
    }
  }
}
