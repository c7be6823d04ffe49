/**
 * The citizen kiosk: pick a service, say whether priority applies, get a number (printed, and
 * always shown on screen); scan a receipt QR to see a dossier's status; or look a procedure up
 * (on-screen keyboard) to see the papers to bring. Returns to the start
 * after `?idle=` seconds without a touch (default 60).
 */
import '../lib/base.css';
import './kiosk.css';
import { ApiError, get, pageParam, post } from '../lib/api.ts';
import { h, render } from '../lib/dom.ts';
import { EventStream, type AgentEvent } from '../lib/events.ts';
import { I18n } from '../lib/i18n.ts';
import { QueueFeed, type IssueResult, type Label, type LinkState, type Notice, type QueueView, type Service } from '../lib/queue.ts';
import { texts, type Key } from './i18n.ts';
import type { DossierStatus } from '../lib/dossier.ts';
import type { PrintJob } from '../lib/print.ts';
import { dossierView, type DossierAnswer } from './dossier.ts';
import type { Appointment, Procedure, ProceduresAnswer } from '../lib/procedures.ts';
import { keyboard, type KeyPress } from './keyboard.ts';
import { procedureList, procedureView, type ListAnswer } from './procedures.ts';

const i18n = new I18n<Key>(texts, 'hcc.kiosk.lang');
const t = i18n.t.bind(i18n);
const IDLE_MS = Math.max(1, Number(pageParam('idle') ?? 60)) * 1000;

interface Ticket {
  number: string;
  serviceId: string;
  waitingAhead: number;
  printJobId?: string;
  /** Print failure reported with the ticket itself, if the agent already knows it. */
  printError?: string;
  /** E.g. issued offline from a reserved block while the queue host was unreachable. */
  notice?: string;
}

type Screen =
  | { name: 'home' }
  | { name: 'priority'; service: Service }
  | { name: 'busy' }
  | { name: 'ticket'; ticket: Ticket; service: Service; print: 'printing' | 'printed' | 'problem' | 'none' }
  | { name: 'lookup'; code?: string; answer?: DossierAnswer; notReceipt?: boolean }
  /** The catalogue search: `answer` is for `answerFor` (kept, dimmed, while the next query loads). */
  | { name: 'procedures'; query: string; answer?: ListAnswer; answerFor?: string }
  | { name: 'procedure'; procedure: Procedure; from: ProceduresScreen; appointment?: Appointment }
  | { name: 'error'; message: string };

type ProceduresScreen = Extract<Screen, { name: 'procedures' }>;

let screen: Screen = { name: 'home' };
let queue: QueueView | null = null;
let queueError = false;
let online = true;
/** A client kiosk that cannot reach the queue host says so (the agent's own bilingual sentence). */
let linkNotice: Notice | null = null;
const app = document.getElementById('app') as HTMLElement;

function show(s: Screen): void {
  screen = s;
  draw();
}

function serviceName(s: Service | Label): string {
  return i18n.pick(s.name, s.nameEn);
}

function header(): HTMLElement {
  return h(
    'header',
    { class: 'k-head' },
    h('div', { class: 'k-centre' }, t('centre')),
    h('button', { class: 'secondary k-lang', 'data-testid': 'lang', onclick: () => i18n.set(i18n.lang === 'vi' ? 'en' : 'vi') }, t('language')),
  );
}

function homeScreen(): HTMLElement[] {
  const list = queue?.services ?? [];
  const body: (HTMLElement | null)[] = [h('h1', { class: 'k-title' }, t('welcome'))];
  if (queueError && !queue) body.push(h('p', { class: 'notice bad' }, t('unavailable')));
  else if (queue && list.length === 0) body.push(h('p', { class: 'notice' }, t('noServices')));
  body.push(
    h(
      'div',
      { class: 'k-services' },
      list.map((s) =>
        h(
          'button',
          { class: 'k-service', 'data-service': s.id, onclick: () => chooseService(s) },
          h('span', { class: 'k-service-name' }, serviceName(s)),
          h('span', { class: 'k-service-wait' }, t('waitingN', { n: s.waiting })),
        ),
      ),
    ),
    h(
      'div',
      { class: 'k-home-actions' },
      h('button', { class: 'k-lookup k-papers-btn', 'data-testid': 'papers', onclick: () => openProcedures() }, t('papers')),
      h('button', { class: 'k-lookup good', 'data-testid': 'lookup', onclick: () => show({ name: 'lookup' }) }, t('lookup')),
    ),
  );
  return body.filter((x): x is HTMLElement => x !== null);
}

