import { describe, it, expect } from 'vitest';
import { Ajv } from 'ajv';
import { Health, SNAPSHOT_MAX_AGE_MS } from '../../src/health.ts';
import { startAgent, testConfig } from '../helpers/agent.ts';

describe('health', () => {
  it('reuses the snapshot briefly, and drops it at once when invalidated', () => {
    const h = new Health();
    let ok = true;
    let calls = 0;
    h.register('thing', () => (calls++, ok ? { ok: true } : { ok: false, message: 'broken' }));
    expect(h.snapshot(1000)).toMatchObject({ status: 'ok', checksJson: '{"thing":{"ok":true}}' });
    ok = false;
    expect(h.snapshot(1000 + SNAPSHOT_MAX_AGE_MS / 2).status).toBe('ok'); // within the age: reused
    expect(calls).toBe(1);
    expect(h.snapshot(1000 + SNAPSHOT_MAX_AGE_MS + 1).status).toBe('degraded'); // too old: recomputed
    ok = true;
    h.invalidate(); // e.g. a device status event
    expect(h.snapshot(1000 + SNAPSHOT_MAX_AGE_MS + 2)).toMatchObject({ status: 'ok' });
    expect(calls).toBe(3);
  });

  it('a failing check degrades the report instead of failing it', () => {
    const h = new Health();
    h.register('bad', () => {
      throw new Error('boom');
    });
    expect(h.report()).toEqual({ status: 'degraded', checks: { bad: { ok: false, message: 'check failed: boom' } } });
  });

  it('GET /health answers what its OpenAPI schema says, and shows a device going away at once', async () => {
    const a = await startAgent(testConfig(), { listen: false });
    try {
      const get = async () => a.fastify.inject({ url: '/api/v1/health', headers: { host: 'localhost' } });
      const doc = (await a.fastify.inject({ url: '/docs/json', headers: { host: 'localhost' } })).json();
      const schema = doc.paths['/api/v1/health'].get.responses['200'].content['application/json'].schema;
      const validate = new Ajv({ strict: false }).compile(schema);
      const r = await get();
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      const body = r.json();
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      expect(body).toMatchObject({ status: 'ok', agent: a.ctx.config.agent.id, checks: { devices: { ok: true } } });
      // A device that disconnects emits its status event; the next health answer already says so.
      const dev = a.ctx.devices.list()[0];
      await a.ctx.devices.get(dev.id)!.stop();
      const after = (await get()).json();
      expect(validate(after)).toBe(true);
      expect(after.status).toBe('degraded');
      expect(after.checks.devices).toMatchObject({ ok: false, detail: { devices: [dev.id] } });
    } finally {
      await a.cleanup();
    }
  });
});
