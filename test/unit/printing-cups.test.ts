/**
 * The CUPS driver against fake `lp`/`lpstat` scripts on PATH: a unit test of the command lines and
 * output parsing only. The driver against a real cupsd is test/integration/printing-cups-real.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/agent.ts';
import { CupsPrinter } from '../../drivers/printer/cups.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeCups() {
  const dir = tempDir('hcc-cups-');
  dirs.push(dir);
  writeFileSync(join(dir, 'lp'), `#!/bin/sh\necho "$@" > "${dir}/lp.args"\ncat > "${dir}/lp.data"\necho "request id is $2-42 (1 file(s))"\n`);
  // Real lpstat's wording (CUPS 2.4) for `lpstat -r` and `lpstat -a Q -p Q`; LC_ALL is recorded.
  writeFileSync(
    join(dir, 'lpstat'),
    [
      '#!/bin/sh',
      `echo "$LC_ALL" > "${dir}/lpstat.lc"`,
      'if [ "$1" = "-r" ]; then echo "scheduler is running"; exit 0; fi',
      'if [ "$2" != "Thermal" ] && [ "$2" != "A4" ]; then echo "lpstat: Invalid destination name in list \\"$2\\"." >&2; exit 1; fi',
      `if [ -e "${dir}/rejecting" ]; then echo "$2 not accepting requests since Sun 22 Nov 2026 -"; echo "\\tmaintenance"; else echo "$2 accepting requests since Sun 22 Nov 2026"; fi`,
      `if [ -e "${dir}/disabled" ]; then echo "printer $2 disabled since Sun 22 Nov 2026 -"; echo "\\tPaused"; else echo "printer $2 is idle.  enabled since Sun 22 Nov 2026"; fi`,
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'lp'), 0o755);
  chmodSync(join(dir, 'lpstat'), 0o755);
  return { dir, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } };
}

describe('cups driver (fake lp/lpstat)', () => {
  it('sends raw ESC/POS with -o raw and states the weaker guarantee', async () => {
    const { dir, env } = fakeCups();
    const p = new CupsPrinter('thermal', { queue: 'Thermal', format: 'raw', width: 576, env });
    await p.start();
    expect(p.status().state).toBe('connected');
    expect(p.accepts).toBe('escpos');
    await p.write(Buffer.from([0x1b, 0x40, 0x41]));
    expect(readFileSync(join(dir, 'lp.args'), 'utf8').trim()).toBe('-d Thermal -t hcc-agent thermal -o raw');
    expect([...readFileSync(join(dir, 'lp.data'))]).toEqual([0x1b, 0x40, 0x41]);
    expect(p.lastTransferNote).toBe('accepted by CUPS as request Thermal-42');
    await p.stop();
  });

  it('sends PDF for an A4 queue and reports a disabled queue as offline', async () => {
    const { dir, env } = fakeCups();
    const p = new CupsPrinter('a4', { queue: 'A4', format: 'pdf', width: 576, env });
    await p.start();
    expect(p.accepts).toBe('pdf');
    expect(p.widthDots).toBe(0);
    await p.write(Buffer.from('%PDF-1.7\n'));
    expect(readFileSync(join(dir, 'lp.args'), 'utf8')).not.toMatch(/raw/);
    writeFileSync(join(dir, 'disabled'), '');
    expect(await p.queryStatus()).toMatchObject({ online: false });
    expect(p.status()).toMatchObject({ state: 'error', code: 'offline', reason: 'CUPS queue "A4" is stopped (disabled): Paused' });
    rmSync(join(dir, 'disabled'));
    expect(await p.queryStatus()).toMatchObject({ online: true });
    expect(p.status().state).toBe('connected');
    writeFileSync(join(dir, 'rejecting'), '');
    expect(await p.queryStatus()).toMatchObject({ online: false });
    expect(p.status()).toMatchObject({ state: 'error', code: 'offline', reason: 'CUPS queue "A4" is not accepting jobs: maintenance' });
    // Parsed in English whatever the machine's language.
    expect(readFileSync(join(dir, 'lpstat.lc'), 'utf8').trim()).toBe('C');
    await p.stop();
  });

  it('an unknown queue stays disconnected with lpstat\'s reason', async () => {
    const { env } = fakeCups();
    const p = new CupsPrinter('x', { queue: 'Nope', format: 'pdf', width: 576, env });
    await p.start();
    expect(p.status().state).toBe('disconnected');
    expect(p.status().reason).toBe('cannot open: CUPS has no queue named "Nope" (lpstat: Invalid destination name in list "Nope".); retrying');
    await p.stop();
    expect(existsSync(env.PATH!.split(':')[0])).toBe(true);
  });
});

describe('A4 through CUPS in the agent', () => {
  it('a dossier receipt for a PDF queue goes out as an A4 PDF; the job states the CUPS guarantee', async () => {
    const { dir, env } = fakeCups();
    // The driver spawns lp/lpstat through PATH; this test file runs in its own worker process.
    process.env.PATH = env.PATH;
    const { startAgent, testConfig } = await import('../helpers/agent.ts');
    const { receiptData } = await import('./printing-fixtures.ts');
    const a = await startAgent(testConfig({ devices: [{ id: 'a4', type: 'printer', driver: 'cups', queue: 'A4', format: 'pdf' }] }));
    try {
      const post = (payload: unknown) => a.fastify.inject({ method: 'POST', url: '/api/v1/print/jobs', payload: payload as any, headers: { host: '127.0.0.1' } });
      const res = await post({ template: 'dossier-receipt', data: receiptData({ copies: 2 }) });
      expect(res.statusCode).toBe(202);
      const id = res.json().id;
      await expect.poll(() => a.ctx.printing.get(id)?.state, { timeout: 10000 }).toBe('printed');
      expect(a.ctx.printing.get(id)).toMatchObject({ guarantee: 'accepted by CUPS as request A4-42' });
      const pdf = readFileSync(join(dir, 'lp.data'));
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.toString('latin1')).toMatch(/FontFile2/); // Noto Sans embedded
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(2); // Liên 1 and Liên 2
      // A queue ticket cannot go to an A4 printer.
      expect((await post({ template: 'queue-ticket', data: { number: 'A1', serviceName: 'X', issuedAt: '2026-11-22T07:05:00Z', waitingAhead: 0 } })).statusCode).toBe(400);
    } finally {
      await a.cleanup();
    }
  });
});
