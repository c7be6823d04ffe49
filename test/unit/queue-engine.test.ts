/** The queue engine on a real SQLite file: numbering, daily reset, restart, priority policies, counter actions, ratings, printing failures. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { migrate, openDatabase, type Db } from '../../src/store/db.ts';
import { QUEUE_MIGRATIONS } from '../../src/queue/migrations.ts';
import { EventBus } from '../../src/bus.ts';
import { Events } from '../../src/events.ts';
import { OutboxStore } from '../../src/outbox/store.ts';
import { QueueEngine } from '../../src/queue/engine.ts';
import { QueueSection, type QueueConfig } from '../../src/queue/config.ts';
import { HttpError } from '../../src/http/errors.ts';
import type { PrintSubmitter } from '../../src/printing/api.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { Ajv } from 'ajv';
import { tempDir } from '../helpers/agent.ts';

const ajv = new Ajv({ useDefaults: true, strict: false });
const validate = ajv.compile(QueueSection);

function queueConfig(patch: Record<string, unknown> = {}): QueueConfig {
  const cfg: Record<string, unknown> = {
    services: [
      { id: 'land', name: 'Đất đai', nameEn: 'Land', prefix: 'A' },
      { id: 'civil', name: 'Hộ tịch', nameEn: 'Civil status', prefix: 'B', dailyLimit: 3 },
    ],
    counters: [
      { id: '1', name: 'Quầy 1', services: ['land', 'civil'] },
      { id: '3', name: 'Quầy 3', services: ['land'] },
    ],
    printing: { enabled: false },
    ...patch,
  };
  if (!validate(cfg)) throw new Error(JSON.stringify(validate.errors));
  return cfg as unknown as QueueConfig;
}

/** 2026-11-22 10:00 in Vietnam (UTC+7). */
const MORNING = Date.UTC(2026, 10, 22, 3, 0, 0);

interface Rig {
  dir: string;
  db: Db;
  engine: QueueEngine;
  events: CloudEvent[];
  now: { t: number };
  close(): void;
}

const open: Rig[] = [];
const failingPrinter: PrintSubmitter = {
  submit: () => {
    throw new HttpError(503, 'printing-unavailable', 'printing is not available', 'Chưa có chức năng in');
  },
  get: () => undefined,
};

function rig(cfg = queueConfig(), opts: { dir?: string; now?: { t: number }; printing?: PrintSubmitter } = {}): Rig {
  const dir = opts.dir ?? tempDir('hcc-queue-');
  const db = openDatabase(dir);
  const bus = new EventBus(pino({ level: 'silent' }));
  const outbox = new OutboxStore(db);
  outbox.start();
  const events = new Events(db, bus, outbox, 'urn:hcc:test:q');
  const seen: CloudEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  const now = opts.now ?? { t: MORNING };
  const engine = new QueueEngine(
    { db, events, config: cfg, timezone: 'Asia/Ho_Chi_Minh', printing: opts.printing ?? failingPrinter, printerProblem: () => undefined, onChange: () => undefined },
    () => new Date(now.t),
  );
  engine.start();
  const r: Rig = { dir, db, engine, events: seen, now, close: () => db.close() };
  open.push(r);
  return r;
}

afterEach(() => {
  for (const r of open.splice(0)) {
    if (r.db.open) r.db.close();
    rmSync(r.dir, { recursive: true, force: true });
  }
});

