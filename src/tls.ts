/**
 * Trusting a private CA (a centre's own host or central server certificate) besides the system
 * roots, and telling a certificate failure (a CA file to set) from a network one.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/** A CA file named by a config key that cannot be used; `readError` is set when it could not be read at all. */
export class CaFileError extends Error {
  constructor(
    message: string,
    readonly readError?: string,
  ) {
    super(message);
    this.name = 'CaFileError';
  }
}

/** Reads the PEM CA file that config `key` names ('' = none). Throws CaFileError naming the key. */
export function readCaFile(path: string, key: string): Buffer | undefined {
  if (!path) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CaFileError(`${key}: cannot read "${path}" (${code})`, code);
  }
  if (!/-----BEGIN (TRUSTED )?CERTIFICATE-----/.test(pem.toString('latin1'))) throw new CaFileError(`${key}: "${path}" holds no PEM certificate`);
  return pem;
}

/** The system roots plus `pem`: a private CA is trusted in addition to them, not instead. */
export function withSystemRoots(pem: Buffer): string[] {
  return [...rootCertificates, pem.toString('utf8')];
}

/** Node's names for certificate verification failures (self-signed, unknown issuer, wrong name, expired). */
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

/** True when a connection failed because the peer's certificate is not trusted: a CA file to set, not a network fault. */
export function isCertificateError(code: string): boolean {
  return CERT_ERROR.test(code);
}
