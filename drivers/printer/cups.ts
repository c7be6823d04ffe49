/**
 * A CUPS queue through `lp`/`lpstat`: raw for an ESC/POS queue, PDF for an A4 printer. CUPS cannot
 * report paper or cover, so status is the queue's state (enabled/disabled) and a job is reported
 * with the weaker guarantee "accepted by CUPS as request <id>".
 */
import { spawn } from 'node:child_process';
import Type from 'typebox';
import type { PrinterCondition } from '../contracts.ts';
import { deviceSchema, type DriverEntry } from '../driver.ts';
import { key } from '../../src/config/key.ts';
import { PrinterDevice, widthKey } from './base.ts';
import { FINE } from './simulated.ts';

export interface CupsOptions {
  queue: string;
  format: 'raw' | 'pdf';
  width: number;
  /** Environment for lp/lpstat (PATH, CUPS_SERVER); the process environment by default. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class CupsPrinter extends PrinterDevice {
  readonly accepts: 'escpos' | 'pdf';
  readonly widthDots: number;

  constructor(
    id: string,
    private readonly opts: CupsOptions,
  ) {
    super(id, 'cups');
    this.accepts = opts.format === 'pdf' ? 'pdf' : 'escpos';
    this.widthDots = opts.format === 'pdf' ? 0 : opts.width;
  }

  private run(cmd: string, args: string[], input?: Buffer): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { env: this.opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs ?? 15000);
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? Buffer.alloc(0));
    });
  }

  /** `lpstat -p QUEUE`: "printer Q is idle.  enabled since …" or "printer Q disabled since …". */
  private async queueState(): Promise<{ enabled: boolean; text: string }> {
    const r = await this.run('lpstat', ['-p', this.opts.queue]);
    if (r.code !== 0) throw new Error((r.stderr || r.stdout).trim() || `lpstat exited ${r.code}`);
    return { enabled: !/\bdisabled\b/.test(r.stdout), text: r.stdout.trim() };
  }

  protected async open(): Promise<void> {
    await this.queueState();
  }
  protected async close(): Promise<void> {}

  async write(data: Buffer): Promise<void> {
    const args = ['-d', this.opts.queue, '-t', `hcc-agent ${this.id}`];
    if (this.opts.format === 'raw') args.push('-o', 'raw');
    const r = await this.run('lp', args, data);
    if (r.code !== 0) throw new Error(`lp failed: ${(r.stderr || r.stdout).trim()}`);
    const id = /request id is (\S+)/.exec(r.stdout)?.[1];
    this.lastTransferNote = id ? `accepted by CUPS as request ${id}` : 'accepted by CUPS';
  }

  async queryStatus(): Promise<PrinterCondition | null> {
    const s = await this.queueState();
    return this.report({ ...FINE, online: s.enabled });
  }
}

export const driver: DriverEntry = {
  type: 'printer',
  name: 'cups',
  summary: 'A CUPS queue via lp/lpstat: raw ESC/POS for a thermal queue, PDF for an A4 printer.',
  schema: deviceSchema(
    'printer',
    'cups',
    {
      queue: key(Type.String({ minLength: 1, maxLength: 127, pattern: '^[^\\s/#]+$' }), { title: 'Queue', description: 'CUPS queue name (lpstat -p lists them).', default: '' }),
      format: key(Type.Union([Type.Literal('pdf'), Type.Literal('raw')]), { title: 'Format', description: 'pdf: an A4 printer (receipts as A4 PDF); raw: an ESC/POS thermal printer queue.', default: 'pdf' }),
      width: widthKey,
    },
    'A printer behind CUPS.',
  ),
  create: (cfg) => new CupsPrinter(cfg.id, { queue: cfg.queue, format: cfg.format ?? 'pdf', width: cfg.width ?? 576 }),
};
