import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, migrate, StoreError } from '../../src/store/db.ts';
import { EventBus } from '../../src/bus.ts';
import { Events } from '../../src/events.ts';
import { OutboxStore } from '../../src/outbox/store.ts';
import { uuidv7 } from '../../src/outbox/envelope.ts';
import { createLogger } from '../../src/log.ts';
import { tempDir } from '../helpers/agent.ts';
import { AGENT_SCHEMA } from '../../src/store/schema.ts';
import { QUEUE_MIGRATIONS } from '../../src/queue/migrations.ts';
import { anyEvents } from '../helpers/events.ts';

describe('store', () => {
  it('opens one WAL database with synchronous=FULL', () => {
    const db = openDatabase(tempDir());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });

  it('runs each concern\'s migrations once, in order, and refuses a newer schema', () => {
    const dir = tempDir();
    let db = openDatabase(dir);
    migrate(db, 'demo', ['CREATE TABLE a (x)']);
    migrate(db, 'demo', ['CREATE TABLE a (x)', 'ALTER TABLE a ADD COLUMN y']);
    migrate(db, 'demo', ['CREATE TABLE a (x)', 'ALTER TABLE a ADD COLUMN y']);
    expect(db.prepare("SELECT version FROM schema_migrations WHERE concern='demo' ORDER BY version").all()).toEqual([{ version: 1 }, { version: 2 }]);
    db.close();
    db = openDatabase(dir);
    expect(() => migrate(db, 'demo', ['CREATE TABLE a (x)'])).toThrow(StoreError);
    db.close();
  });

  it('brings every concern up to date when it opens, also a database of an earlier release', () => {
    const dir = tempDir();
    let db = openDatabase(dir, { schema: [{ concern: 'queue', steps: QUEUE_MIGRATIONS.slice(0, 1) }] });
    db.close();
    db = openDatabase(dir);
    const versions = Object.fromEntries((db.prepare('SELECT concern, MAX(version) AS v FROM schema_migrations GROUP BY concern').all() as { concern: string; v: number }[]).map((r) => [r.concern, r.v]));
    expect(versions).toEqual(Object.fromEntries(AGENT_SCHEMA.map((m) => [m.concern, m.steps.length])));
    expect(db.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('queue_numbering') WHERE name = 'issued'").get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses a database written by a newer agent, naming the concern', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    db.prepare("INSERT INTO schema_migrations (concern, version, applied_at) VALUES ('outbox', 99, '')").run();
    db.close();
    expect(() => openDatabase(dir)).toThrow(/outbox schema version 99/);
  });

  it('reports a file that is not a database clearly', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'agent.db'), 'this is not sqlite'.repeat(400));
    expect(() => openDatabase(dir)).toThrow(/agent\.db/);
  });
});

describe('events in transactions', () => {
  const setup = () => {
    const db = openDatabase(tempDir());
    const outbox = new OutboxStore(db);
    outbox.start();
    const bus = new EventBus(createLogger('silent'));
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(e.type));
    return { db, events: anyEvents(new Events(db, bus, outbox, 'urn:hcc:s:a')), seen };
  };

  it('stores and publishes events only when the transaction commits', () => {
    const { db, events, seen } = setup();
    db.exec('CREATE TABLE t (v)');
    expect(() =>
      events.transaction((tx) => {
        db.prepare('INSERT INTO t VALUES (1)').run();
        tx.emit('hcc.test.one', 'S1', {});
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(seen).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) c FROM outbox').get()).toEqual({ c: 0 });
    expect(db.prepare('SELECT COUNT(*) c FROM t').get()).toEqual({ c: 0 });
    const ev = events.transaction((tx) => {
      db.prepare('INSERT INTO t VALUES (2)').run();
      return tx.emit('hcc.test.two', 'S2', { n: 2 });
    });
    expect(seen).toEqual(['hcc.test.two']);
    expect(ev.sequence).toMatch(/^0+1$/);
    expect(db.prepare('SELECT id, subject FROM outbox').get()).toEqual({ id: ev.id, subject: 'S2' });
  });

  it('keeps live-only events out of the outbox', () => {
    const { db, events, seen } = setup();
    events.publish('hcc.scan.page', 'X', {});
    events.record('hcc.test', 'X', {}, { forward: false });
    expect(seen).toEqual(['hcc.scan.page', 'hcc.test']);
    expect(db.prepare('SELECT COUNT(*) c FROM outbox').get()).toEqual({ c: 0 });
  });

  it('makes UUIDv7 ids that sort by creation even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_800_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
