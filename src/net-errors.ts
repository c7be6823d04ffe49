/** Node's names for certificate verification failures (self-signed, unknown issuer, wrong name, expired). */
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

/** True when a connection failed because the peer's certificate is not trusted: a CA file to set, not a network fault. */
export function isCertificateError(code: string): boolean {
  return CERT_ERROR.test(code);
}
