import { X509Certificate } from 'node:crypto';

import { ClientError } from '@tessera/registry-api';

/**
 * The subject DN of a certificate in RFC 2253 form (most specific RDN first, comma-separated), as
 * Hono uses it for x509 `auth-id`s. Node prints the subject one RDN per line in certificate order.
 */
export function rfc2253SubjectDn(certificate: X509Certificate): string {
  return certificate.subject
    .split('\n')
    .filter((rdn) => rdn.length > 0)
    .reverse()
    .map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',');
}

/** Parses a Base64 DER (or PEM) certificate. @throws ClientError 400 if it is not one. */
export function parseCertificate(base64: string, code: string): X509Certificate {
  try {
    const text = base64.trim();
    return new X509Certificate(text.startsWith('-----BEGIN') ? text : Buffer.from(text, 'base64'));
  } catch (cause) {
    throw new ClientError(400, code, 'cert is not a valid X.509 certificate', { cause });
  }
}
