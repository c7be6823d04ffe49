#!/usr/bin/env node
// Makes sure the system tools the test suite drives are present (real peers, not fakes):
// installs the missing Debian packages when running as root with apt-get, otherwise names the
// one command that does and fails, because a skipped test is not a passed one.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** binary or file → Debian package */
const NEEDS = [
  ['socat', 'socat'],
  ['scanimage', 'sane-utils'],
  ['mosquitto', 'mosquitto'],
  ['chromium', 'chromium'],
  ['espeak-ng', 'espeak-ng'],
  ['tesseract', 'tesseract-ocr'],
  ['/usr/share/tesseract-ocr/5/tessdata/vie.traineddata', 'tesseract-ocr-vie'],
  ['img2pdf', 'img2pdf'],
  ['qpdf', 'qpdf'],
  ['zbarimg', 'zbar-tools'],
  ['lp', 'cups-client'],
  ['/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf', 'fonts-noto-core'],
  ['/usr/lib/x86_64-linux-gnu/libusb-1.0.so.0', 'libusb-1.0-0'],
  ['ocrmypdf', 'ocrmypdf'],
  ['gs', 'ghostscript'],
  // A private cupsd per test (test/helpers/cupsd.ts): scheduler, socket backend, lpadmin/cupsenable,
  // and cups-filters' generic PDF model with pdftopdf for the A4 queue.
  ['/usr/sbin/cupsd', 'cups'],
  ['/usr/lib/cups/backend/socket', 'cups'],
  ['/usr/sbin/lpadmin', 'cups-client'],
  ['/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd', 'cups-filters'],
  ['/usr/lib/cups/filter/pdftopdf', 'cups-filters'],
  ['pdfinfo', 'poppler-utils'],
];

/** Installed without their recommends (cups-browsed, avahi-daemon, colord: daemons the tests never use). */
const NO_RECOMMENDS = new Set(['cups', 'cups-filters']);

const have = (what) => (what.startsWith('/') ? existsSync(what) : spawnSync('sh', ['-c', `command -v ${what}`]).status === 0);
const missing = [...new Set(NEEDS.filter(([what]) => !have(what)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const plain = missing.filter((p) => !NO_RECOMMENDS.has(p));
const lean = missing.filter((p) => NO_RECOMMENDS.has(p));
const cmd = ['apt-get update', plain.length && `apt-get install -y ${plain.join(' ')}`, lean.length && `apt-get install -y --no-install-recommends ${lean.join(' ')}`].filter(Boolean).join(' && ');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !have('apt-get')) {
  console.error(`The tests need these Debian packages: ${missing.join(', ')}.\nInstall them with:\n  sudo sh -c '${cmd}'`);
  process.exit(1);
}
console.error(`installing test dependencies: ${missing.join(' ')}`);
try {
  execFileSync('sh', ['-c', `export DEBIAN_FRONTEND=noninteractive; ${cmd}`], { stdio: ['ignore', 'inherit', 'inherit'] });
} catch {
  console.error(`Could not install ${missing.join(', ')}. Run:\n  ${cmd}`);
  process.exit(1);
}