function chooseService(s: Service): void {
  if ((queue?.categories.length ?? 0) === 0) return void takeTicket(s);
  show({ name: 'priority', service: s });
}

function priorityScreen(service: Service): HTMLElement[] {
  return [
    h('h1', { class: 'k-title' }, serviceName(service)),
    h('h2', { class: 'k-question' }, t('priorityQ')),
    h(
      'div',
      { class: 'k-choices' },
      h('button', { class: 'k-choice', 'data-priority': '', onclick: () => takeTicket(service) }, t('priorityNo')),
      (queue?.categories ?? []).map((c) => h('button', { class: 'k-choice secondary', 'data-priority': c.id, onclick: () => takeTicket(service, c.id) }, serviceName(c))),
    ),
    h('button', { class: 'secondary k-back', onclick: () => show({ name: 'home' }) }, t('back')),
  ];
}

async function takeTicket(service: Service, priority?: string): Promise<void> {
  show({ name: 'busy' });
  let r: IssueResult;
  try {
    r = await post<IssueResult>('/queue/tickets', priority ? { serviceId: service.id, priority } : { serviceId: service.id });
  } catch (err) {
    // Never a stack trace on the kiosk: a plain sentence and the agent's own Vietnamese reason if any.
    const e = err as ApiError;
    const reason = e instanceof ApiError && e.status !== 0 && e.status < 500 ? i18n.pick(e.messageVi, e.message) : '';
    return show({ name: 'error', message: reason ? `${t('failed')} (${reason})` : e.status === 0 ? t('unavailable') : t('failed') });
  }
  // printError: the agent knew at once (no printer, spool refused); otherwise follow the job.
  const ticket: Ticket = { number: r.number, serviceId: r.serviceId, waitingAhead: r.waitingAhead, printJobId: r.printJobId, printError: r.printError?.code, notice: r.notice ? i18n.pick(r.notice.messageVi, r.notice.message) : undefined };
  const print = ticket.printError ? 'problem' : ticket.printJobId ? 'printing' : 'none';
  show({ name: 'ticket', ticket, service, print });
  if (print === 'printing' && ticket.printJobId) void followPrint(ticket);
}

