/**
 * `hcc-agent doctor`: what this machine offers the agent and what is missing, with the fix, then
 * whether the config's links answer (doctor-links.ts).
 * Never crashes where udevadm, libusb, CUPS or SANE are absent: that is what it reports.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { projectPath } from './paths.ts';
import type { Config } from './config/schema.ts';
import { linkFindings } from './doctor-links.ts';

const run = promisify(execFile);

export interface Finding {
  level: 'ok' | 'warn' | 'missing';
  area: string;
  message: string;
}

async function which(cmd: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

export function scanDevNodes(dir = '/dev'): string[] {
  const found: string[] = [];
  try {
    found.push(...readdirSync(`${dir}/serial/by-id`).map((n) => `${dir}/serial/by-id/${n}`));
  } catch {}
  try {
    found.push(...readdirSync(dir).filter((n) => /^tty(USB|ACM)\d+$/.test(n)).map((n) => `${dir}/${n}`));
  } catch {}
  return found;
}

async function serialPorts(): Promise<Finding[]> {
  try {
    const { SerialPort } = await import('serialport');
    const ports = await SerialPort.list();
    return [{ level: 'ok', area: 'serial', message: ports.length ? ports.map((p) => `${p.path}${p.manufacturer ? ` (${p.manufacturer})` : ''}`).join(', ') : 'no serial ports' }];
  } catch (err) {
    // SerialPort.list() spawns udevadm; without it fall back to the device nodes.
    const nodes = scanDevNodes();
    return [
      { level: 'warn', area: 'serial', message: `port listing failed (${(err as Error).message}); install udev for details` },
      { level: 'ok', area: 'serial', message: nodes.length ? `device nodes: ${nodes.join(', ')}` : 'no /dev/ttyUSB*, /dev/ttyACM* or /dev/serial/by-id entries' },
    ];
  }
}

export async function hidFinding(load: () => Promise<any> = () => import('node-hid')): Promise<Finding> {
  try {
    const hid = await load();
    const devices = hid.devices ?? hid.default.devices;
    const list = devices() as { vendorId: number; productId: number; product?: string; usagePage?: number }[];
    const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
    return { level: 'ok', area: 'hid', message: list.length ? list.map((d) => `${hex(d.vendorId)}:${hex(d.productId)} ${d.product ?? ''} usagePage=${hex(d.usagePage ?? 0)}`).join('; ') : 'no HID devices visible' };
  } catch (err) {
    const msg = (err as Error).message;
    if (/libusb|cannot open shared object/.test(msg)) return { level: 'missing', area: 'hid', message: 'libusb not found: HID scanners disabled; install libusb-1.0-0 (apt-get install libusb-1.0-0)' };
    return { level: 'missing', area: 'hid', message: `node-hid unavailable: ${msg}` };
  }
}

async function cups(): Promise<Finding> {
  if (!(await which('lpstat'))) return { level: 'missing', area: 'cups', message: 'CUPS client not found: cups printers disabled; install cups-client (and cups for local queues)' };
  try {
    const { stdout } = await run('lpstat', ['-e'], { timeout: 5000 });
    const queues = stdout.split('\n').filter(Boolean);
    return { level: 'ok', area: 'cups', message: queues.length ? `queues: ${queues.join(', ')}` : 'no CUPS queues' };
  } catch (err) {
    return { level: 'warn', area: 'cups', message: `lpstat failed: ${(err as Error).message.split('\n')[0]} (is cupsd running?)` };
  }
}

async function sane(): Promise<Finding> {
  if (!(await which('scanimage'))) return { level: 'missing', area: 'sane', message: 'scanimage not found: SANE scanners disabled; install sane-utils' };
  try {
    const { stdout } = await run('scanimage', ['-f', '%d|%v %m%n'], { timeout: 15000 });
    const list = stdout.split('\n').filter(Boolean);
    return { level: 'ok', area: 'sane', message: list.length ? `scanners: ${list.join(', ')}` : 'no SANE scanners found (the test backend is available as device "test")' };
  } catch (err) {
    return { level: 'warn', area: 'sane', message: `scanimage -L failed: ${(err as Error).message.split('\n')[0]}` };
  }
}

async function tool(cmd: string, area: string, purpose: string, pkg: string): Promise<Finding> {
  return (await which(cmd)) ? { level: 'ok', area, message: `${cmd} found` } : { level: 'missing', area, message: `${cmd} not found: ${purpose}; install ${pkg}` };
}

/** Whether the systemd unit and udev rules shipped under config/ are installed, and match. */
export function operationsFindings(root = '/', shipped = projectPath('config')): Finding[] {
  const out: Finding[] = [];
  const pairs: [string, string, string][] = [
    ['etc/systemd/system/hcc-agent.service', 'systemd/hcc-agent.service', 'systemd unit'],
    ['etc/udev/rules.d/99-hcc-agent.rules', 'udev/99-hcc-agent.rules', 'udev rules'],
  ];
  for (const [installed, ours, what] of pairs) {
    const path = `${root.replace(/\/$/, '')}/${installed}`;
    let have: string | null = null;
    try {
      have = readFileSync(path, 'utf8');
    } catch {}
    const want = readFileSync(join(shipped, ours), 'utf8');
    if (have === null) out.push({ level: 'missing', area: 'ops', message: `${what} not installed at ${path}: install config/${ours} (see the comment at its top)` });
    else if (have !== want) out.push({ level: 'warn', area: 'ops', message: `${what} at ${path} differs from config/${ours}: reinstall it after an upgrade` });
    else out.push({ level: 'ok', area: 'ops', message: `${what} installed` });
  }
  return out;
}

/** Extra checks registered by other concerns (systemd unit, udev rules…). */
export const extraChecks: (() => Promise<Finding[]>)[] = [];

export async function collectFindings(): Promise<Finding[]> {
  const groups = await Promise.all([
    serialPorts(),
    hidFinding().then((f) => [f]),
    cups().then((f) => [f]),
    sane().then((f) => [f]),
    tool('espeak-ng', 'voice', 'voice calls fall back to recorded clips or silence', 'espeak-ng').then((f) => [f]),
    tool('tesseract', 'ocr', 'OCR text layers unavailable', 'tesseract-ocr tesseract-ocr-vie').then((f) => [f]),
    Promise.resolve(operationsFindings()),
    ...extraChecks.map((c) => c()),
  ]);
  return groups.flat() as Finding[];
}

/**
 * Prints the machine's findings and, when the config loaded, its links' (`config` is a loaded config
 * or the reason it did not load: doctor still runs on a machine whose config is broken).
 */
export async function runDoctor(out: NodeJS.WritableStream, config?: { config: Config; file: string } | { error: string }): Promise<number> {
  const findings = await collectFindings();
  if (config && 'error' in config) findings.push({ level: 'warn', area: 'config', message: config.error });
  else if (config) findings.push({ level: 'ok', area: 'config', message: `${config.file} is valid` }, ...(await linkFindings(config.config)));
  for (const f of findings) out.write(`${f.level.padEnd(7)} ${f.area.padEnd(7)} ${f.message}\n`);
  const missing = findings.filter((f) => f.level === 'missing').length;
  out.write(`${findings.length} checks, ${missing} missing\n`);
  return 0;
}
