/** Queue controls for this counter and the satisfaction rating that follows a completed ticket. */
import { post } from '../lib/api.ts';
import { h, render } from '../lib/dom.ts';
import type { CounterResult, QueueView } from '../lib/queue.ts';
import { RatingPanel } from './rating.ts';
import { counterId, i18n, statusLine, t } from './shared.ts';

export class QueuePanel {
  readonly el = h('section', { class: 'panel c-queue', 'data-testid': 'queue-panel' });
  private queue: QueueView | null = null;
  readonly rating = new RatingPanel();
  private readonly status = statusLine('queue-status');
  private readonly transferTo = h('select', { 'data-testid': 'transfer-service' });

  update(q: QueueView): void {
    this.queue = q;
    this.draw();
  }

  /** An action is on its way: the buttons wait for it, so a double click cannot call (and skip) twice. */
  private busy = false;

  private async act(action: string, body: Record<string, unknown> = {}): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.draw();
    this.status.clear();
    try {
      const r = await post<CounterResult>(`/queue/counters/${encodeURIComponent(counterId)}/${action}`, body);
      if (action === 'call-next' && !r.ticket) this.status.ok(t('noneWaiting'));
      else if (r.notice) this.status.ok(i18n.pick(r.notice.messageVi, r.notice.message));
    } catch (err) {
      this.status.fail(err);
    } finally {
      this.busy = false;
      this.draw();
    }
    await this.rating.refresh();
  }

  draw(): void {
    const q = this.queue;
    const me = q?.counters.find((c) => c.id === counterId);
    const mine = new Set(me?.services ?? []);
    const waiting = (q?.services ?? []).filter((s) => mine.has(s.id)).reduce((n, s) => n + s.waiting, 0);
    const current = me?.current ?? null;
    const services = q?.services ?? [];
    if (this.transferTo.options.length !== services.length) {
      render(this.transferTo, services.map((s) => h('option', { value: s.id }, i18n.pick(s.name, s.nameEn))));
    }
    render(
      this.el,
      h('h2', {}, t('queue')),
      h('div', { class: 'c-serving' }, h('span', { class: 'muted' }, t('serving')), h('span', { class: 'c-current', 'data-testid': 'current' }, current?.number ?? '—')),
      h('p', { 'data-testid': 'waiting-here' }, t('waitingHere', { n: waiting })),
      h(
        'div',
        { class: 'c-actions' },
        h('button', { 'data-action': 'call-next', class: 'good', disabled: this.busy, onclick: () => this.act('call-next') }, t('callNext')),
        h('button', { 'data-action': 'recall', disabled: this.busy || !current, onclick: () => this.act('recall') }, t('recall')),
        h('button', { 'data-action': 'skip', disabled: this.busy || !current, class: 'secondary', onclick: () => this.act('skip') }, t('skip')),
        h('button', { 'data-action': 'complete', disabled: this.busy || !current, onclick: () => this.act('complete') }, t('complete')),
      ),
      h('div', { class: 'row' }, h('div', { class: 'grow' }, this.transferTo), h('button', { 'data-action': 'transfer', class: 'secondary', disabled: this.busy || !current, onclick: () => this.act('transfer', { serviceId: this.transferTo.value }) }, t('transfer'))),
      this.status.el,
      this.rating.el,
    );
  }
}
