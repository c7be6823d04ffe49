/**
 * A personal (sealed) event the vault cannot open — the key file was lost and a new one created —
 * becomes a dead letter with a clear reason instead of stalling the outbox; the events behind it are
 * delivered. With the original key restored, the dead letter is retried and arrives intact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { OutboxStore } from '../../src/outbox/store.ts';
import { OutboxService } from '../../src/outbox/service.ts';
import { HttpTransport } from '../../src/outbox/transports/http.ts';
import { Receiver } from '../../src/outbox/receiver.ts';
import { Vault } from '../../src/security/vault.ts';
import { Events } from '../../src/events.ts';
import { EventBus } from '../../src/bus.ts';
import { Health } from '../../src/health.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { tempDir, testConfig } from '../helpers/agent.ts';
import { until } from './outbox-helpers.ts';
import { anyEvents, type AnyEvents } from '../helpers/events.ts';

const SOURCE = 'urn:hcc:test-site:test-desk';

describe('outbox: sealed events after the key file was replaced', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('one unreadable personal event is a dead letter with the reason; the five behind it are delivered', async () => {
    const r = await new Receiver({ hmacSecret: 'k' }).start();
    cleanups.push(() => r.close());
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const keyFile = join(dir, 'keys', 'vault.key');
    const logLines: string[] = [];

    /** One run of the agent's outbox: vault, database, store, events, service against the receiver. */
    function boot(): { db: Db; events: AnyEvents; svc: OutboxService; vault: Vault } {
      const vault = new Vault(keyFile);
      vault.start();
      const db = openDatabase(dataDir);
      const store = new OutboxStore(db, vault);
      store.start();
      const log = pino({ level: 'info' }, new Writable({ write(c, _e, cb) { logLines.push(c.toString()); cb(); } }));
      const events = new Events(db, new EventBus(log), store, SOURCE);
      const config = testConfig({ agent: { dataDir }, queue: { role: 'host', services: [], counters: [] }, devices: [], central: { relay: { backoffBaseMs: 5, backoffMaxMs: 40 } } });
      const transport = new HttpTransport({ url: r.url, token: '', hmacSecret: 'k', mode: 'batch', caFile: '', timeoutMs: 2000, source: SOURCE });
      const svc = new OutboxService(config, store, events, new Health(), log, { transport });
      return { db, events: anyEvents(events), svc, vault };
    }

    // First run: the relay is not started, so events wait; the personal one is first in line.
    let run = boot();
    const personal = run.events.record('hcc.dossier.received', 'D1', { applicant: { name: 'Nguyễn Văn A', idNumber: '001099012345' } }, { personal: true });
    const plain: CloudEvent[] = [];
    for (let i = 0; i < 5; i++) plain.push(run.events.record('hcc.queue.ticket.issued', `A00${i}`, { i }));
    run.db.close();
    const originalKey = readFileSync(keyFile);

    // The key file is lost (PC re-imaged, keyFile setting changed); the data dir is kept. Restart.
    rmSync(keyFile);
    run = boot();
    expect(run.vault.createdKey).toBe(true);
    await run.svc.start();
    await r.waitFor(5, 10000);
    await until(() => run.svc.status().delivered === 5 && run.svc.status().dead === 1);
    expect(new Set(r.events.map((e) => e.id))).toEqual(new Set(plain.map((e) => e.id)));
    const dead = run.svc.store.deadEvents();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ id: personal.id, subject: 'D1', error: 'cannot decrypt: the key file does not match (restored or replaced key?)' });
    expect(run.svc.status()).toMatchObject({ pending: 0, consecutiveFailures: 0 });
    const errors = logLines.map((l) => JSON.parse(l) as { level: number; msg: string; problem?: string }).filter((l) => l.level >= 50);
    expect(errors.some((l) => l.msg === 'personal-data key replaced while sealed events wait' && /holds 1 events sealed with an earlier key/.test(l.problem ?? ''))).toBe(true);
    expect(errors.some((l) => l.msg === 'outbox event cannot be read: dead letter')).toBe(true);
    expect(logLines.join('')).not.toContain('Nguyễn');
    await run.svc.stop();
    run.db.close();

    // The original key is restored: the dead letter, still sealed on disk, goes out intact when retried.
    writeFileSync(keyFile, originalKey, { mode: 0o600 });
    run = boot();
    expect(run.vault.createdKey).toBe(false);
    await run.svc.start();
    cleanups.push(async () => { await run.svc.stop(); run.db.close(); });
    expect(run.svc.retryDead(personal.id)).toBe(true);
    await r.waitFor(6, 10000);
    expect(r.events.find((e) => e.id === personal.id)?.data).toEqual(personal.data);
  });
});
