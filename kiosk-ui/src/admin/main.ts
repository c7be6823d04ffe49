/**
 * The centre operator's page: devices and their status (test page per printer), the outbox with
 * its dead letters (retry), recent events, and the health/configuration checks.
 */
import '../lib/base.css';
import './admin.css';
import { API, ApiError, get, post, withToken } from '../lib/api.ts';
import { h, render, vnTime } from '../lib/dom.ts';
import { EventStream, type AgentEvent } from '../lib/events.ts';
import { I18n } from '../lib/i18n.ts';
import type { PrintJob, PrintRequest } from '../lib/print.ts';
import type { DeviceInfo, HealthAnswer } from '../lib/system.ts';
import { texts, type Key } from './i18n.ts';

const i18n = new I18n<Key>(texts, 'hcc.admin.lang');
const t = i18n.t.bind(i18n);
type Any = Record<string, any>;

const app = document.getElementById('app') as HTMLElement;
const devicesEl = h('section', { class: 'panel', 'data-testid': 'devices' });
const outboxEl = h('section', { class: 'panel', 'data-testid': 'outbox' });
const eventsEl = h('ol', { class: 'a-events', 'data-testid': 'events' });
const healthEl = h('section', { class: 'panel', 'data-testid': 'health' });
const dot = h('span', { class: 'dot' });
const recent: AgentEvent[] = [];
/** Last test-page job per printer: its state and preview link. */
const testJobs = new Map<string, { id: string; state: string; error?: string }>();

function errText(err: unknown): string {
  return err instanceof ApiError ? i18n.pick(err.messageVi, err.message) : String(err);
}

async function testPage(printer: string): Promise<void> {
  try {
    const r = await post<PrintJob>('/print/jobs', { printer, template: 'test-page', data: {} } satisfies PrintRequest);
    testJobs.set(printer, { id: r.id, state: r.state });
    void followJob(printer, r.id);
  } catch (err) {
    testJobs.set(printer, { id: '', state: 'failed', error: errText(err) });
  }
  void drawDevices();
}

async function followJob(printer: string, id: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    try {
      const j = await get<PrintJob>(`/print/jobs/${encodeURIComponent(id)}`);
      testJobs.set(printer, { id, state: j.state, error: i18n.pick(j.errorVi, j.error) || undefined });
      void drawDevices();
      if (j.state !== 'queued' && j.state !== 'printing') return;
    } catch {
      return;
    }
  }
}

/** Conditions a simulated printer can be put in, to rehearse what staff see when paper runs out. */
const CONDITIONS: Record<string, Record<string, boolean>> = {
  fine: { paperOut: false, coverOpen: false, offline: false, paperNearEnd: false },
  paperNearEnd: { paperOut: false, coverOpen: false, offline: false, paperNearEnd: true },
  paperOut: { paperOut: true, coverOpen: false, offline: false },
  coverOpen: { paperOut: false, coverOpen: true, offline: false },
  offline: { paperOut: false, coverOpen: false, offline: true },
};

async function setCondition(printer: string, name: string): Promise<void> {
  try {
    await post(`/devices/${encodeURIComponent(printer)}/condition`, CONDITIONS[name]);
  } catch (err) {
    testJobs.set(printer, { id: '', state: 'failed', error: errText(err) });
  }
  void drawDevices();
}

function conditionPicker(d: DeviceInfo): HTMLElement {
  const byCode: Record<string, string> = { 'paper-out': 'paperOut', 'cover-open': 'coverOpen', offline: 'offline', 'paper-near-end': 'paperNearEnd' };
  const current = byCode[d.status.code ?? ''] ?? 'fine';
  const select = h(
    'select',
    { 'data-testid': `condition-${d.id}`, title: t('simulate'), onchange: (e: Event) => void setCondition(d.id, (e.target as HTMLSelectElement).value) },
    Object.keys(CONDITIONS).map((c) => h('option', { value: c, selected: c === current }, t(`cond_${c}` as Key))),
  );
  return h('label', { class: 'a-sim' }, h('span', {}, t('simulate')), select);
}