/** Follows the ticket's print job until the printer has answered (printed or a problem). */
async function followPrint(ticket: Ticket): Promise<void> {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (screen.name !== 'ticket' || screen.ticket !== ticket) return;
    try {
      const job = await get<PrintJob>(`/print/jobs/${encodeURIComponent(ticket.printJobId!)}`);
      if (job.state === 'printed') return setPrint(ticket, 'printed');
      if (job.state === 'failed' || job.state === 'waiting' || job.state === 'interrupted') return setPrint(ticket, 'problem');
    } catch {
      return setPrint(ticket, 'problem');
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  setPrint(ticket, 'problem');
}

function setPrint(ticket: Ticket, print: 'printed' | 'problem'): void {
  if (screen.name === 'ticket' && screen.ticket === ticket) show({ ...screen, print });
}

function ticketScreen(s: Extract<Screen, { name: 'ticket' }>): (HTMLElement | null)[] {
  const { ticket } = s;
  return [
    h('p', { class: 'k-label' }, t('yourNumber')),
    h('div', { class: 'k-number', 'data-testid': 'ticket-number' }, ticket.number),
    h('p', { class: 'k-service-big' }, serviceName(s.service)),
    h('p', { class: 'k-ahead', 'data-testid': 'ahead' }, ticket.waitingAhead > 0 ? t('ahead', { n: ticket.waitingAhead }) : t('aheadNone')),
    s.print === 'problem'
      ? h('p', { class: 'notice bad k-staff', 'data-testid': 'print-problem', role: 'alert' }, t('printProblem'))
      : h('p', { class: 'k-hint', 'data-testid': 'print-ok' }, s.print === 'printing' ? t('printing') : s.print === 'printed' ? t('takeTicket') : t('watchBoard')),
    ticket.notice ? h('p', { class: 'notice' }, ticket.notice) : null,
    h('button', { class: 'k-done', onclick: () => show({ name: 'home' }) }, t('done')),
  ];
}

async function lookup(code: string): Promise<void> {
  show({ name: 'lookup', code });
  let answer: DossierAnswer;
  try {
    answer = { ok: true, data: await get<DossierStatus>(`/dossiers/${encodeURIComponent(code)}`) };
  } catch (err) {
    const e = err as ApiError;
    answer = { ok: false, status: e instanceof ApiError ? e.status : 0 };
  }
  if (screen.name === 'lookup' && screen.code === code) show({ name: 'lookup', code, answer });
}

function lookupScreen(s: Extract<Screen, { name: 'lookup' }>): (HTMLElement | null)[] {
  return [
    h('h1', { class: 'k-title' }, t('lookup')),
    s.code ? dossierView(s.code, s.answer, t, i18n.pick.bind(i18n)) : h('p', { class: 'k-hint k-scan-hint', 'data-testid': 'scan-hint' }, t('lookupHint')),
    s.notReceipt ? h('p', { class: 'notice', role: 'alert', 'data-testid': 'not-receipt' }, t('notReceipt')) : null,
    h('button', { class: 'k-done', onclick: () => show({ name: 'home' }) }, t('done')),
  ];
}

/** Longest query the keyboard types (the agent takes 200 characters). */
const MAX_QUERY = 60;
let searchTimer: ReturnType<typeof setTimeout> | undefined;

function openProcedures(): void {
  show({ name: 'procedures', query: '' });
  void search('');
}

async function search(query: string): Promise<void> {
  const q = query.trim();
  let answer: ListAnswer;
  try {
    // Empty: the whole catalogue by field (up to the agent's 200); typed: the best 50 matches.
    answer = { ok: true, data: await get<ProceduresAnswer>(`/procedures?q=${encodeURIComponent(q)}&limit=${q ? 50 : 200}`) };
  } catch (err) {
    answer = { ok: false, status: err instanceof ApiError ? err.status : 0 };
  }
  if (screen.name === 'procedures' && screen.query === query) show({ ...screen, answer, answerFor: query });
}

function typeKey(k: KeyPress): void {
  if (screen.name !== 'procedures') return;
  const prev = screen.query;
  const next = 'char' in k ? (prev + k.char).replace(/^ +/, '').replace(/ {2,}/g, ' ').slice(0, MAX_QUERY) : k.action === 'clear' ? '' : prev.slice(0, -1);
  if (next === prev) return;
  show({ ...screen, query: next });
  // Only the spaces differ: same search.
  if (next.trim() === (screen.answerFor ?? '').trim() && screen.answer) return show({ ...screen, answerFor: next });
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void search(next), 250);
}

function openProcedure(procedure: Procedure, from: ProceduresScreen): void {
  show({ name: 'procedure', procedure, from });
  window.scrollTo(0, 0);
  void expectedAppointment(procedure);
}

/** "If you submit today, results around …": only a hint, left out when the calendar does not answer. */
async function expectedAppointment(p: Procedure): Promise<void> {
  try {
    const a = await get<Appointment>(`/calendar/appointment?${p.processingHours ? `workingHours=${p.processingHours}` : `workingDays=${p.processingDays}`}`);
    if (screen.name === 'procedure' && screen.procedure === p) show({ ...screen, appointment: a });
  } catch {}
}

function proceduresScreen(s: ProceduresScreen): (HTMLElement | null)[] {
  const empty = s.answer?.ok === true && s.answer.data.catalogue.size === 0;
  const list = procedureList(s.answerFor ?? '', s.answer, t, i18n.pick.bind(i18n), (p) => openProcedure(p, s), () => {
    show({ name: 'procedures', query: s.query });
    void search(s.query);
  });
  if (s.answer && s.answerFor !== s.query) {
    // The next query is on its way: the last answer stays, dimmed, under a "searching" line.
    list.classList.add('k-stale');
    list.setAttribute('aria-busy', 'true');
    list.prepend(h('p', { class: 'k-hint', 'data-testid': 'proc-loading' }, t('searching')));
  }
  return [
    h('h1', { class: 'k-title' }, t('papers')),
    empty
      ? null
      : h(
          'label',
          { class: 'k-search' },
          h('span', { class: 'k-search-label' }, t('searchLabel')),
          h('input', { class: 'k-search-input', readOnly: true, inputmode: 'none', autocomplete: 'off', value: s.query, placeholder: t('papersHint'), 'data-testid': 'proc-query' }),
        ),
    empty ? null : keyboard({ name: t('searchLabel'), space: t('keySpace'), del: t('keyDelete'), clear: t('keyClear') }, typeKey),
    list,
    h('button', { class: 'secondary k-back', onclick: () => show({ name: 'home' }) }, t('back')),
  ];
}

