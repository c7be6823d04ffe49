/**
 * The satisfaction rating after a completed ticket (levels from the queue config): in the clerk's
 * queue panel, and full screen on the counter's citizen-facing tablet (/counter?counter=3&view=rating).
 */
import { get, post } from '../lib/api.ts';
import { h, render } from '../lib/dom.ts';
import type { PendingRating } from '../lib/queue.ts';
import { counterId, i18n, statusLine, t } from './shared.ts';

export class RatingPanel {
  readonly el = h('div', { class: 'c-rating-box' });
  private pending: PendingRating | null = null;
  private rated = '';
  private readonly status = statusLine('rating-status');

  /** Reads whether a completed ticket at this counter waits for its rating. */
  async refresh(): Promise<void> {
    try {
      this.pending = await get<PendingRating>(`/queue/rating/pending?counter=${encodeURIComponent(counterId)}`);
      if (this.pending.ticket) this.rated = '';
    } catch {
      this.pending = null;
    }
    this.draw();
  }

  private async rate(level: string, number: string): Promise<void> {
    this.status.clear();
    try {
      await post('/queue/ratings', { level, counterId, number });
      this.rated = number;
      this.pending = null;
    } catch (err) {
      this.status.fail(err);
    }
    this.draw();
  }

  private draw(): void {
    const p = this.pending;
    render(
      this.el,
      p?.ticket
        ? h(
            'div',
            { class: 'c-rating', 'data-testid': 'rating', 'data-number': p.ticket.number },
            h('h3', {}, `${t('rating')} — ${p.ticket.number}`),
            h(
              'div',
              { class: 'c-rating-levels' },
              p.levels.map((l) => h('button', { 'data-level': l.id, onclick: () => this.rate(l.id, p.ticket!.number) }, i18n.pick(l.name, l.nameEn))),
            ),
          )
        : this.rated
          ? h('p', { class: 'ok c-rated', 'data-testid': 'rated' }, t('rated'))
          : null,
      this.status.el,
    );
  }
}