describe('numbering', () => {
  it('numbers per prefix from 001 with the local day', () => {
    const { engine } = rig();
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A001');
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A002');
    const b = engine.issue({ serviceId: 'civil' });
    expect(b).toMatchObject({ number: 'B001', day: '2026-11-22', waitingAhead: 0 });
    expect(engine.issue({ serviceId: 'land' }).waitingAhead).toBe(2);
  });

  it('refuses past the daily limit and keeps the count there', () => {
    const { engine } = rig();
    for (let i = 0; i < 3; i++) engine.issue({ serviceId: 'civil' });
    expect(() => engine.issue({ serviceId: 'civil' })).toThrow(expect.objectContaining({ kind: 'conflict', code: 'daily-limit' }));
    expect(engine.state().services.find((s) => s.id === 'civil')?.lastIssued).toBe('B003');
  });

  it('pads to the width the limit needs', () => {
    const { engine } = rig(queueConfig({ dailyLimit: 9999 }));
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A0001');
  });

  it('resets at midnight Asia/Ho_Chi_Minh, not UTC midnight', () => {
    const now = { t: Date.UTC(2026, 10, 22, 16, 59, 59) }; // 23:59:59 on the 22nd in Vietnam
    const { engine } = rig(queueConfig(), { now });
    expect(engine.issue({ serviceId: 'land' })).toMatchObject({ number: 'A001', day: '2026-11-22' });
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A002');
    now.t = Date.UTC(2026, 10, 22, 17, 0, 0); // 00:00 on the 23rd in Vietnam (still the 22nd in UTC)
    expect(engine.issue({ serviceId: 'land' })).toMatchObject({ number: 'A001', day: '2026-11-23', waitingAhead: 0 });
    // Yesterday's waiting tickets are not in today's line.
    expect(engine.state().services.find((s) => s.id === 'land')?.waiting).toBe(1);
    now.t = Date.UTC(2026, 10, 23, 16, 0, 0); // 23:00 on the 23rd: same day, continues
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A002');
  });

  it('continues after a restart the same day and resets after a restart the next day', () => {
    const now = { t: Date.UTC(2026, 10, 22, 16, 0, 0) }; // 23:00 Vietnam
    const first = rig(queueConfig(), { now });
    first.engine.issue({ serviceId: 'land' });
    first.engine.issue({ serviceId: 'land' });
    first.engine.callNext('3');
    first.close();

    const second = rig(queueConfig(), { dir: first.dir, now });
    expect(second.engine.issue({ serviceId: 'land' }).number).toBe('A003');
    expect(second.engine.state().counters.find((c) => c.id === '3')?.current?.number).toBe('A001');
    second.close();

    now.t = Date.UTC(2026, 10, 22, 17, 30, 0); // 00:30 the next day
    const third = rig(queueConfig(), { dir: first.dir, now });
    expect(third.engine.issue({ serviceId: 'land' })).toMatchObject({ number: 'A001', day: '2026-11-23' });
    expect(third.engine.state().counters.find((c) => c.id === '3')?.current).toBeNull();
  });

  it('refuses outside opening hours, in local time', () => {
    const now = { t: Date.UTC(2026, 10, 23, 0, 29, 0) }; // Monday 07:29 in Vietnam
    const { engine } = rig(queueConfig({ openingHours: [{ days: [1, 2, 3, 4, 5], from: '07:30', to: '11:30' }] }), { now });
    expect(() => engine.issue({ serviceId: 'land' })).toThrow(expect.objectContaining({ code: 'closed' }));
    now.t += 60_000;
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A001');
    now.t = Date.UTC(2026, 10, 23, 4, 30, 0); // 11:30
    expect(() => engine.issue({ serviceId: 'land' })).toThrow(expect.objectContaining({ code: 'closed' }));
  });

  it('refuses unknown services and priority categories', () => {
    const { engine } = rig();
    expect(() => engine.issue({ serviceId: 'nope' })).toThrow(expect.objectContaining({ kind: 'not-found', code: 'unknown-service' }));
    expect(() => engine.issue({ serviceId: 'land', priority: 'vip' })).toThrow(expect.objectContaining({ kind: 'invalid', code: 'unknown-priority' }));
  });
});