function procedureScreen(s: Extract<Screen, { name: 'procedure' }>): HTMLElement[] {
  return [
    procedureView(s.procedure, s.appointment, i18n.lang, t, i18n.pick.bind(i18n)),
    h(
      'div',
      { class: 'k-proc-actions' },
      h('button', { class: 'secondary', 'data-testid': 'back-to-list', onclick: () => backToList(s.from) }, t('backToList')),
      h('button', { class: 'good', 'data-testid': 'get-ticket', onclick: () => show({ name: 'home' }) }, t('getTicket')),
    ),
  ];
}

function backToList(from: ProceduresScreen): void {
  show(from);
  if (from.answerFor !== from.query || !from.answer?.ok) void search(from.query);
}

function draw(): void {
  const body: (HTMLElement | null)[] =
    screen.name === 'home'
      ? homeScreen()
      : screen.name === 'priority'
        ? priorityScreen(screen.service)
        : screen.name === 'ticket'
          ? ticketScreen(screen)
          : screen.name === 'lookup'
            ? lookupScreen(screen)
            : screen.name === 'procedures'
              ? proceduresScreen(screen)
              : screen.name === 'procedure'
                ? procedureScreen(screen)
                : screen.name === 'busy'
                  ? [h('p', { class: 'k-title' }, t('working'))]
                  : [h('p', { class: 'notice bad k-staff', role: 'alert', 'data-testid': 'error' }, screen.message), h('button', { class: 'k-done', onclick: () => show({ name: 'home' }) }, t('done'))];
  render(
    app,
    header(),
    linkNotice ? h('p', { class: 'notice k-offline', 'data-testid': 'link-notice' }, i18n.pick(linkNotice.messageVi, linkNotice.message)) : null,
    h('section', { class: `k-screen k-${screen.name}`, 'data-screen': screen.name }, body),
    online ? null : h('p', { class: 'notice k-offline' }, t('offline')),
  );
}

// Idle: back to the start (and to Vietnamese) after IDLE_MS without a touch or a scan.
let idleTimer: ReturnType<typeof setTimeout> | undefined;
function touched(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    i18n.set('vi');
    if (screen.name !== 'home') show({ name: 'home' });
  }, IDLE_MS);
}
for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, touched, { passive: true });

i18n.onChange(draw);
const stream = new EventStream();
const feed = new QueueFeed(stream);
feed.onUpdate = (q) => {
  queue = q;
  if (screen.name === 'home') draw();
};
stream.onStatus = (c) => {
  online = c;
  draw();
};
stream.onOpen = () => void feed.load().then(() => {
  queueError = feed.error && !queue;
  if (screen.name === 'home') draw();
});
stream
  .on('hcc.barcode.scanned', (ev: AgentEvent<{ kind: string; raw: string; parsed?: { code?: string } | null }>) => {
    if (ev.data.kind !== 'dossier') {
      // On the look-up screen, something else was scanned (an ID card, a postal label…): say so, show nothing of it.
      if (screen.name === 'lookup') show({ name: 'lookup', notReceipt: true });
      return;
    }
    touched();
    void lookup(ev.data.parsed?.code ?? ev.data.raw.trim());
  })
  .start();

async function checkLink(): Promise<void> {
  let next: typeof linkNotice = null;
  try {
    next = (await get<LinkState>('/queue/link')).notice;
  } catch {
    /* the agent itself is unreachable: the connection notice covers it */
  }
  if (JSON.stringify(next) !== JSON.stringify(linkNotice)) {
    linkNotice = next;
    draw();
  }
}
setInterval(() => void checkLink(), 15000);

draw();
touched();
void checkLink();
