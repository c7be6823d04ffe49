/**
 * The clerk's counter (/counter?counter=3): queue controls, live scans (a CCCD fills the
 * applicant, a dossier code opens the dossier, a postal item number goes to the return form),
 * the receipt form, digitising and the return of results.
 */
import '../lib/base.css';
import './counter.css';
import { pageParam } from '../lib/api.ts';
import { h, render, vnTime } from '../lib/dom.ts';
import { EventStream, type AgentEvent } from '../lib/events.ts';
import { QueueFeed } from '../lib/queue.ts';
import { DigitisePanel } from './digitise.ts';
import { QueuePanel } from './queue-panel.ts';
import { RatingPanel } from './rating.ts';
import { ReceiptForm } from './receipt.ts';
import type { CitizenId } from '../lib/dossier.ts';
import { ReturnPanel } from './returns.ts';
import { clerk, counterId, i18n, t } from './shared.ts';

interface Scanned {
  kind: string;
  raw: string;
  parsed?: Record<string, any> | null;
}

const app = document.getElementById('app') as HTMLElement;

/** The clerk's desk: all panels. */
function desk(): void {
  const queuePanel = new QueuePanel();
  const receipt = new ReceiptForm();
  const digitise = new DigitisePanel(
    () => receipt.code.value.trim(),
    () => receipt.components().map((c) => c.name),
  );
  const returns = new ReturnPanel();
  const scanList = h('ol', { class: 'c-scans', 'data-testid': 'scans' });
  const scans: { at: string; label: string; kind: string }[] = [];
  const dot = h('span', { class: 'dot', title: 'offline' });
  const offline = h('p', { class: 'notice hidden' });

  receipt.onReceived = (code) => {
    if (!returns.code.value) returns.code.value = code;
  };

  /** What a scan shows in the list: never the personal data of an ID card. */
  function label(s: Scanned): string {
    if (s.kind === 'citizen-id') return 'CCCD ••••' + String(s.parsed?.idNumber ?? '').slice(-4);
    if (s.kind === 'citizen-id-invalid') return 'CCCD ?';
    return s.parsed?.code ?? s.parsed?.id ?? s.raw;
  }

  function onScan(ev: AgentEvent<Scanned>): void {
    const s = ev.data;
    scans.unshift({ at: ev.time, kind: s.kind, label: label(s) });
    scans.length = Math.min(scans.length, 8);
    render(scanList, scans.map((x) => h('li', { 'data-kind': x.kind }, h('span', { class: 'muted' }, vnTime(x.at)), ' ', h('b', {}, x.kind), ' ', x.label)));
    if (s.kind === 'citizen-id') receipt.fillFromCitizen((s.parsed ?? null) as CitizenId | null, true);
    else if (s.kind === 'citizen-id-invalid') receipt.fillFromCitizen(null, false);
    else if (s.kind === 'dossier') {
      void returns.open(s.parsed?.code ?? s.raw.trim());
    } else if (s.kind === 'postal-item') {
      returns.setPostalItem(s.parsed?.id ?? s.raw.trim());
    }
  }

  function layout(): void {
    render(
      app,
      h(
        'header',
        { class: 'c-head' },
        h('h1', {}, t('counter', { id: counterId }), ' — ', t('title')),
        h('label', { class: 'c-clerk' }, h('span', {}, t('clerk')), clerk),
        dot,
        h('button', { class: 'secondary', onclick: () => i18n.set(i18n.lang === 'vi' ? 'en' : 'vi') }, t('language')),
      ),
      offline,
      h(
        'div',
        { class: 'c-cols' },
        h('div', { class: 'c-col' }, queuePanel.el, h('section', { class: 'panel' }, h('h2', {}, t('scans')), scanList)),
        h('div', { class: 'c-col' }, receipt.el),
        h('div', { class: 'c-col' }, digitise.el, returns.el),
      ),
    );
  }

  const stream = new EventStream();
  const feed = new QueueFeed(stream);
  feed.onUpdate = (q) => queuePanel.update(q);
  stream.onStatus = (c) => {
    dot.className = `dot ${c ? 'on' : ''}`;
    dot.title = c ? 'online' : 'offline';
    offline.textContent = t('offline');
    offline.classList.toggle('hidden', c);
  };
  stream.onOpen = () => {
    void feed.load();
    void queuePanel.rating.refresh();
    void digitise.refresh();
  };
  stream
    .on('hcc.barcode.scanned', onScan)
    .on('hcc.scan.page', (ev) => digitise.onPage(ev))
    .on('hcc.scan.completed', (ev) => void digitise.onCompleted(ev))
    .on('hcc.queue.ticket.', (ev) => {
      if (ev.data?.counterId === counterId) void queuePanel.rating.refresh();
    })
    .on('hcc.feedback.rated', () => void queuePanel.rating.refresh())
    .start();

  // Texts of the form are built once; a language switch rebuilds the page (the form keeps its inputs only per session).
  i18n.onChange(() => location.reload());
  layout();
}

/** The citizen-facing tablet at the counter: only the rating, full screen. */
function tablet(): void {
  document.body.classList.add('c-tablet');
  const rating = new RatingPanel();
  const stream = new EventStream();
  stream.onOpen = () => void rating.refresh();
  stream
    .on('hcc.queue.ticket.', (ev) => {
      if (ev.data?.counterId === counterId) void rating.refresh();
    })
    .on('hcc.feedback.rated', () => void rating.refresh())
    .start();
  i18n.onChange(() => location.reload());
  render(
    app,
    h('header', { class: 'c-head' }, h('h1', {}, t('counter', { id: counterId })), h('button', { class: 'secondary', onclick: () => i18n.set(i18n.lang === 'vi' ? 'en' : 'vi') }, t('language'))),
    h('p', { class: 'c-tablet-hint muted' }, t('ratingHint')),
    rating.el,
  );
}

if (pageParam('view') === 'rating') tablet();
else desk();