async function drawDevices(): Promise<void> {
  let list: DeviceInfo[];
  try {
    list = await get<DeviceInfo[]>('/devices');
  } catch (err) {
    return render(devicesEl, h('h2', {}, t('devices')), h('p', { class: 'bad' }, errText(err)));
  }
  render(
    devicesEl,
    h('h2', {}, t('devices')),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', {}, 'ID'), h('th', {}, t('type')), h('th', {}, t('state')), h('th', {}, t('reason')), h('th', {}, ''))),
      h(
        'tbody',
        {},
        list.map((d) => {
          const job = testJobs.get(d.id);
          return h(
            'tr',
            { 'data-device': d.id },
            h('td', {}, h('b', {}, d.id)),
            h('td', {}, `${d.type} / ${d.driver}`),
            h('td', { class: d.state === 'connected' ? 'ok' : 'bad', 'data-testid': `state-${d.id}` }, d.state),
            h('td', {}, i18n.pick(d.status.reasonVi, d.status.reason), h('div', { class: 'muted' }, vnTime(d.status.since, true))),
            h(
              'td',
              {},
              d.type === 'printer' ? h('button', { 'data-testid': `test-page-${d.id}`, onclick: () => void testPage(d.id) }, t('testPage')) : null,
              d.type === 'printer' && d.driver === 'simulated' ? conditionPicker(d) : null,
              job
                ? h(
                    'div',
                    { 'data-testid': `test-job-${d.id}`, 'data-state': job.state },
                    `${t('job')}: ${job.state}`,
                    job.error ? h('div', { class: 'bad' }, job.error) : null,
                    job.id ? ' ' : null,
                    job.id ? h('a', { href: withToken(`${API}/print/jobs/${encodeURIComponent(job.id)}/preview.png`), target: '_blank' }, t('preview')) : null,
                  )
                : null,
            ),
          );
        }),
      ),
    ),
  );
}

const outboxNote = h('p', { class: 'c-status', 'data-testid': 'outbox-note', role: 'status' });

/** Puts dead letters back in line; an id already retried elsewhere (404) is not an error worth stopping for. */
async function retry(ids: string[]): Promise<void> {
  outboxNote.textContent = '';
  for (const id of ids) {
    try {
      await post(`/outbox/dead/${encodeURIComponent(id)}/retry`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) outboxNote.textContent = errText(err);
    }
  }
  void drawOutbox();
}

async function drawOutbox(): Promise<void> {
  let o: Any;
  try {
    o = await get<Any>('/outbox');
  } catch (err) {
    return render(outboxEl, h('h2', {}, t('outbox')), h('p', { class: 'bad' }, errText(err)));
  }
  let dead: Any[] = [];
  if (Number(o.dead) > 0) {
    try {
      dead = await get<Any[]>('/outbox/dead?limit=50');
    } catch {
      /* the count is still shown */
    }
  }
  const age = o.oldestPendingAgeMs;
  render(
    outboxEl,
    h('h2', {}, t('outbox')),
    h(
      'dl',
      { class: 'a-facts' },
      h('dt', {}, t('pending')),
      h('dd', { 'data-testid': 'outbox-pending' }, String(o.pending ?? 0)),
      h('dt', {}, t('delivered')),
      h('dd', {}, String(o.delivered ?? 0)),
      h('dt', {}, t('dead')),
      h('dd', { 'data-testid': 'outbox-dead', class: Number(o.dead) ? 'bad' : '' }, String(o.dead ?? 0)),
      h('dt', {}, t('oldest')),
      h('dd', {}, age ? `${Math.round(age / 1000)} s` : '—'),
      h('dt', {}, t('lastError')),
      h('dd', {}, o.lastError ? `${o.lastError} (${vnTime(o.lastErrorAt, true)})` : '—'),
      h('dt', {}, t('relay')),
      h('dd', { 'data-testid': 'outbox-state' }, `${o.transport ?? ''} · ${o.state ?? ''}`),
    ),
    dead.length
      ? h(
          'table',
          { 'data-testid': 'dead-letters' },
          h('thead', {}, h('tr', {}, h('th', {}, t('event')), h('th', {}, t('reason')), h('th', {}, ''))),
          h(
            'tbody',
            {},
            dead.map((d) =>
              h(
                'tr',
                { 'data-dead': String(d.id) },
                h('td', {}, h('b', {}, String(d.type ?? '')), h('div', { class: 'muted' }, String(d.subject ?? ''))),
                h('td', {}, String(d.error ?? ''), h('div', { class: 'muted' }, `${t('attempts')}: ${d.attempts ?? 0}`)),
                h('td', {}, h('button', { 'data-testid': `retry-${d.id}`, onclick: () => void retry([String(d.id)]) }, t('retry'))),
              ),
            ),
          ),
        )
      : null,
    dead.length > 1 ? h('button', { 'data-testid': 'retry-all', onclick: () => void retry(dead.map((d) => String(d.id))) }, t('retryAll')) : null,
    outboxNote,
  );
}

/**
 * Health checks plus what the configuration means in practice, as the agent reports it: the queue
 * (services, counters, who numbers tickets), the forwarding transport, the printers.
 */
