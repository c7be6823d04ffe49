/** The spool survives a crash: a job caught mid-transfer becomes `interrupted` and is reprinted only on retry. */
import { describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../helpers/agent.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('print spool across a crash', () => {
  it('marks a job caught mid-transfer interrupted, prints nothing by itself, and retries on request', { timeout: 60000 }, async () => {
    const config = testConfig();
    // First run in a child process, killed with SIGKILL while the job is being sent.
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./printing-crash.child.ts', import.meta.url))], { env: { ...process.env, HCC_TEST_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'inherit'] });
    const id = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /PRINTING (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const second = await buildApp(config);
    const events: CloudEvent[] = [];
    second.ctx.bus.subscribe((e) => events.push(e));
    await second.start({ listen: false });
    try {
      const j = second.ctx.printing.get(id)!;
      expect(j).toMatchObject({ state: 'interrupted', code: 'interrupted' });
      expect(j.errorVi).toMatch(/in dở/);
      expect(events.find((e) => e.type === 'hcc.print.job.failed')?.data).toMatchObject({ id, state: 'interrupted' });
      const sim = second.ctx.devices.get('receipt') as SimulatedPrinter;
      // Nothing is left for the spool to send by itself: the interrupted job waits for a retry.
      const jobs: { state: string }[] = (await second.fastify.inject({ url: '/api/v1/print/jobs', headers: { host: '127.0.0.1' } })).json();
      expect(jobs.filter((x) => ['queued', 'waiting', 'printing'].includes(x.state))).toEqual([]);
      expect(sim.pages()).toHaveLength(0);
      const res = await second.fastify.inject({ method: 'POST', url: `/api/v1/print/jobs/${id}/retry`, headers: { host: '127.0.0.1' } });
      expect(res.statusCode).toBe(202);
      await expect.poll(() => second.ctx.printing.get(id)?.state, { timeout: 5000 }).toBe('printed');
      expect(sim.pages()).toHaveLength(1);
      expect(second.ctx.printing.get(id)).toMatchObject({ attempts: 2 });
    } finally {
      await second.stop();
      rmSync(config.agent.dataDir, { recursive: true, force: true });
    }
  });
});