describe('counters', () => {
  it('strict policy calls waiting priority tickets first, then in order', () => {
    const { engine } = rig();
    engine.issue({ serviceId: 'land' }); // A001
    engine.issue({ serviceId: 'civil' }); // B001
    engine.issue({ serviceId: 'land', priority: 'elderly' }); // A002
    const order = [1, 2, 3].map(() => engine.callNext('1').ticket?.number);
    expect(order).toEqual(['A002', 'A001', 'B001']);
    expect(engine.callNext('1')).toMatchObject({ ticket: null, notice: { code: 'none-waiting' } });
  });

  it('interleaved policy calls one priority ticket per N normal ones', () => {
    const { engine } = rig(queueConfig({ priority: { policy: 'interleaved', every: 2 } }));
    for (let i = 0; i < 6; i++) engine.issue({ serviceId: 'land' }); // A001..A006
    for (let i = 0; i < 3; i++) engine.issue({ serviceId: 'land', priority: 'pregnant' }); // A007..A009
    const order = Array.from({ length: 9 }, () => engine.callNext('3').ticket?.number);
    // A new day starts owing a priority call, then 2 normal per priority, then what is left.
    expect(order).toEqual(['A007', 'A001', 'A002', 'A008', 'A003', 'A004', 'A009', 'A005', 'A006']);
  });

  it('a counter only calls its own services', () => {
    const { engine } = rig();
    engine.issue({ serviceId: 'civil' });
    expect(engine.callNext('3').ticket).toBeNull();
    expect(engine.callNext('1').ticket?.number).toBe('B001');
  });

  it('call-next completes the ticket being served; recall, skip, complete and their events', () => {
    const r = rig();
    const { engine } = r;
    engine.issue({ serviceId: 'land' });
    engine.issue({ serviceId: 'land' });
    r.now.t += 60_000;
    const c1 = engine.callNext('3');
    expect(c1.ticket).toMatchObject({ number: 'A001', state: 'called', counterId: '3' });
    const rc = engine.recall('3');
    expect(rc.callId).toBeGreaterThan(c1.callId!);
    r.now.t += 120_000;
    const c2 = engine.callNext('3');
    expect(c2.finished).toMatchObject({ number: 'A001', state: 'completed' });
    expect(c2.ticket?.number).toBe('A002');
    expect(engine.finish('3', 'no-show').ticket?.state).toBe('no-show');
    expect(() => engine.finish('3', 'completed')).toThrow(expect.objectContaining({ code: 'no-current-ticket' }));
    expect(() => engine.recall('9')).toThrow(expect.objectContaining({ kind: 'not-found' }));

    const types = r.events.map((e) => `${e.type} ${e.subject}`);
    expect(types).toEqual([
      'hcc.queue.ticket.issued A001',
      'hcc.queue.ticket.issued A002',
      'hcc.queue.ticket.called A001',
      'hcc.queue.ticket.recalled A001',
      'hcc.queue.ticket.completed A001',
      'hcc.queue.ticket.called A002',
      'hcc.queue.ticket.skipped A002',
    ]);
    const done = r.events.find((e) => e.type === 'hcc.queue.ticket.completed')!.data as Record<string, unknown>;
    expect(done).toMatchObject({ number: 'A001', counterId: '3', waitMs: 60_000, serviceMs: 120_000 });
    // Stored in the outbox with the change.
    const stored = r.db.prepare("SELECT type, subject FROM outbox WHERE type LIKE 'hcc.queue.%' ORDER BY seq").all();
    expect(stored).toHaveLength(7);
  });

  it('estimates the wait from the day\'s service times once a few tickets are served', () => {
    const r = rig();
    const { engine } = r;
    for (let i = 0; i < 3; i++) engine.issue({ serviceId: 'land' });
    expect(engine.issue({ serviceId: 'land' })).not.toHaveProperty('estimatedWaitMinutes');
    for (let i = 0; i < 3; i++) {
      engine.callNext('3');
      r.now.t += 4 * 60_000; // 4 minutes each
    }
    engine.finish('3', 'completed');
    for (let i = 0; i < 3; i++) engine.issue({ serviceId: 'land' });
    // 4 people ahead × 4 min ÷ 2 counters serving land.
    expect(engine.issue({ serviceId: 'land' })).toMatchObject({ waitingAhead: 4, estimatedWaitMinutes: 8 });
  });

  it('transfer keeps the number and puts it first in the other line', () => {
    const { engine } = rig();
    engine.issue({ serviceId: 'land' }); // A001
    engine.issue({ serviceId: 'civil' }); // B001
    engine.callNext('3');
    const t = engine.transfer('3', { serviceId: 'civil' });
    expect(t.ticket).toMatchObject({ number: 'A001', serviceId: 'civil', state: 'waiting', counterId: null });
    expect(engine.state().services.find((s) => s.id === 'civil')?.waiting).toBe(2);
    expect(engine.callNext('1').ticket?.number).toBe('A001');
    expect(engine.callNext('1').ticket?.number).toBe('B001');
  });
});

