/** HTTP transport pieces: signature, Retry-After, status classes, and TLS with a custom CA file. */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpTransport, isLinkProblem, isRetryableStatus, parseRetryAfter, sign } from '../../src/outbox/transports/http.ts';
import { verifySignature } from '../../src/outbox/receiver.ts';
import type { OutboundEvent } from '../../src/outbox/store.ts';
import { tempDir } from '../helpers/agent.ts';

const ev = (seq: number): OutboundEvent => ({ seq, id: `id-${seq}`, type: 'hcc.test', subject: 'S', json: `{"specversion":"1.0","id":"id-${seq}","sequence":"${seq}"}`, size: 40 });

describe('HTTP transport', () => {
  it('signs timestamp.body with HMAC-SHA256 and the receiver verifies it', () => {
    const body = Buffer.from('[{"id":"1"}]');
    const sig = sign('secret', '1763773200', body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    // Reference value computed independently: printf '1763773200.[{"id":"1"}]' | openssl dgst -sha256 -hmac secret
    const ref = execFileSync('openssl', ['dgst', '-sha256', '-hmac', 'secret'], { input: `1763773200.${body}` }).toString().trim().split(' ').pop();
    expect(sig).toBe(`sha256=${ref}`);
    expect(verifySignature('secret', '1763773200', sig, body, 1763773200)).toBeNull();
    expect(verifySignature('secret', '1763773200', sig, Buffer.from('[{"id":"2"}]'), 1763773200)).toMatch(/does not match/);
    expect(verifySignature('other', '1763773200', sig, body, 1763773200)).toMatch(/does not match/);
    expect(verifySignature('secret', '1763773200', sig, body, 1763773200 + 301)).toMatch(/300 s/);
    expect(verifySignature('secret', undefined, sig, body)).toMatch(/missing/);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 10, 22, 8, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120000);
    expect(parseRetryAfter(new Date(now + 30000).toUTCString(), now)).toBe(30000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('retries 408/429/5xx and answers about the link (3xx, 401, 403, 404, 405, 407); refuses content (400, 413, 415, 422…)', () => {
    for (const s of [408, 425, 429, 500, 502, 503, 504]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [301, 302, 307, 308, 401, 403, 404, 405, 407, 421]) {
      expect(isRetryableStatus(s), String(s)).toBe(true);
      expect(isLinkProblem(s), String(s)).toBe(true);
    }
    for (const s of [400, 409, 413, 415, 422]) expect(isRetryableStatus(s), String(s)).toBe(false);
    for (const s of [400, 413, 429, 500]) expect(isLinkProblem(s), String(s)).toBe(false);
  });

  it('trusts a custom CA file for HTTPS, and fails (retryably) without it', async () => {
    const dir = tempDir();
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
      const bodies: string[] = [];
      const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
        let b = '';
        req.on('data', (c) => (b += c));
        req.on('end', () => {
          bodies.push(`${req.headers['content-type']} ${req.headers.authorization} ${b}`);
          res.writeHead(202).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const opts = { url, token: 'tok', hmacSecret: '', mode: 'batch' as const, timeoutMs: 3000, source: 'urn:hcc:s:a' };
      const withCa = new HttpTransport({ ...opts, caFile: join(dir, 'cert.pem') });
      withCa.start();
      expect(await withCa.send([ev(1), ev(2)], new AbortController().signal)).toEqual({ delivered: [1, 2] });
      expect(bodies[0]).toMatch(/^application\/cloudevents-batch\+json Bearer tok \[\{.*"id":"id-1".*\},\{.*"id":"id-2".*\}\]$/);
      withCa.stop();
      const without = new HttpTransport({ ...opts, caFile: '' });
      without.start();
      const r = await without.send([ev(3)], new AbortController().signal);
      expect(r.delivered).toEqual([]);
      expect(r.retry?.error).toMatch(/SELF_SIGNED|self.signed|certificate/i);
      without.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
