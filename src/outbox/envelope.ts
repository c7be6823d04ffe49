/** CloudEvents 1.0 envelope (JSON format) and the ids that make re-sends recognisable. */
import { randomBytes } from 'node:crypto';

export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  /** CloudEvents sequence extension: decimal, zero-padded so it also sorts as text. Set for outbox events. */
  sequence?: string;
  data: T;
}

let lastMs = 0;
let counter = 0;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix ms time, then a 12-bit counter that keeps ids monotonic within a
 * millisecond, then random bits. Written here because it is a dozen lines and node has only v4.
 */
export function uuidv7(now = Date.now()): string {
  if (now <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
    now = lastMs;
  } else {
    lastMs = now;
    counter = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function sourceUrn(site: string, agentId: string): string {
  return `urn:hcc:${site}:${agentId}`;
}

export function formatSequence(seq: number): string {
  return String(seq).padStart(16, '0');
}

export function makeEvent<T>(source: string, type: string, data: T, subject?: string, time = new Date()): CloudEvent<T> {
  const ev: CloudEvent<T> = { specversion: '1.0', id: uuidv7(time.getTime()), source, type, time: time.toISOString(), datacontenttype: 'application/json', data };
  if (subject !== undefined) ev.subject = subject;
  return ev;
}