describe('ratings', () => {
  it('one rating per served ticket, pending on the counter tablet within the window', () => {
    const r = rig();
    const { engine } = r;
    engine.issue({ serviceId: 'land' });
    engine.callNext('3');
    expect(engine.pendingRating('3').ticket).toBeNull();
    expect(() => engine.rate({ number: 'A001', level: 'satisfied' })).toThrow(expect.objectContaining({ code: 'not-served' }));
    engine.finish('3', 'completed');
    expect(engine.pendingRating('3').ticket?.number).toBe('A001');
    expect(engine.rate({ counterId: '3', level: 'very-satisfied' })).toMatchObject({ number: 'A001', level: 'very-satisfied', score: 2 });
    expect(() => engine.rate({ number: 'A001', level: 'satisfied' })).toThrow(expect.objectContaining({ code: 'already-rated' }));
    expect(engine.pendingRating('3').ticket).toBeNull();
    expect(r.events.filter((e) => e.type === 'hcc.feedback.rated').map((e) => e.subject)).toEqual(['A001']);

    engine.issue({ serviceId: 'land' });
    engine.callNext('3');
    engine.finish('3', 'completed');
    r.now.t += 16 * 60_000; // past the 15-minute window
    expect(engine.pendingRating('3').ticket).toBeNull();
    expect(() => engine.rate({ counterId: '3', level: 'satisfied' })).toThrow(expect.objectContaining({ code: 'nothing-to-rate' }));
    expect(() => engine.rate({ number: 'A002', level: 'bad' })).toThrow(expect.objectContaining({ code: 'unknown-level' }));
  });
});

describe('printing', () => {
  it('a printing failure still issues the ticket, with printError', () => {
    const r = rig(queueConfig({ printing: { enabled: true } }));
    const t = r.engine.issue({ serviceId: 'land' });
    expect(t).toMatchObject({ number: 'A001', printError: { code: 'printing-unavailable' } });
    expect(t.printError?.messageVi).toMatch(/Không in được phiếu/);
    expect(r.engine.state().services[0].waiting).toBe(1);
  });

  it('submits in the ticket transaction; a submit that fails half-way is rolled back alone', () => {
    const jobs: unknown[] = [];
    let fail = false;
    let tick = 0;
    const printing: PrintSubmitter = {
      submit(req, tx) {
        expect(tx).toBeDefined();
        r.db.prepare('CREATE TABLE IF NOT EXISTS fake_jobs (id TEXT)').run();
        r.db.prepare('INSERT INTO fake_jobs VALUES (?)').run(`job-${++tick}`);
        if (fail) throw new HttpError(409, 'paper-out', 'paper out', 'Hết giấy');
        jobs.push(req);
        return { id: `job-${tick}`, state: 'queued' };
      },
      get: () => undefined,
    };
    const r = rig(queueConfig({ printing: { enabled: true, printer: 'ticket' } }), { printing });
    expect(r.engine.issue({ serviceId: 'land', priority: 'elderly' })).toMatchObject({ number: 'A001', printJobId: 'job-1' });
    expect(jobs[0]).toMatchObject({ template: 'queue-ticket', printer: 'ticket', data: { number: 'A001', serviceName: 'Đất đai', serviceNameEn: 'Land', waitingAhead: 0, counterHint: 'Ưu tiên: Người cao tuổi · Quầy 1, Quầy 3' } });
    fail = true;
    expect(r.engine.issue({ serviceId: 'land' })).toMatchObject({ number: 'A002', printError: { code: 'paper-out', messageVi: expect.stringContaining('Hết giấy') } });
    expect(r.db.prepare('SELECT id FROM fake_jobs').pluck().all()).toEqual(['job-1']);
    expect(r.db.prepare('SELECT number, print_job_id FROM queue_tickets ORDER BY id').all()).toEqual([
      { number: 'A001', print_job_id: 'job-1' },
      { number: 'A002', print_job_id: null },
    ]);
    expect(r.engine.issue({ serviceId: 'land', print: false })).not.toHaveProperty('printError');
  });
});

