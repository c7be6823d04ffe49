/**
 * The event map makes every emitted type and its data a compile-time contract: the lines marked
 * @ts-expect-error must stay errors, or `npm run check` (tsc) fails.
 */
import { describe, it, expect } from 'vitest';
import { openDatabase } from '../../src/store/db.ts';
import { EventBus } from '../../src/bus.ts';
import { Events } from '../../src/events.ts';
import { OutboxStore } from '../../src/outbox/store.ts';
import { createLogger } from '../../src/log.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { tempDir } from '../helpers/agent.ts';

describe('event map', () => {
  const setup = () => {
    const db = openDatabase(tempDir());
    const outbox = new OutboxStore(db);
    outbox.start();
    const bus = new EventBus(createLogger('silent'));
    const seen: CloudEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    return { db, events: new Events(db, bus, outbox, 'urn:hcc:s:a'), seen };
  };

  it('refuses a misspelt type or data missing a field at compile time, and records what it is given unchanged', () => {
    const { db, events, seen } = setup();
    const slip = { dossierCode: '000.00.21.H30-261122-0001', applicantName: 'Nguyễn Văn A', returnedAt: '2026-11-22T07:05:00.000Z', returnMethod: 'counter' as const, clerk: 'Trần B' };
    const refused = () => {
      // @ts-expect-error a misspelt type
      events.record('hcc.dossier.result.returnd', slip.dossierCode, slip);
      // @ts-expect-error the slip without the applicant's name
      events.record('hcc.dossier.result.returned', slip.dossierCode, { ...slip, applicantName: undefined });
      // @ts-expect-error another event's data
      events.transaction((tx) => tx.emit('hcc.queue.board', undefined, slip));
    };
    expect(refused).toBeTypeOf('function');

    const ev = events.record('hcc.dossier.result.returned', slip.dossierCode, slip);
    expect(ev.data.applicantName).toBe('Nguyễn Văn A');
    expect(seen.map((e) => [e.type, e.data])).toEqual([['hcc.dossier.result.returned', slip]]);
    const stored = db.prepare('SELECT type, envelope FROM outbox').get() as { type: string; envelope: string };
    expect(stored.type).toBe('hcc.dossier.result.returned');
    expect(JSON.parse(stored.envelope).data).toEqual(slip);
  });
});
