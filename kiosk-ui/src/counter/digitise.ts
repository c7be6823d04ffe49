/**
 * Digitising at the counter: start a scan session for the dossier, watch page thumbnails arrive
 * (hcc.scan.page events) grouped by component with a progress bar, then list the PDFs.
 */
import { API, get, post, withToken } from '../lib/api.ts';
import { h, render } from '../lib/dom.ts';
import type { AgentEvent } from '../lib/events.ts';
import { statusLine, t } from './shared.ts';

interface Page {
  page: number;
  component: string;
  thumbnail?: string;
}
interface ScanDoc {
  id: string;
  component: string;
  pages: number;
  sha256?: string;
}

type Any = Record<string, any>;

export class DigitisePanel {
  private session: string | null = null;
  private pages: Page[] = [];
  private total = 0;
  private docs: ScanDoc[] = [];
  private state = '';
  private readonly status = statusLine('scan-status');
  private readonly bar = h('progress', { max: 1, value: 0, 'data-testid': 'scan-progress' });
  private readonly groups = h('div', { class: 'c-thumbs', 'data-testid': 'thumbs' });
  private readonly docList = h('ul', { class: 'c-docs', 'data-testid': 'scan-docs' });
  private readonly button = h('button', { class: 'good', 'data-testid': 'start-scan', onclick: () => void this.start() }, t('startScan'));
  readonly el = h('section', { class: 'panel c-digitise', 'data-testid': 'digitise' }, h('h2', {}, t('digitise')), this.button, this.bar, this.status.el, this.groups, this.docList);

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
    this.total = 0;
    this.state = 'scanning';
    this.draw();
    const components = this.components();
    try {
      const r = await post<{ id: string }>('/scans', { dossierCode: code, ...(components.length ? { components } : {}) });
      this.session = r.id;
    } catch (err) {
      this.state = '';
      this.status.fail(err);
    }
    this.draw();
  }

  private mine(ev: AgentEvent<Any>): boolean {
    const id = ev.data?.sessionId ?? ev.data?.scanId ?? ev.data?.id;
    return this.session !== null && id === this.session;
  }

  onPage(ev: AgentEvent<Any>): void {
    if (!this.mine(ev)) return;
    const d = ev.data;
    const page: Page = { page: Number(d.page ?? d.index ?? this.pages.length + 1), component: String(d.component ?? ''), thumbnail: d.thumbnail ?? d.thumbnailUrl };
    this.pages.push(page);
    this.total = Number(d.total ?? d.progress?.total ?? 0);
    this.draw();
  }

  async onCompleted(ev: AgentEvent<Any>): Promise<void> {
    if (!this.mine(ev)) return;
    await this.refresh();
  }

  /** Reads the session's result (documents); also the way to catch up after a reconnect. */
  async refresh(): Promise<void> {
    if (!this.session) return;
    try {
      const s = await get<{ state: string; pages: number; documents: ScanDoc[]; error?: string; errorVi?: string }>(`/scans/${encodeURIComponent(this.session)}`);
      this.state = s.state;
      this.docs = s.documents ?? [];
      if (s.errorVi || s.error) this.status.fail(new Error(s.errorVi ?? s.error));
      else if (s.state !== 'scanning') this.status.ok(`${t('scanDone')} — ${t('pages', { n: s.pages })}`);
    } catch (err) {
      this.status.fail(err);
    }
    this.draw();
  }

  private draw(): void {
    this.button.disabled = this.state === 'scanning';
    const done = this.pages.length;
    this.bar.max = Math.max(this.total, done, 1);
    this.bar.value = this.state !== 'scanning' && this.docs.length ? this.bar.max : done;
    const byComponent = new Map<string, Page[]>();
    for (const p of this.pages) byComponent.set(p.component, [...(byComponent.get(p.component) ?? []), p]);
    render(
      this.groups,
      [...byComponent].map(([component, pages]) =>
        h(
          'div',
          { class: 'c-thumb-group', 'data-component': component },
          h('h4', {}, `${component || '—'} · ${t('pages', { n: pages.length })}`),
          h('div', { class: 'c-thumb-row' }, pages.map((p) => (p.thumbnail ? h('img', { class: 'c-thumb', src: p.thumbnail, alt: `${p.page}`, 'data-page': p.page }) : h('span', { class: 'c-thumb', 'data-page': p.page }, String(p.page))))),
        ),
      ),
    );
    render(
      this.docList,
      this.docs.map((d) =>
        h(
          'li',
          {},
          h('a', { href: withToken(`${API}/scans/${encodeURIComponent(this.session ?? '')}/documents/${encodeURIComponent(d.id)}`), target: '_blank', 'data-testid': 'scan-doc' }, `${d.component || d.id}.pdf`),
          ` — ${t('pages', { n: d.pages })}`,
        ),
      ),
    );
  }
}