describe('blocks for client kiosks', () => {
  it('reserves from the top of the range, apart from the host\'s numbers, and accepts the tickets issued from them once', () => {
    const { engine } = rig();
    engine.issue({ serviceId: 'land' }); // A001
    const block = engine.reserveBlock({ serviceId: 'land', size: 5, agent: 'kiosk-1' });
    expect(block).toMatchObject({ first: 995, last: 999, prefix: 'A', width: 3 });
    expect(engine.reserveBlock({ serviceId: 'land', size: 5, agent: 'kiosk-2' })).toMatchObject({ first: 990, last: 994 });
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A002');
    const body = { agent: 'kiosk-1', tickets: [{ blockId: block.id, number: 'A995', serviceId: 'land', issuedAt: new Date(MORNING - 1000).toISOString() }] };
    expect(engine.importTickets(body)).toEqual({ accepted: 1, already: 0 });
    expect(engine.importTickets(body)).toEqual({ accepted: 0, already: 1 });
    // The line follows issue time: A995 was issued on the kiosk before A001 and A002 on the host.
    expect([1, 2, 3].map(() => engine.callNext('3').ticket?.number)).toEqual(['A995', 'A001', 'A002']);
    expect(() => engine.importTickets({ agent: 'kiosk-1', tickets: [{ ...body.tickets[0], number: 'A002' }] })).toThrow(expect.objectContaining({ code: 'not-in-block' }));
  });

  it('counts tickets against the daily limit, not numbers idle in kiosks\' reserves', () => {
    const { engine } = rig();
    // civil allows 3 tickets a day: two kiosks holding 20 numbers each must not use them up.
    const a = engine.reserveBlock({ serviceId: 'civil', size: 20, agent: 'kiosk-1' });
    engine.reserveBlock({ serviceId: 'civil', size: 20, agent: 'kiosk-2' });
    expect(engine.issue({ serviceId: 'civil' }).number).toBe('B001');
    expect(engine.issue({ serviceId: 'civil' }).number).toBe('B002');
    // A ticket a kiosk issued offline counts once it arrives …
    expect(engine.importTickets({ agent: 'kiosk-1', tickets: [{ blockId: a.id, number: `B${a.first}`, serviceId: 'civil', issuedAt: new Date(MORNING - 1000).toISOString() }] }).accepted).toBe(1);
    // … so the day's three are issued, and the next citizen is told.
    expect(() => engine.issue({ serviceId: 'civil' })).toThrow(expect.objectContaining({ code: 'daily-limit' }));
    expect(() => engine.reserveBlock({ serviceId: 'civil', size: 5, agent: 'kiosk-3' })).toThrow(expect.objectContaining({ code: 'daily-limit' }));
    expect(engine.state().services.find((s) => s.id === 'civil')?.lastIssued).toBe('B002');
  });

  it('takes a ticket only from the kiosk the block was reserved for, on the day it was reserved', () => {
    // After a replaced host database, block ids start again: id and range alone would match another
    // kiosk's block, or a block of today for a ticket issued yesterday.
    const { engine } = rig();
    const block = engine.reserveBlock({ serviceId: 'land', size: 5, agent: 'kiosk-1' });
    const ticket = { blockId: block.id, number: `A${block.first}`, serviceId: 'land', issuedAt: new Date(MORNING - 1000).toISOString() };
    expect(() => engine.importTickets({ agent: 'kiosk-2', tickets: [ticket] })).toThrow(expect.objectContaining({ code: 'not-in-block' }));
    expect(() => engine.importTickets({ agent: 'kiosk-1', tickets: [{ ...ticket, issuedAt: new Date(MORNING - 86_400_000).toISOString() }] })).toThrow(expect.objectContaining({ code: 'not-in-block' }));
    expect(engine.state().services.find((s) => s.id === 'land')?.waiting).toBe(0);
    expect(engine.importTickets({ agent: 'kiosk-1', tickets: [ticket] })).toEqual({ accepted: 1, already: 0 });
  });

  it('an agent upgraded mid-day counts the tickets it already issued against the limit', () => {
    const dir = tempDir('hcc-queue-');
    const db = openDatabase(dir, { schema: [] });
    migrate(db, 'queue', QUEUE_MIGRATIONS.slice(0, 3)); // the schema before tickets were counted
    const insert = db.prepare(`INSERT INTO queue_tickets (day, number, service_id, state, pos, issued_at, origin) VALUES ('2026-11-22', ?, ?, 'waiting', 0, 0, 'h')`);
    for (const [n, svc] of [['B001', 'civil'], ['B002', 'civil'], ['A001', 'land'], ['AB001', 'other']]) insert.run(n, svc);
    db.prepare(`INSERT INTO queue_numbering (day, prefix, last) VALUES ('2026-11-22', 'B', 2), ('2026-11-22', 'A', 1)`).run();
    db.close();
    const { engine } = rig(queueConfig(), { dir });
    expect(engine.issue({ serviceId: 'civil' }).number).toBe('B003');
    expect(() => engine.issue({ serviceId: 'civil' })).toThrow(expect.objectContaining({ code: 'daily-limit' }));
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A002');
  });

  it('when the limit fills the whole number range, reserves and the host\'s numbers meet and stop there', () => {
    const { engine, db } = rig(queueConfig({ dailyLimit: 999 }));
    db.pragma('synchronous = OFF'); // 990 tickets: durability is not what this test is about
    for (let i = 0; i < 990; i++) engine.issue({ serviceId: 'land' });
    expect(engine.reserveBlock({ serviceId: 'land', size: 5, agent: 'k' })).toMatchObject({ first: 995, last: 999 });
    expect(engine.reserveBlock({ serviceId: 'land', size: 5, agent: 'k' })).toMatchObject({ first: 991, last: 994 });
    expect(() => engine.reserveBlock({ serviceId: 'land', size: 5, agent: 'k' })).toThrow(expect.objectContaining({ code: 'daily-limit' }));
    expect(() => engine.issue({ serviceId: 'land' })).toThrow(expect.objectContaining({ code: 'daily-limit' }));
  });
});

describe('group commit', () => {
  it('a refusal rejects its own ticket only; the others of the batch are issued', async () => {
    const { engine } = rig();
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => engine.issueBatched({ serviceId: 'civil' })));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.number : (r.reason as { code: string }).code))).toEqual(['B001', 'B002', 'B003', 'daily-limit']);
  });

  it('a write the disk refused (SQLITE_IOERR_WRITE: EFBIG, EDQUOT) fails the whole batch with its cause and stores none of it', async () => {
    const { engine } = rig();
    const check = engine.checkPriority.bind(engine);
    // Thrown where a statement of the second ticket would fail, the transaction still open.
    vi.spyOn(engine, 'checkPriority').mockImplementation((p) => {
      if (p === 'war-invalid') throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
      return check(p);
    });
    const results = await Promise.allSettled([undefined, 'war-invalid', undefined].map((priority) => engine.issueBatched({ serviceId: 'land', priority })));
    expect(results.map((r) => r.status === 'rejected' && (r.reason as { code: string }).code)).toEqual(['SQLITE_IOERR_WRITE', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_WRITE']);
    expect(engine.issue({ serviceId: 'land' }).number).toBe('A001');
  });
});
