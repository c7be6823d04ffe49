/**
 * The display board: the latest call in huge type, the current number at every counter, recent
 * calls and waiting counts; plays each call's voice audio in order. Readable from 5 m: the
 * smallest text is ~3.5 % of the screen height. For autoplay, run the browser in kiosk mode with
 * --autoplay-policy=no-user-gesture-required.
 */
import '../lib/base.css';
import './board.css';
import { withToken } from '../lib/api.ts';
import { h, render, vnTime } from '../lib/dom.ts';
import { EventStream } from '../lib/events.ts';
import { QueueFeed, type QueueView } from '../lib/queue.ts';

const app = document.getElementById('app') as HTMLElement;
const audio = h('audio', { id: 'voice', 'data-testid': 'voice', preload: 'auto' });
document.body.append(audio);

let queue: QueueView | null = null;
let online: boolean | null = null;
let flash = 0;

/** Voice calls play one after another; a new call never cuts the one being spoken. */
const pending: string[] = [];
let speaking = false;
function say(url: string): void {
  pending.push(url);
  if (!speaking) next();
}
function next(): void {
  const url = pending.shift();
  if (!url) {
    speaking = false;
    return;
  }
  speaking = true;
  audio.src = withToken(url);
  audio.play().catch(() => next());
}
audio.addEventListener('ended', next);
audio.addEventListener('error', next);

function counterName(id: string): string {
  return queue?.counters.find((c) => c.id === id)?.name || `Quầy ${id}`;
}

function draw(): void {
  const q = queue;
  const top = q?.recent[0] ?? null;
  render(
    app,
    h(
      'header',
      { class: 'b-head' },
      h('div', { class: 'b-title' }, 'MỜI CÔNG DÂN ĐẾN QUẦY', h('span', { class: 'b-en' }, 'Now serving')),
      h('div', { class: 'b-clock' }, vnTime(new Date().toISOString())),
      h('span', { class: `dot ${online ? 'on' : ''}`, title: online ? 'connected' : 'offline' }),
    ),
    top
      ? h('section', { class: `b-latest ${flash ? 'flash' : ''}`, 'data-testid': 'latest' }, h('span', { class: 'b-num', 'data-testid': 'latest-number' }, top.number), h('span', { class: 'b-arrow' }, '→'), h('span', { class: 'b-counter' }, counterName(top.counterId)))
      : h('section', { class: 'b-latest idle' }, h('span', { class: 'b-idle' }, 'Xin mời lấy số thứ tự tại kiosk')),
    h(
      'div',
      { class: 'b-main' },
      h(
        'section',
        { class: 'b-counters' },
        (q?.counters ?? []).map((c) =>
          h('div', { class: 'b-cell', 'data-counter': c.id }, h('div', { class: 'b-cell-name' }, c.name), h('div', { class: 'b-cell-num', 'data-testid': `counter-${c.id}` }, c.current?.number ?? '—')),
        ),
      ),
      h(
        'aside',
        { class: 'b-side' },
        h('h2', {}, 'Vừa gọi', h('span', { class: 'b-en' }, 'Recent')),
        h(
          'ol',
          { class: 'b-recent', 'data-testid': 'recent' },
          (q?.recent ?? []).slice(0, 6).map((r) => h('li', {}, h('b', {}, r.number), ' ', h('span', {}, counterName(r.counterId)))),
        ),
        h('h2', {}, 'Đang chờ', h('span', { class: 'b-en' }, 'Waiting')),
        h(
          'ul',
          { class: 'b-waiting', 'data-testid': 'waiting' },
          (q?.services ?? []).map((s) => h('li', { 'data-service': s.id }, h('span', { class: 'b-wname' }, s.name), h('b', { class: 'b-wcount' }, String(s.waiting)))),
        ),
      ),
    ),
  );
}

/** Highest call id already announced; calls above it are new and are spoken. */
let lastCallId: number | null = null;

function announce(q: QueueView): void {
  const ids = q.recent.map((c) => c.callId);
  const top = Math.max(0, ...ids);
  if (lastCallId === null) {
    // First state after loading the page: show it, speak nothing from the past.
    lastCallId = top;
    return;
  }
  const fresh = q.recent.filter((c) => c.callId > (lastCallId ?? 0)).reverse();
  lastCallId = Math.max(lastCallId, top);
  for (const c of fresh) if (c.audioUrl) say(c.audioUrl);
  if (fresh.length) {
    flash = Date.now();
    setTimeout(() => {
      flash = 0;
      draw();
    }, 6000);
  }
}

const stream = new EventStream();
const feed = new QueueFeed(stream);
feed.onUpdate = (q) => {
  queue = q;
  announce(q);
  draw();
};
stream.onStatus = (c) => {
  online = c;
  draw();
};
stream.onOpen = () => void feed.load();
stream.start();

setInterval(draw, 30000);
draw();
