/**
 * Digitising at the counter: start a scan session for the dossier, watch page thumbnails arrive
 * (hcc.scan.page events) grouped by component with a progress bar, then list the PDFs.
 */
import { API, get, post, withToken } from '../lib/api.ts';
import { h, render } from '../lib/dom.ts';
import type { AgentEvent } from '../lib/events.ts';
import type { ScanCompletedData, ScanDocument, ScanPageData, ScanSession } from '../lib/scans.ts';
import { i18n, statusLine, t } from './shared.ts';

interface Page {
  page: number;
  /** page | blank | separator: blanks and separator sheets are shown but not kept. */
  kind: string;
  component: string;
  thumbnail?: string;
}

export class DigitisePanel {
  private session: string | null = null;
  /** Dossier code of a session being started: its first pages can arrive before POST /scans answers. */
  private starting: string | null = null;
  private pages: Page[] = [];
  private docs: ScanDocument[] = [];
  private state = '';
  private readonly status = statusLine('scan-status');
  private readonly bar = h('progress', { 'data-testid': 'scan-progress' });
  private readonly count = h('span', { 'data-testid': 'scan-count' });
  /** A session paused by a scanner error (jam, cover open, empty feeder): continue or finish it. */
  private readonly paused = h(
    'div',
    { class: 'row hidden', 'data-testid': 'scan-paused' },
    h('button', { onclick: () => void this.resume('continue') }, t('continueScan')),
    h('button', { class: 'secondary', onclick: () => void this.resume('finish') }, t('finishScan')),
  );
  private readonly groups = h('div', { class: 'c-thumbs', 'data-testid': 'thumbs' });
  private readonly docList = h('ul', { class: 'c-docs', 'data-testid': 'scan-docs' });
  private readonly button = h('button', { class: 'good', 'data-testid': 'start-scan', onclick: () => void this.start() }, t('startScan'));
  readonly el = h('section', { class: 'panel c-digitise', 'data-testid': 'digitise' }, h('h2', {}, t('digitise')), this.button, this.bar, this.count, this.paused, this.status.el, this.groups, this.docList);

  constructor(
    private readonly dossierCode: () => string,
    private readonly components: () => string[],
  ) {}

  async start(): Promise<void> {
    const code = this.dossierCode();
    this.status.clear();
    if (!code) return this.status.fail(new Error(t('needCode')));
    this.pages = [];
    this.docs = [];
    this.state = 'scanning';
    this.draw();
    const components = this.components();
    this.session = null;
    this.starting = code;
    try {
      const r = await post<{ id: string }>('/scans', { dossierCode: code, ...(components.length ? { components } : {}) });
      this.session = r.id;
      if (this.state !== 'scanning') await this.refresh();
    } catch (err) {
      this.state = '';
      this.status.fail(err);
    }
    this.draw();
  }

  private mine(ev: AgentEvent<{ sessionId: string }>): boolean {
    const id = ev.data?.sessionId;
    if (this.session === null && this.starting !== null && ev.subject === this.starting && typeof id === 'string') this.session = id;
    return this.session !== null && id === this.session;
  }

  onPage(ev: AgentEvent<ScanPageData>): void {
    if (!this.mine(ev)) return;
    const d = ev.data;
    const thumb = typeof d.thumbnail === 'string' && d.thumbnail.startsWith('data:image/') ? d.thumbnail : d.thumbnailUrl ? withToken(d.thumbnailUrl) : undefined;
    this.pages.push({ page: Number(d.page), kind: String(d.kind ?? 'page'), component: String(d.component ?? ''), thumbnail: thumb });
    this.draw();
  }

  async onCompleted(ev: AgentEvent<ScanCompletedData>): Promise<void> {
    if (!this.mine(ev)) return;
    await this.refresh();
  }

  /** Reads the session's result (documents); also the way to catch up after a reconnect. */
  async refresh(): Promise<void> {
    if (!this.session) return;
    try {
      const s = await get<ScanSession>(`/scans/${encodeURIComponent(this.session)}`);
      this.state = s.state;
      this.docs = s.documents ?? [];
      const notes = (s.warnings ?? []).map((w) => i18n.pick(w.messageVi, w.message)).join('; ');
      if (s.error) this.status.fail(new Error(i18n.pick(s.error.messageVi, s.error.message)));
      else if (s.state === 'completed') this.status.ok(`${t('scanDone')} — ${t('keptOf', { kept: s.kept, n: s.pages })}${notes ? ` (${notes})` : ''}`);
    } catch (err) {
      this.status.fail(err);
    }
    this.draw();
  }

  private async resume(action: 'continue' | 'finish'): Promise<void> {
    if (!this.session) return;
    this.status.clear();
    try {
      await post(`/scans/${encodeURIComponent(this.session)}/${action}`);
      this.state = action === 'continue' ? 'scanning' : this.state;
    } catch (err) {
      this.status.fail(err);
    }
    await this.refresh();
  }

  private draw(): void {
    this.button.disabled = this.state === 'scanning';
    this.paused.classList.toggle('hidden', this.state !== 'paused');
    // A feeder does not say how many sheets it holds: the bar runs until the session ends.
    if (this.state === 'scanning') this.bar.removeAttribute('value');
    else this.bar.value = this.state ? 1 : 0;
    this.count.textContent = this.state ? t('pages', { n: this.pages.length }) : '';
    const byComponent = new Map<string, Page[]>();
    // Components in scan order first; blank backs and separator sheets (not kept) after them.
    const ordered = [...this.pages.filter((p) => p.kind === 'page'), ...this.pages.filter((p) => p.kind !== 'page')];
    for (const p of ordered) {
      const group = p.kind === 'page' ? p.component : `(${t(p.kind === 'blank' ? 'blankPages' : 'separators')})`;
      byComponent.set(group, [...(byComponent.get(group) ?? []), p]);
    }
    render(
      this.groups,
      [...byComponent].map(([component, pages]) =>
        h(
          'div',
          { class: 'c-thumb-group', 'data-component': component },
          h('h4', {}, `${component || '—'} · ${t('pages', { n: pages.length })}`),
          h('div', { class: 'c-thumb-row' }, pages.map((p) => (p.thumbnail ? h('img', { class: `c-thumb ${p.kind}`, src: p.thumbnail, alt: `${p.page}`, title: `${p.page}`, 'data-page': p.page, 'data-kind': p.kind }) : h('span', { class: `c-thumb ${p.kind}`, 'data-page': p.page, 'data-kind': p.kind }, String(p.page))))),
        ),
      ),
    );
    render(
      this.docList,
      this.docs.map((d) =>
        h(
          'li',
          {},
          h('a', { href: withToken(`${API}/scans/${encodeURIComponent(this.session ?? '')}/documents/${encodeURIComponent(d.id)}`), target: '_blank', 'data-testid': 'scan-doc' }, d.name || `${d.component || d.id}.pdf`),
          ` — ${t('pages', { n: d.pages })}`,
        ),
      ),
    );
  }
}
