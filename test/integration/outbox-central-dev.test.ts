/** `npm run central:dev` (src/main.ts central-dev): verifies signatures, deduplicates, prints one line per new event without its data. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sign } from '../../src/outbox/transports/http.ts';
import { freePort, until } from './outbox-helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('central-dev reference receiver', () => {
  it('accepts signed batches once per id, refuses bad signatures, never prints event data', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'central-dev', '--port', String(port)], { cwd: ROOT, env: { ...process.env, HCC_CENTRAL_HMAC_SECRET: 'dev-secret' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      await until(() => out.includes('central-dev receiver'), 30000);
      const ev = { specversion: '1.0', id: '01a2-dev-1', source: 'urn:hcc:s:a', type: 'hcc.dossier.received', subject: '000.00.21.H30-261122-0001', time: new Date().toISOString(), datacontenttype: 'application/json', sequence: '0000000000000001', data: { applicant: { name: 'Nguyễn Văn Bình' } } };
      const body = JSON.stringify([ev]);
      const post = (sig: string) => {
        const ts = String(Math.floor(Date.now() / 1000));
        return fetch(`http://127.0.0.1:${port}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json', 'x-hcc-timestamp': ts, 'x-hcc-signature': sig || sign('dev-secret', ts, body) }, body });
      };
      expect((await post('')).status).toBe(200);
      expect((await post('')).status).toBe(200); // a re-send: accepted, not printed again
      expect((await post('sha256=0000')).status).toBe(401);
      const status = await (await fetch(`http://127.0.0.1:${port}/api/dossiers/${ev.subject}`)).json();
      expect(status).toMatchObject({ code: ev.subject, status: 'processing' });
      await until(() => out.split('\n').length >= 3);
      const lines = out.trim().split('\n').slice(1);
      expect(lines).toEqual([`0000000000000001 hcc.dossier.received ${ev.subject} 01a2-dev-1 urn:hcc:s:a`]);
      expect(out).not.toContain('Nguyễn');
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
  }, 60000);
});