async function drawHealth(): Promise<void> {
  const [health, queue, link, outbox, devices] = await Promise.allSettled([get<HealthAnswer>('/health'), get<Any>('/queue/config'), get<Any>('/queue/link'), get<Any>('/outbox'), get<DeviceInfo[]>('/devices')]);
  if (health.status === 'rejected') return render(healthEl, h('h2', {}, t('config')), h('p', { class: 'bad' }, errText(health.reason)));
  const r = health.value;
  const facts: [string, string, boolean][] = [];
  if (queue.status === 'fulfilled') {
    const q = queue.value;
    facts.push([t('queueRole'), `${q.role}${link.status === 'fulfilled' && link.value.hostUrl ? ` → ${link.value.hostUrl}` : ''}`, link.status !== 'fulfilled' || link.value.reachable !== false]);
    facts.push([t('services'), (q.services ?? []).map((x: Any) => `${x.prefix} ${x.name}`).join(', ') || '—', (q.services ?? []).length > 0]);
    facts.push([t('counters'), (q.counters ?? []).map((x: Any) => x.name).join(', ') || '—', (q.counters ?? []).length > 0]);
    facts.push([t('openNow'), q.open ? t('yes') : t('no'), true]);
  }
  if (outbox.status === 'fulfilled') facts.push([t('relay'), `${outbox.value.transport} · ${outbox.value.state}`, outbox.value.transport !== 'none']);
  if (devices.status === 'fulfilled') {
    const printers = devices.value.filter((d) => d.type === 'printer');
    facts.push([t('printers'), printers.map((p) => `${p.id} (${p.driver})`).join(', ') || '—', printers.length > 0]);
  }
  render(
    healthEl,
    h('h2', {}, t('config')),
    h('p', {}, `${r.agent} @ ${r.site} — `, h('b', { class: r.status === 'ok' ? 'ok' : 'warn', 'data-testid': 'health-status' }, r.status)),
    h(
      'ul',
      { class: 'a-checks' },
      Object.entries(r.checks).map(([name, c]) => h('li', { class: c.ok ? 'ok' : 'bad' }, `${c.ok ? '✓' : '✗'} ${name}`, c.ok ? null : h('span', { class: 'muted' }, ` — ${i18n.pick(c.messageVi, c.message)}`))),
    ),
    h('dl', { class: 'a-facts', 'data-testid': 'config-facts' }, facts.flatMap(([k, v, ok]) => [h('dt', {}, k), h('dd', { class: ok ? '' : 'warn' }, v)])),
  );
}

/** Events as a line each; personal data (ID card reads, scans) is not shown here. */
function summary(ev: AgentEvent<Any>): string {
  const d = ev.data ?? {};
  if (ev.type === 'hcc.barcode.scanned') return `${d.device ?? ''} ${d.kind ?? ''}${d.kind === 'citizen-id' ? '' : ` ${ev.subject ?? ''}`}`;
  if (ev.type === 'hcc.device.status') return `${d.device ?? d.id ?? ''}: ${i18n.pick(d.reasonVi, d.reason) || d.state || ''}`;
  return ev.subject ?? '';
}

function drawEvents(): void {
  render(eventsEl, recent.map((ev) => h('li', {}, h('span', { class: 'muted' }, vnTime(ev.time)), ' ', h('b', {}, ev.type), ' ', summary(ev))));
}

function layout(): void {
  render(
    app,
    h('header', { class: 'a-head' }, h('h1', {}, t('title')), dot, h('button', { class: 'secondary', onclick: () => i18n.set(i18n.lang === 'vi' ? 'en' : 'vi') }, t('language'))),
    h('div', { class: 'a-cols' }, h('div', { class: 'a-col' }, devicesEl, outboxEl), h('div', { class: 'a-col' }, healthEl, h('section', { class: 'panel' }, h('h2', {}, t('events')), eventsEl))),
  );
  void drawDevices();
  void drawOutbox();
  void drawHealth();
  drawEvents();
}

const stream = new EventStream();
stream.onStatus = (c) => (dot.className = `dot ${c ? 'on' : ''}`);
stream.onOpen = (again) => {
  if (again) layout();
};
stream
  .on('', (ev) => {
    // The board state push repeats what the queue events already say.
    if (ev.type === 'hcc.queue.board') return;
    recent.unshift(ev);
    recent.length = Math.min(recent.length, 40);
    drawEvents();
  })
  .on('hcc.device.', () => void drawDevices())
  .start();

i18n.onChange(layout);
setInterval(() => {
  void drawOutbox();
  void drawHealth();
}, 5000);
layout();
