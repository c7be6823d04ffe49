/**
 * A private CUPS scheduler for one test file: its own ServerRoot, spool, logs and state under a
 * temp dir, listening only on 127.0.0.1:<free port>, no browsing, no web interface. It never
 * touches a system cupsd (if one runs, it keeps /etc/cups, port 631 and /run/cups to itself).
 * Tests run as root, which cupsd needs (it drops to `lp` for filters).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process.ts';
import { spawnPeer, stopPeer, waitReady, type Peer } from './peer.ts';

/** The generic PDF model from cups-filters: jobs go through pdftopdf and reach the device as PDF (behind a PJL header). */
export const GENERIC_PDF_PPD = '/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class PrivateCupsd {
  private peer: Peer | null = null;
  /** `filesConf`: extra cups-files.conf lines (a test of a scheduler that will not start). */
  constructor(private readonly opts: { filesConf?: string[] } = {}) {}
  dir = '';
  port = 0;

  /** For lp/lpstat/lpadmin: talk to this scheduler only (lpadmin and cupsenable live in /usr/sbin), in English whatever the machine's locale. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`, CUPS_SERVER: `127.0.0.1:${this.port}`, LC_ALL: 'C' };
  }

  get errorLog(): string {
    return join(this.dir, 'log', 'error_log');
  }

  /** Writes the config on first start; later starts (after stop) reuse dir and port, as a restarted server would. */
  async start(timeoutMs = 10000): Promise<void> {
    if (!this.dir) await this.configure();
    const etc = join(this.dir, 'etc');
    // cupsd writes why it stops to its ErrorLog, not to stderr: the peer's error shows that log.
    const peer = spawnPeer('cupsd', '/usr/sbin/cupsd', ['-f', '-c', join(etc, 'cupsd.conf'), '-s', join(etc, 'cups-files.conf')], { logFile: this.errorLog });
    this.peer = peer;
    try {
      await waitReady(peer, async () => {
        const r = await this.run('lpstat', ['-r']);
        return r.code === 0 && /scheduler is running/.test(r.stdout);
      }, timeoutMs);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** SIGTERM and wait (SIGKILL after 5 s); the dir stays for a restart until cleanup(). */
  async stop(): Promise<void> {
    const peer = this.peer;
    this.peer = null;
    await stopPeer(peer);
  }

  async cleanup(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs a CUPS client command against this scheduler. */
  run(cmd: string, args: string[], input?: Buffer, timeoutMs = 10000): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      // lpadmin and friends may exit without reading stdin; that broken pipe is not an error here.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? Buffer.alloc(0));
    });
  }

  async must(cmd: string, args: string[]): Promise<RunResult> {
    const r = await this.run(cmd, args);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
    return r;
  }

  /**
   * Adds an enabled queue whose device is a file; returns the file's path. `ppd` absent: a raw queue.
   * The file is made here: since Debian's cups 2.4.2-3+deb12u10 the scheduler opens a file: device
   * O_WRONLY|O_EXCL without O_CREAT, so a missing one stops the job ("could not open the output file").
   */
  async addQueue(name: string, ppd?: string): Promise<string> {
    const out = join(this.dir, 'out', `${name}.out`);
    writeFileSync(out, '', { mode: 0o666 });
    await this.must('lpadmin', ['-p', name, '-E', '-v', `file://${out}`, ...(ppd ? ['-P', ppd] : ['-m', 'raw'])]);
    return out;
  }

  /** Waits until `lpstat -W completed` lists the request (e.g. "Thermal-3"). */
  async waitCompleted(requestId: string, timeoutMs = 10000): Promise<void> {
    const queue = requestId.replace(/-\d+$/, '');
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const r = await this.run('lpstat', ['-W', 'completed', '-o', queue]);
      if (r.stdout.split('\n').some((l) => l.split(/\s+/)[0] === requestId)) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`CUPS request ${requestId} not completed within ${timeoutMs} ms`);
  }

  private async configure(): Promise<void> {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'hcc-cupsd-'));
    // Filters run as lp: the spool must be reachable by it.
    chmodSync(this.dir, 0o755);
    for (const d of ['etc', 'spool', 'cache', 'state', 'log', 'out']) mkdirSync(join(this.dir, d), { mode: 0o755 });
    mkdirSync(join(this.dir, 'spool', 'tmp'), { mode: 0o1777 });
    chmodSync(join(this.dir, 'spool', 'tmp'), 0o1777);
    const d = this.dir;
    writeFileSync(
      join(d, 'etc', 'cups-files.conf'),
      [
        `ServerRoot ${d}/etc`,
        `RequestRoot ${d}/spool`,
        `TempDir ${d}/spool/tmp`,
        `CacheDir ${d}/cache`,
        `StateDir ${d}/state`,
        `ErrorLog ${d}/log/error_log`,
        `AccessLog ${d}/log/access_log`,
        `PageLog ${d}/log/page_log`,
        // file: device URIs are refused unless this is on; they let a test read what a printer would get.
        'FileDevice Yes',
        // A private printcap (an empty value, meaning none, is refused since cups 2.4.2-3+deb12u10).
        `Printcap ${d}/state/printcap`,
        'SystemGroup root',
        'User lp',
        'Group lp',
        ...(this.opts.filesConf ?? []),
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(d, 'etc', 'cupsd.conf'),
      [
        'LogLevel info',
        `Listen 127.0.0.1:${this.port}`,
        'Browsing No',
        'BrowseLocalProtocols none',
        'WebInterface No',
        'DefaultAuthType None',
        'IdleExitTimeout 0',
        '<Location />',
        '  Order allow,deny',
        '  Allow 127.0.0.1',
        '</Location>',
        // A loopback-only test scheduler: every operation allowed, no authentication.
        '<Policy default>',
        '  JobPrivateAccess all',
        '  JobPrivateValues none',
        '  SubscriptionPrivateAccess all',
        '  SubscriptionPrivateValues none',
        '  <Limit All>',
        '    Order deny,allow',
        '  </Limit>',
        '</Policy>',
        '',
      ].join('\n'),
    );
  }
}

/** Starts a private cupsd; call cleanup() in afterAll. Tried twice: the free port may be taken in between. */
export async function startCupsd(): Promise<PrivateCupsd> {
  for (let attempt = 1; ; attempt++) {
    const c = new PrivateCupsd();
    try {
      await c.start();
      return c;
    } catch (err) {
      await c.cleanup();
      if (attempt === 2) throw err;
    }
  }
}
